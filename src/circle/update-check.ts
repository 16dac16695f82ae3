/**
 * "The Yjs update applies to a scratch copy without throwing" (DESIGN, receiving checks). A batch of
 * updates for one member doc is tried on a scratch copy of that doc; only updates that applied
 * cleanly reach the real doc, all in one transaction (observers hear of them once), so a bad update
 * never half-applies. Applying them one by one inside the transaction is cheaper than merging them.
 *
 * Copying a doc costs as much as the doc, so `UpdateChecker` keeps the scratch copies of the docs it
 * checked most recently and moves each along with its doc: a live edit then costs its own size, not
 * its author's whole doc. A copy is used only while nothing else has changed its doc since.
 */
import * as Y from 'yjs'

export interface UpdateCheck {
  good: Uint8Array[]
  /** Indices (into the input) of updates that did not decode or apply. */
  bad: number[]
}

/** Scratch copies kept: the few members editing right now, without doubling a big circle's memory. */
export const SCRATCH_COPIES = 8

interface Scratch {
  copy: Y.Doc
  /** The doc's transaction count when the copy last matched it. */
  seen: number
}

export class UpdateChecker {
  readonly #limit: number
  /** Most recently used last. */
  readonly #scratches = new Map<Y.Doc, Scratch>()
  readonly #transactions = new WeakMap<Y.Doc, number>()

  constructor(limit = SCRATCH_COPIES) {
    this.#limit = limit
  }

  /** Tries `updates` on the scratch copy and applies the good ones to `doc` with `origin`. */
  apply(doc: Y.Doc, updates: Uint8Array[], origin: unknown): UpdateCheck {
    const kept = this.#scratchOf(doc)
    const { good, bad, scratch } = tryOn(kept.copy, doc, updates)
    kept.copy = scratch
    if (good.length > 0) applyAll(doc, good, origin)
    kept.seen = this.#count(doc)
    return { good, bad }
  }

  /** Drops every scratch copy (the docs are closing). */
  clear(): void {
    for (const scratch of this.#scratches.values()) scratch.copy.destroy()
    this.#scratches.clear()
  }

  #scratchOf(doc: Y.Doc): Scratch {
    const kept = this.#scratches.get(doc)
    this.#scratches.delete(doc)
    let scratch: Scratch
    if (kept && kept.seen === this.#count(doc)) {
      scratch = kept
    } else {
      kept?.copy.destroy()
      scratch = { copy: copyOf(doc, []), seen: this.#count(doc) }
    }
    this.#scratches.set(doc, scratch)
    for (const [old, dropped] of this.#scratches) {
      if (this.#scratches.size <= this.#limit) break
      dropped.copy.destroy()
      this.#scratches.delete(old)
    }
    return scratch
  }

  /** Transactions on `doc` since the checker first saw it: any change, from anywhere, moves it. */
  #count(doc: Y.Doc): number {
    let count = this.#transactions.get(doc)
    if (count === undefined) {
      count = 0
      this.#transactions.set(doc, count)
      doc.on('afterTransaction', () => this.#transactions.set(doc, (this.#transactions.get(doc) ?? 0) + 1))
    }
    return count
  }
}

function copyOf(doc: Y.Doc, extra: Uint8Array[]): Y.Doc {
  const copy = new Y.Doc({ gc: true })
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  for (const update of extra) Y.applyUpdate(copy, update)
  return copy
}

/**
 * A new doc holding exactly the good ones of `updates`, for a doc nobody holds yet (a member first
 * seen in this batch): the checking copy is the doc, so the work is not done twice.
 */
export function buildChecked(updates: Uint8Array[]): UpdateCheck & { doc: Y.Doc } {
  const empty = new Y.Doc({ gc: true })
  const { good, bad, scratch } = tryOn(new Y.Doc({ gc: true }), empty, updates)
  empty.destroy()
  return { good, bad, doc: scratch }
}

/** One batch against a fresh scratch copy, nothing kept: for a doc checked once, as on opening. */
export function applyChecked(doc: Y.Doc, updates: Uint8Array[], origin: unknown): UpdateCheck {
  const { good, bad, scratch } = tryOn(copyOf(doc, []), doc, updates)
  scratch.destroy()
  if (good.length > 0) applyAll(doc, good, origin)
  return { good, bad }
}

/** Applies each update to `copy` (rebuilt from `doc` and the good ones after a failure). */
function tryOn(copy: Y.Doc, doc: Y.Doc, updates: Uint8Array[]): UpdateCheck & { scratch: Y.Doc } {
  const good: Uint8Array[] = []
  const bad: number[] = []
  let scratch = copy
  updates.forEach((update, index) => {
    try {
      // The check is the apply itself (DESIGN): the real doc is in the scratch copy's state, so what
      // applies cleanly here applies cleanly there. (A separate Y.decodeUpdate first cost a tenth of
      // a first sync and, over 60,000 mutated updates, refused only one that applied harmlessly.)
      Y.applyUpdate(scratch, update)
      good.push(update)
    } catch {
      bad.push(index)
      // The failed apply may have left part of itself behind; start again from what is known good.
      scratch.destroy()
      scratch = copyOf(doc, good)
    }
  })
  return { good, bad, scratch }
}

function applyAll(doc: Y.Doc, updates: Uint8Array[], origin: unknown): void {
  Y.transact(doc, () => updates.forEach((update) => Y.applyUpdate(doc, update, origin)), origin)
}
