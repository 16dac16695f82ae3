/**
 * The signed entry: the unit every feed is made of and the only thing that crosses the network
 * (DESIGN, "Feeds and entries"). Encoding is deterministic — fixed-width keys and hashes, lib0
 * varints, one canonical form — so the hash of an entry's bytes names it everywhere.
 *
 * Layout: version u8 · topic 32 · feed 32 · seq varuint · prev 32 · timestamp varuint · nonce 24 ·
 * ciphertext (varuint length ‖ bytes) · signature 64. The device key signs a domain tag followed by
 * everything before the signature.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { concat, equalBytes, sha256, toHex, utf8 } from './bytes'
import { NONCE_BYTES } from './circle-secrets'
import type { Ed25519 } from './ed25519'
import { type Checked, accept, reject } from './errors'
import { WireError, readByte, readShortestUint, readUint } from './wire'

export const ENTRY_VERSION = 1
export const MAX_ENTRY_BYTES = 256 * 1024
export const HASH_BYTES = 32
export const ZERO_HASH = new Uint8Array(HASH_BYTES)
export const SIGNATURE_BYTES = 64
const ENTRY_DOMAIN = utf8('sharecircle/entry/v1\0')

export interface UnsignedEntry {
  topic: Uint8Array
  feed: Uint8Array
  seq: number
  prev: Uint8Array
  timestamp: number
  nonce: Uint8Array
  ciphertext: Uint8Array
}

export interface Entry extends UnsignedEntry {
  signature: Uint8Array
  /** The canonical encoding, exactly as signed and sent. */
  bytes: Uint8Array
  /**
   * SHA-256 of `bytes`; the next entry's `prev`. Worked out when first read (entries made here read
   * it lazily), so a live edit is checked and shown before its hash is needed.
   */
  readonly hash: Uint8Array
  /** Hex of `feed`, for maps. */
  feedId: string
}

function encodeBody(entry: UnsignedEntry): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, ENTRY_VERSION)
  encoding.writeUint8Array(encoder, entry.topic)
  encoding.writeUint8Array(encoder, entry.feed)
  encoding.writeVarUint(encoder, entry.seq)
  encoding.writeUint8Array(encoder, entry.prev)
  encoding.writeVarUint(encoder, entry.timestamp)
  encoding.writeUint8Array(encoder, entry.nonce)
  encoding.writeVarUint8Array(encoder, entry.ciphertext)
  return encoding.toUint8Array(encoder)
}

function assertShape(entry: UnsignedEntry): void {
  const fixed: Array<[Uint8Array, number]> = [
    [entry.topic, 32],
    [entry.feed, 32],
    [entry.prev, HASH_BYTES],
    [entry.nonce, NONCE_BYTES],
  ]
  if (fixed.some(([bytes, length]) => bytes.length !== length)) throw new RangeError('Entry field has the wrong length')
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 0) throw new RangeError('Entry seq must be a whole number')
  if (!Number.isSafeInteger(entry.timestamp) || entry.timestamp < 0) throw new RangeError('Entry timestamp must be a whole number')
}

/**
 * The canonical bytes of an entry from its fields and signature, without checking either: for
 * rebuilding an entry that travelled in a compact form (entry-run.ts); the checks run on the result.
 */
export function encodeEntry(unsigned: UnsignedEntry, signature: Uint8Array): Uint8Array {
  return concat(encodeBody(unsigned), signature)
}

/**
 * Reads an entry's fields in wire order; throws WireError on bytes that are not one entry in its
 * canonical form. Fixed-width fields leave the varints (seq, timestamp, ciphertext length) and
 * trailing bytes as the only freedom, so reading each varint in its shortest form and nothing after
 * the signature is the canonical check. The fields are views into `bytes`, not copies: the caller
 * owns `bytes` and must not change it afterwards.
 */
export function readEntryFields(bytes: Uint8Array): { unsigned: UnsignedEntry; signature: Uint8Array } {
  const decoder = decoding.createDecoder(bytes)
  if (readByte(decoder) !== ENTRY_VERSION) throw new WireError('unknown version')
  const unsigned: UnsignedEntry = {
    topic: view(decoder, 32),
    feed: view(decoder, 32),
    seq: readShortestUint(decoder),
    prev: view(decoder, HASH_BYTES),
    timestamp: readShortestUint(decoder),
    nonce: view(decoder, NONCE_BYTES),
    ciphertext: view(decoder, readLength(decoder)),
  }
  const signature = view(decoder, SIGNATURE_BYTES)
  if (decoder.pos !== bytes.length) throw new WireError('trailing bytes')
  return { unsigned, signature }
}

