/**
 * Feed rules (DESIGN, "Feeds and entries"): each device's feed is an append-only hash chain. An
 * entry is appended only when it continues its feed (seq = head + 1, prev = hash of the head);
 * entries that arrive early wait in a bounded buffer; two validly signed entries at one seq are a
 * fork, which freezes the feed. Pure state, no I/O: the caller checks signatures first and stores
 * what this accepts.
 *
 * Anyone can make up a device key and sign entries for it, so early entries of a feed whose first
 * entry has not arrived yet (a stranger's, as far as this log knows) wait in a part of the buffer of
 * their own (`strangers` entries, `strangerBytes` bytes), where the oldest of another feed makes way
 * for a new one: a flood of them can neither fill the part members' early entries wait in, nor grow
 * this log without bound. A feed that begins takes its waiting entries to the members' part.
 */
import { equalBytes, fromHex, toHex } from './bytes'
import { ZERO_HASH, type Entry } from './entry'
import { type Rejected, reject } from './errors'

export interface FeedLimits {
  /** Early entries held per feed. */
  perFeed: number
  /** Early entries held across all feeds. */
  total: number
  /** Bytes of early entries held across all feeds. */
  totalBytes: number
  /** Of `total`, the early entries held for feeds that have no entry yet; the oldest goes first. */
  strangers: number
  /** Of `totalBytes`, the bytes held for them. */
  strangerBytes: number
}

export const DEFAULT_FEED_LIMITS: FeedLimits = { perFeed: 512, total: 4096, totalBytes: 16 * 1024 * 1024, strangers: 256, strangerBytes: 2 * 1024 * 1024 }

export interface Head {
  feed: string
  seq: number
  hash: Uint8Array
}

/** Seqs from ≤ seq ≤ to of a feed, missing before entries that wait for them: what to ask a peer for. */
export interface Gap {
  feed: string
  from: number
  to: number
}

export type FeedOutcome =
  /** The entry, then any buffered entries it unblocked, in feed order: apply them in this order. */
  | { status: 'appended'; entries: Entry[]; dropped: Rejected[] }
  | { status: 'buffered' }
  /** Older than the head and not in memory: the caller compares it with the stored entry at that seq. */
  | { status: 'stale' }
  /** `fork` carries the hash already held at that seq, so the caller can keep both as evidence. */
  | (Rejected & { knownHash?: Uint8Array })

interface FeedState {
  /** The head as restored, or the entry appended last (its hash is read only when needed). */
  head: { readonly seq: number; readonly hash: Uint8Array } | undefined
  /**
   * Hashes by seq (hex), for entries seen since start (fork and duplicate checks without I/O); the
   * head's may still be its entry, whose hash nobody has asked for yet.
   */
  hashes: Map<number, string | Entry>
  early: Map<number, Entry>
  frozen: boolean
}

export class FeedLog {
  readonly #feeds = new Map<string, FeedState>()
  readonly #limits: FeedLimits
  #earlyCount = 0
  #earlyBytes = 0
  /** Early entries of feeds without a head, and where they are, oldest first (some may be gone). */
  #strangerCount = 0
  #strangerBytes = 0
  #strangerQueue: Array<{ feed: string; seq: number }> = []

  constructor(limits: FeedLimits = DEFAULT_FEED_LIMITS) {
    this.#limits = limits
  }

  /** Starts from heads already stored (their entries were checked when they arrived). */
  restore(heads: Iterable<Head>): void {
    for (const head of heads) {
      const state = this.#state(head.feed)
      state.head = { seq: head.seq, hash: head.hash }
      state.hashes.set(head.seq, toHex(head.hash))
    }
  }

  head(feed: string): Head | undefined {
    const head = this.#feeds.get(feed)?.head
    return (
      head && {
        feed,
        seq: head.seq,
        get hash() {
          return head.hash
        },
      }
    )
  }

