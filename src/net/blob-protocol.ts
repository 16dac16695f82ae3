/**
 * The blob protocol on libp2p streams: one stream per blob. The requester sends the 64-byte request
 * and closes its side; the server answers with a status and, when it may and can, the sealed blob,
 * then closes. Both sides give up after a time limit, and the requester stops reading as soon as an
 * answer is over the size limit. Who may ask for what is the caller's to decide (`BlobLookup`); this
 * file only moves bytes and names what went wrong.
 */
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import { concat } from '../core/bytes'
import {
  BLOB_LIMITS,
  BLOB_PROTOCOL,
  REQUEST_BYTES,
  encodeBlobRequest,
  encodeBlobResponse,
  readBlobRequest,
  readBlobResponse,
  readBlobResponseHead,
  type BlobRequest,
  type BlobResponse,
  type BlobResponseHead,
  type BlobRead,
} from './blob-messages'
import { timeoutSignal } from './sleep'

/** Why a blob did not come from one peer. */
export const BLOB_FAILURES = ['not-found', 'forbidden', 'too-large', 'mismatch', 'timeout', 'malformed', 'unreachable'] as const
export type BlobFailure = (typeof BLOB_FAILURES)[number]

export type BlobAnswer = { ok: true; sealed: Uint8Array } | { ok: false; reason: BlobFailure }

/** One request, both ways (opening the stream included), gives up after this long. */
export const BLOB_TIMEOUT_MS = 15_000
/** Sent in slices of this size, waiting for the stream to drain between them. */
const SEND_SLICE_BYTES = 64 * 1024

/** What the server answers `peer` (as the connection authenticated it) for `request`. */
export type BlobLookup = (peer: string, request: BlobRequest, options: AbortOptions) => Promise<BlobResponse>

/** Asks the peer at the other end of `connection` for one blob. Throws only when `options.signal` aborts. */
export async function requestBlob(connection: Connection, request: BlobRequest, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<BlobAnswer> {
  options.signal?.throwIfAborted()
  const signal = timeoutSignal(options.timeoutMs ?? BLOB_TIMEOUT_MS, options.signal)
  const failed = (): BlobAnswer => {
    options.signal?.throwIfAborted()
    return { ok: false, reason: signal.aborted ? 'timeout' : 'unreachable' }
  }
  let stream: Stream
  try {
    stream = await connection.newStream(BLOB_PROTOCOL, { signal, runOnLimitedConnection: false })
  } catch {
    return failed()
  }
  const onAbort = (): void => stream.abort(new Error('blob request aborted'))
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    stream.send(encodeBlobRequest(request))
    // Half-closes: the server reads the request to its end, so a request can't run on.
    const closing = stream.close({ signal }).catch(() => undefined)
    const answer = await readAnswer(stream)
    await closing
    if (signal.aborted) return failed()
    return answer
  } catch {
    return failed()
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

async function readAnswer(stream: Stream): Promise<BlobAnswer> {
  const parts: Uint8Array[] = []
  let size = 0
  let head: BlobRead<BlobResponseHead> | undefined
  for await (const chunk of stream) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    size += bytes.length
    parts.push(bytes)
    // The declared length refuses an oversized blob at once; the running total catches a peer that lies.
    // The head is decided within RESPONSE_HEAD_BYTES, so this joins only the first few chunks.
    if (head === undefined) head = readBlobResponseHead(concat(...parts))
    const fault = head?.ok === false ? head.reason : size > BLOB_LIMITS.responseBytes ? 'too-large' : undefined
    if (fault) {
      stream.abort(new Error(fault))
      return { ok: false, reason: fault === 'too-large' ? 'too-large' : 'malformed' }
    }
  }
  const response = readBlobResponse(concat(...parts))
  if (!response.ok) return { ok: false, reason: response.reason === 'too-large' ? 'too-large' : 'malformed' }
  switch (response.value.status) {
    case 'ok':
      return { ok: true, sealed: response.value.sealed }
    case 'not-found':
    case 'forbidden':
      return { ok: false, reason: response.value.status }
    case 'bad-request':
      return { ok: false, reason: 'malformed' }
  }
}

/** Answers one incoming blob stream (the handler of BLOB_PROTOCOL). Never throws. */
export async function serveBlobStream(stream: Stream, connection: Connection, lookup: BlobLookup, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
  const signal = timeoutSignal(options.timeoutMs ?? BLOB_TIMEOUT_MS, options.signal)
  const onAbort = (): void => stream.abort(new Error('blob answer aborted'))
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const request = readBlobRequest(await readRequest(stream))
    const response: BlobResponse = request.ok
      ? await lookup(connection.remotePeer.toString(), request.value, { signal }).catch((): BlobResponse => ({ status: 'not-found' }))
      : { status: 'bad-request' }
    signal.throwIfAborted()
    const bytes = encodeBlobResponse(response)
    for (let at = 0; at < bytes.length; at += SEND_SLICE_BYTES) {
      if (!stream.send(bytes.subarray(at, at + SEND_SLICE_BYTES))) await stream.onDrain({ signal })
    }
    await stream.close({ signal })
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)))
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** The request to its end, or one byte more than a request (which makes it `trailing-bytes`). */
async function readRequest(stream: Stream): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let size = 0
  for await (const chunk of stream) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    parts.push(bytes)
    size += bytes.length
    if (size > REQUEST_BYTES) break
  }
  return concat(...parts)
}
