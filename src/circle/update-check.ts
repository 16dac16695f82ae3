/**
 * "The Yjs update applies to a scratch copy without throwing" (DESIGN, receiving checks). A batch of
 * updates for one member doc is tried on one scratch copy; only updates that applied cleanly reach
 * the real doc, as one merged update, so a bad update never half-applies.
 */
import * as Y from 'yjs'

export interface UpdateCheck {
  good: Uint8Array[]
  /** Indices (into the input) of updates that did not decode or apply. */
  bad: number[]
}

export function checkUpdates(doc: Y.Doc, updates: Uint8Array[]): UpdateCheck {
  const good: Uint8Array[] = []
  const bad: number[] = []
  const base = Y.encodeStateAsUpdate(doc)
  const fresh = (): Y.Doc => {
    const scratch = new Y.Doc({ gc: true })
    Y.applyUpdate(scratch, base)
    for (const update of good) Y.applyUpdate(scratch, update)
    return scratch
  }
  let scratch = fresh()
  updates.forEach((update, index) => {
    try {
      Y.decodeUpdate(update)
      Y.applyUpdate(scratch, update)
      good.push(update)
    } catch {
      bad.push(index)
      // The failed apply may have left part of itself behind; start again from what is known good.
      scratch.destroy()
      scratch = fresh()
    }
  })
  scratch.destroy()
  return { good, bad }
}

export function applyChecked(doc: Y.Doc, updates: Uint8Array[], origin: unknown): UpdateCheck {
  const check = checkUpdates(doc, updates)
  if (check.good.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(check.good), origin)
  return check
}