  heads(): Head[] {
    return [...this.#feeds.keys()].flatMap((feed) => this.head(feed) ?? [])
  }

  isFrozen(feed: string): boolean {
    return this.#feeds.get(feed)?.frozen ?? false
  }

  /** Marks a feed forked: nothing more is appended to it. */
  freeze(feed: string): void {
    const state = this.#state(feed)
    state.frozen = true
    this.#dropEarly(state)
  }

  /**
   * Forgets a feed that turned out to have no valid join (its seq 0 failed the checks after the
   * chain): its head and whatever of it waits, as if it had never arrived. Nothing of it is kept.
   */
  forget(feed: string): void {
    const state = this.#feeds.get(feed)
    if (!state) return
    this.#dropEarly(state)
    this.#feeds.delete(feed)
  }

  /** The seqs missing before the first entry that waits for this feed, or undefined when nothing waits. */
  gap(feed: string): Gap | undefined {
    const state = this.#feeds.get(feed)
    if (!state || state.frozen || state.early.size === 0) return undefined
    const from = state.head ? state.head.seq + 1 : 0
    return { feed, from, to: Math.min(...state.early.keys()) - 1 }
  }

  /** Seqs from the feed's next up to `to`, when `to` is beyond its head: what to ask for an entry refused as early. */
  missing(feed: string, to: number): Gap | undefined {
    const state = this.#feeds.get(feed)
    if (state?.frozen) return undefined
    const from = state?.head ? state.head.seq + 1 : 0
    return to >= from ? { feed, from, to } : undefined
  }

  get earlyCount(): number {
    return this.#earlyCount
  }

  /** Early entries held for feeds that have no entry yet. */
  get strangerCount(): number {
    return this.#strangerCount
  }

  offer(entry: Entry): FeedOutcome {
    const state = this.#state(entry.feedId)
    if (state.frozen) return reject('frozen')
    const next = state.head ? state.head.seq + 1 : 0
    if (entry.seq < next) return this.#older(state, entry)
    if (entry.seq > next) return this.#buffer(state, entry)
    const expectedPrev = state.head?.hash ?? ZERO_HASH
    if (!equalBytes(entry.prev, expectedPrev)) return reject('prev-mismatch', `seq ${entry.seq}`)
    this.#append(state, entry)
    return { status: 'appended', ...this.#drain(state, entry) }
  }

  #older(state: FeedState, entry: Entry): FeedOutcome {
    const held = state.hashes.get(entry.seq)
    if (held === undefined) return { status: 'stale' }
    const known = typeof held === 'string' ? held : toHex(held.hash)
    if (known === toHex(entry.hash)) return reject('duplicate')
    this.freeze(entry.feedId)
    return { ...reject('fork', `seq ${entry.seq}`), knownHash: fromHex(known)! }
  }

  #buffer(state: FeedState, entry: Entry): FeedOutcome {
    const waiting = state.early.get(entry.seq)
    if (waiting) return equalBytes(waiting.hash, entry.hash) ? reject('duplicate') : reject('buffer-full', 'two entries wait at one seq')
    const size = entry.bytes.length
    const { perFeed, total, totalBytes, strangers, strangerBytes } = this.#limits
    if (state.early.size >= perFeed) return reject('buffer-full')
    if (state.head === undefined) {
      if (size > strangerBytes || !this.#makeRoomForStranger(entry.feedId, size)) return reject('buffer-full')
      this.#strangerCount++
      this.#strangerBytes += size
      this.#strangerQueue.push({ feed: entry.feedId, seq: entry.seq })
    } else {
      const members = this.#earlyCount - this.#strangerCount
      const memberBytes = this.#earlyBytes - this.#strangerBytes
      if (members >= total - strangers || memberBytes + size > totalBytes - strangerBytes) return reject('buffer-full')
    }
    state.early.set(entry.seq, entry)
    this.#earlyCount++
    this.#earlyBytes += size
    return { status: 'buffered' }
  }

  /**
   * Drops the oldest early entries of other headless feeds until one more of `size` bytes fits the
   * strangers' part (a feed left with nothing is forgotten); false when it cannot be made to fit.
   */
  #makeRoomForStranger(feed: string, size: number): boolean {
    const fits = () => this.#strangerCount < this.#limits.strangers && this.#strangerBytes + size <= this.#limits.strangerBytes
    let at = 0
    while (!fits() && at < this.#strangerQueue.length) {
      const place = this.#strangerQueue[at]!
      const state = this.#feeds.get(place.feed)
      // Gone already, or its feed has begun since (its entries are a member's now): nothing to drop.
      const entry = state?.head === undefined ? state?.early.get(place.seq) : undefined
      if (place.feed === feed && entry) {
        at++
        continue
      }
      this.#strangerQueue.splice(at, 1)
      if (!state || !entry) continue
      this.#forget(state, entry)
      if (state.early.size === 0 && state.hashes.size === 0 && !state.frozen) this.#feeds.delete(place.feed)
    }
    // Places of entries that left otherwise (appended, forgotten) go once they outnumber the quota.
    if (this.#strangerQueue.length > 2 * this.#limits.strangers + 64) {
      this.#strangerQueue = this.#strangerQueue.filter(({ feed: queued, seq }) => {
        const state = this.#feeds.get(queued)
        return state?.head === undefined && state?.early.has(seq) === true
      })
    }
    return fits()
  }

  #append(state: FeedState, entry: Entry): void {
    // A feed's first entry: what of it waits is a member's now, no longer a stranger's.
    if (state.head === undefined) {
      this.#strangerCount -= state.early.size
      for (const early of state.early.values()) this.#strangerBytes -= early.bytes.length
    }
    // The previous head's hash was needed just now (it is this entry's `prev`): keep it as hex.
    const previous = state.head && state.hashes.get(state.head.seq)
    if (previous !== undefined && typeof previous !== 'string') state.hashes.set(previous.seq, toHex(previous.hash))
    state.head = entry
    state.hashes.set(entry.seq, entry)
  }

  #drain(state: FeedState, from: Entry): { entries: Entry[]; dropped: Rejected[] } {
    const entries = [from]
    const dropped: Rejected[] = []
    let last = from
    for (;;) {
      const next = state.early.get(last.seq + 1)
      if (!next) break
      this.#forget(state, next)
      if (!equalBytes(next.prev, last.hash)) {
        // It was signed by this feed's key yet does not chain: keep waiting would block the feed forever.
        dropped.push(reject('prev-mismatch', `seq ${next.seq}`))
        break
      }
      this.#append(state, next)
      entries.push(next)
      last = next
    }
    return { entries, dropped }
  }

  #forget(state: FeedState, entry: Entry): void {
    state.early.delete(entry.seq)
    this.#earlyCount--
    this.#earlyBytes -= entry.bytes.length
    if (state.head === undefined) {
      this.#strangerCount--
      this.#strangerBytes -= entry.bytes.length
    }
  }

  #dropEarly(state: FeedState): void {
    for (const entry of [...state.early.values()]) this.#forget(state, entry)
  }

  #state(feed: string): FeedState {
    let state = this.#feeds.get(feed)
    if (!state) {
      state = { head: undefined, hashes: new Map(), early: new Map(), frozen: false }
      this.#feeds.set(feed, state)
    }
    return state
  }
}
