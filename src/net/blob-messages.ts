/**
 * The blob protocol's messages (/sharecircle/blob/1.0.0; byte layouts in PROTOCOL.md): a request that
 * names a circle topic and a content hash, and an answer that is a status byte and, when found, the
 * sealed blob. One flat file of write/read pairs over lib0 encoders; nothing here touches a stream,
 * and a reader never throws on peer input: it names what is wrong.
 */
import * as encoding from 'lib0/encoding'

export const BLOB_PROTOCOL = '/sharecircle/blob/1.0.0'

export const BLOB_LIMITS = {
  /**
   * A sealed blob: a photo of up to 3 MiB plus its seal (nonce, MAC, mime type). A photo resized to
   * 1024 px is a few hundred KiB; the bound is what a peer may make us hold in memory for one answer.
   */
  bytes: 3 * 1024 * 1024 + 1024,
  /** A whole answer: status, length and blob. */
  responseBytes: 3 * 1024 * 1024 + 1024 + 1 + 5,
} as const

export const TOPIC_BYTES = 32
export const HASH_BYTES = 32
export const REQUEST_BYTES = TOPIC_BYTES + HASH_BYTES

/** The answer's first byte. `bad-request` answers a request that is not 64 bytes. */
export const BLOB_STATUS = { ok: 0, notFound: 1, forbidden: 2, badRequest: 3 } as const

/** What a reader says is wrong with bytes from a peer. */
export const BLOB_FAULTS = ['truncated', 'trailing-bytes', 'unknown-status', 'too-large', 'empty'] as const
export type BlobFault = (typeof BLOB_FAULTS)[number]

export type BlobRead<T> = { ok: true; value: T } | { ok: false; reason: BlobFault }

export interface BlobRequest {
  /** The circle's 32-byte sync topic. */
  topic: Uint8Array
  /** SHA-256 of the blob's plain bytes. */
  hash: Uint8Array
}

export type BlobResponse =
  | { status: 'ok'; sealed: Uint8Array }
  | { status: 'not-found' }
  | { status: 'forbidden' }
  | { status: 'bad-request' }

const STATUS_NAMES = ['ok', 'not-found', 'forbidden', 'bad-request'] as const

export function writeBlobRequest(encoder: encoding.Encoder, request: BlobRequest): void {
  if (request.topic.length !== TOPIC_BYTES || request.hash.length !== HASH_BYTES) throw new RangeError('A blob request names a 32-byte topic and a 32-byte hash')
  encoding.writeUint8Array(encoder, request.topic)
  encoding.writeUint8Array(encoder, request.hash)
}

/** A request is exactly REQUEST_BYTES. */
export function readBlobRequest(bytes: Uint8Array): BlobRead<BlobRequest> {
  if (bytes.length < REQUEST_BYTES) return { ok: false, reason: 'truncated' }
  if (bytes.length > REQUEST_BYTES) return { ok: false, reason: 'trailing-bytes' }
  return { ok: true, value: { topic: bytes.slice(0, TOPIC_BYTES), hash: bytes.slice(TOPIC_BYTES) } }
}

export function writeBlobResponse(encoder: encoding.Encoder, response: BlobResponse): void {
  encoding.writeUint8(encoder, STATUS_NAMES.indexOf(response.status))
  if (response.status === 'ok') {
    if (response.sealed.length === 0 || response.sealed.length > BLOB_LIMITS.bytes) throw new RangeError('A blob is 1 byte to BLOB_LIMITS.bytes')
    encoding.writeVarUint8Array(encoder, response.sealed)
  }
}

export function encodeBlobRequest(request: BlobRequest): Uint8Array {
  const encoder = encoding.createEncoder()
  writeBlobRequest(encoder, request)
  return encoding.toUint8Array(encoder)
}

export function encodeBlobResponse(response: BlobResponse): Uint8Array {
  const encoder = encoding.createEncoder()
  writeBlobResponse(encoder, response)
  return encoding.toUint8Array(encoder)
}

export interface BlobResponseHead {
  status: BlobResponse['status']
  /** The blob's declared length (status `ok` only). */
  length: number | undefined
  /** Where the blob starts. */
  offset: number
}

/** The most bytes the varuint length of an answer can take: 7 bits a byte, up to BLOB_LIMITS.bytes. */
export const MAX_LENGTH_BYTES = Math.ceil(Math.log2(BLOB_LIMITS.bytes + 1) / 7)
/** Enough bytes to read any answer's head, good or bad: a status and the longest length. */
export const RESPONSE_HEAD_BYTES = 1 + MAX_LENGTH_BYTES

/**
 * The status and declared length from the first bytes of an answer, so an oversized blob is refused
 * before it arrives; undefined while more bytes are needed to tell, which is never the case once
 * RESPONSE_HEAD_BYTES have come.
 */
export function readBlobResponseHead(bytes: Uint8Array): BlobRead<BlobResponseHead> | undefined {
  if (bytes.length === 0) return undefined
  const status = STATUS_NAMES[bytes[0]!]
  if (status === undefined) return { ok: false, reason: 'unknown-status' }
  if (status !== 'ok') return { ok: true, value: { status, length: undefined, offset: 1 } }
  // A varuint: 7 bits a byte, the high bit set on all but the last.
  let length = 0
  for (let i = 1; i < Math.min(bytes.length, RESPONSE_HEAD_BYTES); i++) {
    const byte = bytes[i]!
    length += (byte & 0x7f) * 2 ** (7 * (i - 1))
    if (length > BLOB_LIMITS.bytes) return { ok: false, reason: 'too-large' }
    if ((byte & 0x80) === 0) {
      if (length === 0) return { ok: false, reason: 'empty' }
      return { ok: true, value: { status, length, offset: i + 1 } }
    }
  }
  // Still going after MAX_LENGTH_BYTES: longer than any allowed length is written, so too large,
  // whatever it would add up to (0x80 0x80 … adds nothing, and would otherwise keep us waiting).
  return bytes.length >= RESPONSE_HEAD_BYTES ? { ok: false, reason: 'too-large' } : undefined
}

/** A whole answer, as it stood when the peer closed its side. */
export function readBlobResponse(bytes: Uint8Array): BlobRead<BlobResponse> {
  if (bytes.length > BLOB_LIMITS.responseBytes) return { ok: false, reason: 'too-large' }
  const head = readBlobResponseHead(bytes)
  if (head === undefined) return { ok: false, reason: 'truncated' }
  if (!head.ok) return head
  const { status, length, offset } = head.value
  if (status !== 'ok') return bytes.length > offset ? { ok: false, reason: 'trailing-bytes' } : { ok: true, value: { status } }
  const end = offset + length!
  if (bytes.length < end) return { ok: false, reason: 'truncated' }
  if (bytes.length > end) return { ok: false, reason: 'trailing-bytes' }
  return { ok: true, value: { status, sealed: bytes.slice(offset, end) } }
}