/** `length` bytes as a view, bounds checked (wire.ts's readers copy; entries are read by the thousand). */
function view(decoder: decoding.Decoder, length: number): Uint8Array {
  if (decoder.pos + length > decoder.arr.length) throw new WireError('Unexpected end of bytes')
  return decoding.readUint8Array(decoder, length)
}

function readLength(decoder: decoding.Decoder): number {
  const length = readShortestUint(decoder)
  if (length > MAX_ENTRY_BYTES) throw new WireError('Length over its limit')
  return length
}

/** Signs an entry with the device's secret key. Throws RangeError on a malformed local entry. */
export async function signEntry(ed: Ed25519, deviceSecret: Uint8Array, unsigned: UnsignedEntry): Promise<Entry> {
  assertShape(unsigned)
  const body = encodeBody(unsigned)
  const signature = await ed.sign(deviceSecret, concat(ENTRY_DOMAIN, body))
  const bytes = concat(body, signature)
  if (bytes.length > MAX_ENTRY_BYTES) throw new RangeError(`Entry of ${bytes.length} bytes is over the limit`)
  return hashedWhenRead({ ...unsigned, signature, bytes, feedId: toHex(unsigned.feed) })
}

/** The entry with `hash` worked out on first read and kept: nothing on the way to the screen needs it. */
function hashedWhenRead(fields: Omit<Entry, 'hash'>): Entry {
  let hash: Uint8Array | undefined
  return {
    ...fields,
    get hash() {
      return (hash ??= sha256(fields.bytes))
    },
  }
}

/**
 * Size and structure only: no signature check. An entry decodes only from its one canonical form, so
 * two different byte strings never decode to the same entry.
 */
export function decodeEntry(bytes: Uint8Array): Checked<Entry> {
  if (bytes.length > MAX_ENTRY_BYTES) return reject('too-large', `${bytes.length} bytes`)
  try {
    // One private copy; the entry's fields are views into it.
    const copy = bytes.slice()
    const { unsigned, signature } = readEntryFields(copy)
    return accept(hashedWhenRead({ ...unsigned, signature, bytes: copy, feedId: toHex(unsigned.feed) }))
  } catch (error) {
    if (error instanceof WireError) return reject('malformed', error.message)
    throw error
  }
}

/**
 * Where an entry claims to sit (feed and seq) without checking anything else: for bookkeeping about
 * what a peer holds, never for deciding what to apply.
 */
export function peekEntryPosition(bytes: Uint8Array): { feed: string; seq: number } | undefined {
  try {
    const decoder = decoding.createDecoder(bytes)
    if (readByte(decoder) !== ENTRY_VERSION) return undefined
    view(decoder, 32)
    const feed = toHex(view(decoder, 32))
    return { feed, seq: readUint(decoder) }
  } catch (error) {
    if (error instanceof WireError) return undefined
    throw error
  }
}

export async function verifyEntrySignature(ed: Ed25519, entry: Entry): Promise<boolean> {
  const body = entry.bytes.subarray(0, entry.bytes.length - SIGNATURE_BYTES)
  return ed.verify(entry.feed, concat(ENTRY_DOMAIN, body), entry.signature)
}

/** Size → decodes → known topic: the checks before the signature, which entry-chain.ts may batch. */
export function decodeForTopic(bytes: Uint8Array, topic: Uint8Array): Checked<Entry> {
  const decoded = decodeEntry(bytes)
  if (!decoded.ok) return decoded
  if (!equalBytes(decoded.value.topic, topic)) return reject('unknown-topic')
  return decoded
}

/**
 * The first checks every received entry passes, in DESIGN's order: size → decodes → known topic →
 * signature. Feed continuity, decryption and payload come after (feed.ts, payload.ts).
 */
export async function checkEntry(ed: Ed25519, bytes: Uint8Array, topic: Uint8Array): Promise<Checked<Entry>> {
  const decoded = decodeForTopic(bytes, topic)
  if (!decoded.ok) return decoded
  if (!(await verifyEntrySignature(ed, decoded.value))) return reject('bad-signature')
  return decoded
}
