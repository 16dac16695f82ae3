/**
 * Blobs (photos) between members: serves `/sharecircle/blob/1.0.0` on direct connections and fetches
 * what this device lacks. Only members are served or asked — peers that proved the circle key on a
 * sync session with this node (the circle network says which); anyone else is `forbidden`, as is a
 * topic this node does not have, so a stranger learns nothing about which circles are here. Storage
 * keeps every circle's blobs by hash alone, so a blob is served for a circle only if it opens with
 * that circle's key to bytes of the hash asked for.
 */
import type { AbortOptions, Connection } from '@libp2p/interface'
import { fromHex, sha256, toHex } from '../core/bytes'
import { BlobFetcher, type BlobFetch, type BlobFetcherInit, type BlobSource } from './blob-fetcher'
import { BLOB_LIMITS, BLOB_PROTOCOL, type BlobRequest, type BlobResponse } from './blob-messages'
import { BLOB_TIMEOUT_MS, requestBlob, serveBlobStream } from './blob-protocol'
import type { MemberNode } from './member-node'

/** What the blob service needs of a circle's stored blobs (circle/photos.ts `photoBlobs` has it). */
export interface NetworkBlobs {
  /** The sealed blob stored under this hash (hex), whichever circle it belongs to. */
  get(hash: string): Promise<Uint8Array | undefined>
  /** The plain bytes of a blob sealed with this circle's key; undefined when it does not open. */
  open(sealed: Uint8Array): Uint8Array | undefined
  put(hash: string, sealed: Uint8Array): Promise<void>
}

/** One circle as the blob service sees it. */
export interface BlobCircle {
  blobs: NetworkBlobs
  /** Direct connections to the peers that proved the circle key on a sync session here, by peer id. */
  members(): Map<string, Connection>
}

export interface BlobServiceInit {
  /** Only where the protocol is handled. */
  node: Pick<MemberNode, 'handle' | 'unhandle'>
  /** The circle open on this node under this topic (hex), if any. */
  circle(topic: string): BlobCircle | undefined
  /** One request, either way, gives up after this long. */
  timeoutMs?: number
  fetcher?: Omit<BlobFetcherInit, 'signal'>
}

/** Incoming blob streams per connection at once; the fetcher on the other side runs a few at most. */
const MAX_INBOUND_STREAMS = 8

export class BlobService {
  readonly #init: BlobServiceInit
  readonly #controller = new AbortController()
  readonly #fetcher: BlobFetcher

  constructor(init: BlobServiceInit) {
    this.#init = init
    this.#fetcher = new BlobFetcher({ ...init.fetcher, signal: this.#controller.signal })
  }

  async start(options: AbortOptions = {}): Promise<void> {
    await this.#init.node.handle(BLOB_PROTOCOL, (stream, connection) => serveBlobStream(stream, connection, this.#lookup, this.#options), {
      runOnLimitedConnection: false,
      maxInboundStreams: MAX_INBOUND_STREAMS,
      signal: options.signal,
    })
  }

  async stop(): Promise<void> {
    this.#controller.abort(new Error('The blob service stopped'))
    await this.#init.node.unhandle(BLOB_PROTOCOL).catch(() => undefined)
  }

  /**
   * Fetches a blob of the circle with this topic from its members and stores it once it checks out.
   * Concurrent fetches of one blob share one run; see blob-fetcher.ts for who is asked and how often.
   */
  fetch(topic: Uint8Array, hash: string, options: { signal?: AbortSignal } = {}): Promise<BlobFetch> {
    const topicHex = toHex(topic)
    const circle = this.#init.circle(topicHex)
    if (!circle || !/^[0-9a-f]{64}$/.test(hash)) return Promise.resolve({ ok: false, reason: 'no-peers', tried: [] })
    const request: BlobRequest = { topic, hash: fromHex(hash)! }
    const source: BlobSource = {
      peers: () => [...circle.members().keys()],
      ask: async (peer, signal) => {
        // The peer's session may have ended since it was picked.
        const connection = circle.members().get(peer)
        return connection ? requestBlob(connection, request, { signal, timeoutMs: this.#options.timeoutMs }) : { ok: false, reason: 'unreachable' }
      },
      open: (sealed) => circle.blobs.open(sealed),
      store: (key, sealed) => circle.blobs.put(key, sealed),
    }
    return this.#fetcher.fetch(`${topicHex}:${hash}`, hash, source, options)
  }

  readonly #lookup = async (peer: string, request: BlobRequest): Promise<BlobResponse> => {
    const circle = this.#init.circle(toHex(request.topic))
    if (!circle?.members().has(peer)) return { status: 'forbidden' }
    const hash = toHex(request.hash)
    const sealed = await circle.blobs.get(hash)
    const plain = sealed && sealed.length <= BLOB_LIMITS.bytes ? circle.blobs.open(sealed) : undefined
    if (!sealed || !plain || toHex(sha256(plain)) !== hash) return { status: 'not-found' }
    return { status: 'ok', sealed }
  }

  get #options(): { signal: AbortSignal; timeoutMs: number } {
    return { signal: this.#controller.signal, timeoutMs: this.#init.timeoutMs ?? BLOB_TIMEOUT_MS }
  }
}
