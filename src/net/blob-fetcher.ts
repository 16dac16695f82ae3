/**
 * Fetching blobs this device lacks (photos: DESIGN, "Member docs") from peers, on demand. Members
 * are asked one after another, a few at most; an answer counts only if it opens with the circle key
 * to bytes whose SHA-256 is the hash asked for, and only then is it stored. Concurrent fetches of one
 * blob share one run, few run at once, and a peer that just failed to give a blob is not asked for it
 * again for a while — so a photo nobody holds costs each peer one request per while, however many
 * times the screen asks.
 */
import { sha256, toHex } from '../core/bytes'
import type { BlobAnswer, BlobFailure } from './blob-protocol'

/** Peers asked for one blob in one fetch. */
export const BLOB_FETCH_TRIES = 3
/** Blob requests in flight at once, across all blobs. */
export const BLOB_FETCH_CONCURRENCY = 4
/** A peer that failed to give a blob is not asked for it again for this long. */
export const BLOB_MISS_MS = 15_000
/** Blobs whose misses are remembered (the oldest is forgotten first). */
export const BLOB_MISS_LIMIT = 1_024

/** What a fetch needs of a circle: its peers, a way to ask them, and the circle key's check. */
export interface BlobSource {
  /** Peers that may be asked (members that proved the circle key here), best first. */
  peers(): string[]
  ask(peer: string, signal: AbortSignal): Promise<BlobAnswer>
  /** The plain bytes of a blob sealed with this circle's key; undefined when it does not open. */
  open(sealed: Uint8Array): Uint8Array | undefined
  /** Stores a blob that passed the check, under its hash. */
  store(hash: string, sealed: Uint8Array): Promise<void>
}

export interface BlobTry {
  peer: string
  reason: BlobFailure
}

/**
 * How a fetch ended. `no-peers`: nobody could be asked (no member connected, or each one asked lately
 * did not have it); otherwise the reason of the last peer asked.
 */
export type BlobFetch = { ok: true; peer: string; tried: BlobTry[] } | { ok: false; reason: BlobFailure | 'no-peers'; tried: BlobTry[] }

export interface BlobFetcherInit {
  /** Aborted when the network stops: every run ends. */
  signal: AbortSignal
  tries?: number
  concurrency?: number
  missMs?: number
  now?: () => number
}

export class BlobFetcher {
  readonly #init: BlobFetcherInit
  readonly #now: () => number
  readonly #running = new Map<string, Promise<BlobFetch>>()
  /** Blob key → peer → until when it is not asked again. */
  readonly #misses = new Map<string, Map<string, number>>()
  readonly #waiting: Array<() => void> = []
  #active = 0

  constructor(init: BlobFetcherInit) {
    this.#init = init
    this.#now = init.now ?? Date.now
  }

  /**
   * Fetches the blob with this hash (hex) unless a run for the same `key` (circle and hash) is under
   * way, whose outcome is then shared. The caller's signal only stops the caller waiting: the run goes
   * on for the others, and what it stores is there next time.
   */
  fetch(key: string, hash: string, source: BlobSource, options: { signal?: AbortSignal } = {}): Promise<BlobFetch> {
    options.signal?.throwIfAborted()
    let run = this.#running.get(key)
    if (!run) {
      run = this.#run(key, hash, source).finally(() => this.#running.delete(key))
      this.#running.set(key, run)
    }
    return options.signal ? untilAborted(run, options.signal) : run
  }

  /** Whether a fetch of `key` is under way. */
  running(key: string): boolean {
    return this.#running.has(key)
  }

  async #run(key: string, hash: string, source: BlobSource): Promise<BlobFetch> {
    const tried: BlobTry[] = []
    for (let i = 0; i < (this.#init.tries ?? BLOB_FETCH_TRIES); i++) {
      this.#init.signal.throwIfAborted()
      const peer = source.peers().find((candidate) => !tried.some((attempt) => attempt.peer === candidate) && !this.#missed(key, candidate))
      if (peer === undefined) break
      const reason = await this.#slot(() => this.#try(hash, source, peer))
      if (reason === undefined) {
        this.#misses.delete(key)
        return { ok: true, peer, tried }
      }
      tried.push({ peer, reason })
      this.#remember(key, peer)
    }
    return { ok: false, reason: tried.at(-1)?.reason ?? 'no-peers', tried }
  }

  /** One peer asked; undefined when its blob passed the check and is stored. */
  async #try(hash: string, source: BlobSource, peer: string): Promise<BlobFailure | undefined> {
    const answer = await source.ask(peer, this.#init.signal)
    if (!answer.ok) return answer.reason
    if (!opensTo(source, answer.sealed, hash)) return 'mismatch'
    await source.store(hash, answer.sealed)
    return undefined
  }

  async #slot<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= (this.#init.concurrency ?? BLOB_FETCH_CONCURRENCY)) await new Promise<void>((resume) => this.#waiting.push(resume))
    this.#active++
    try {
      return await task()
    } finally {
      this.#active--
      this.#waiting.shift()?.()
    }
  }

  #missed(key: string, peer: string): boolean {
    const until = this.#misses.get(key)?.get(peer)
    if (until === undefined) return false
    if (until > this.#now()) return true
    this.#misses.get(key)!.delete(peer)
    return false
  }

  #remember(key: string, peer: string): void {
    let peers = this.#misses.get(key)
    if (!peers) {
      peers = new Map()
      this.#misses.set(key, peers)
      if (this.#misses.size > BLOB_MISS_LIMIT) this.#misses.delete(this.#misses.keys().next().value!)
    }
    peers.set(peer, this.#now() + (this.#init.missMs ?? BLOB_MISS_MS))
  }
}

/** Whether the sealed blob opens with the circle key to bytes whose SHA-256 is `hash` (hex). */
function opensTo(source: BlobSource, sealed: Uint8Array, hash: string): boolean {
  try {
    const plain = source.open(sealed)
    return plain !== undefined && toHex(sha256(plain)) === hash
  } catch {
    // Bytes from a peer never throw into the app.
    return false
  }
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
