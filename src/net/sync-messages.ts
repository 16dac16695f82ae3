/**
 * The sync protocol's messages (/sharecircle/sync/2.0.0; byte layouts in PROTOCOL.md). One flat
 * file: numeric message types and verb-first write/read pairs over lib0 encoders. Nothing here
 * touches a stream: the caller frames each message (length-prefixed) and owns the I/O. Version 2
 * added `runs` (entries in the compact form of runs of one feed's entries, core/entry-run.ts) and
 * `have` (what the sender now holds: the ack that "up to date" rests on) and `device` (which
 * member's device speaks, so status can name it). Version 3 added `ack` (an entries or runs message
 * was handled): a side keeps at most SEND_WINDOW of those unacknowledged, so neither can flood the
 * other's memory.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { MAX_ENTRY_BYTES } from '../core/entry'
import { type EntryRun, RunFaultError, readRun, writeRun } from '../core/entry-run'
import { type Checked, accept, reject } from '../core/errors'
import { WireError, expectEnd, readBytes, readByte, readFixed, readText, readUint } from '../core/wire'

export const SYNC_PROTOCOL = '/sharecircle/sync/3.0.0'
export const SYNC_VERSION = 3

export const MESSAGE = {
  hello: 0,
  proof: 1,
  heads: 2,
  entries: 3,
  want: 4,
  done: 5,
  error: 6,
  runs: 7,
  have: 8,
  device: 9,
  ack: 10,
} as const

export const MESSAGE_LIMITS = {
  /** A whole message; an entries message of the largest entries still fits. */
  bytes: 4 * MAX_ENTRY_BYTES + 1024,
  feeds: 20_000,
  entries: 256,
  /** Entries answered to one `want`; the asker asks again for the rest. */
  wanted: 1024,
  errorText: 200,
} as const

/**
 * Entries and runs messages a side sends before the other acknowledges the oldest (`ack`). The
 * receiver holds at most this many of them, and refuses a peer that sends more.
 */
export const SEND_WINDOW = 8

export const NONCE_BYTES = 32
export const MAC_BYTES = 32
export const SIGNATURE_BYTES = 64

export interface FeedLength {
  /** The feed's device public key. */
  feed: Uint8Array
  /** How many entries of the feed the sender holds (head seq + 1). */
  length: number
}

export type SyncMessage =
  | { type: 'hello'; version: number; topic: Uint8Array; nonce: Uint8Array }
  | { type: 'proof'; mac: Uint8Array }
  | { type: 'heads'; heads: FeedLength[] }
  | { type: 'entries'; entries: Uint8Array[] }
  | { type: 'want'; feed: Uint8Array; from: number; to: number }
  | { type: 'done' }
  | { type: 'error'; code: number; text: string }
  /** At most MESSAGE_LIMITS.entries entries in all. */
  | { type: 'runs'; runs: EntryRun[] }
  /** Feeds whose stored length grew since the sender last said: same layout as `heads`. */
  | { type: 'have'; heads: FeedLength[] }
  /** Which device (feed key) speaks, signed by it over this session (see sync-session.ts). */
  | { type: 'device'; feed: Uint8Array; signature: Uint8Array }
  /** One entries or runs message from the other side was handled: room for one more. */
  | { type: 'ack' }

export const ERROR_CODES = { unknownTopic: 1, badProof: 2, misbehaving: 3, malformed: 4, tooLarge: 5 } as const

export function writeHello(encoder: encoding.Encoder, topic: Uint8Array, nonce: Uint8Array): void {
  encoding.writeUint8(encoder, MESSAGE.hello)
  encoding.writeVarUint(encoder, SYNC_VERSION)
  encoding.writeUint8Array(encoder, topic)
  encoding.writeUint8Array(encoder, nonce)
}

export function writeProof(encoder: encoding.Encoder, mac: Uint8Array): void {
  encoding.writeUint8(encoder, MESSAGE.proof)
  encoding.writeUint8Array(encoder, mac)
}

export function writeHeads(encoder: encoding.Encoder, heads: FeedLength[], type: number = MESSAGE.heads): void {
  encoding.writeUint8(encoder, type)
  encoding.writeVarUint(encoder, heads.length)
  for (const head of heads) {
    encoding.writeUint8Array(encoder, head.feed)
    encoding.writeVarUint(encoder, head.length)
  }
}

export function writeHave(encoder: encoding.Encoder, heads: FeedLength[]): void {
  writeHeads(encoder, heads, MESSAGE.have)
}

export function writeDevice(encoder: encoding.Encoder, feed: Uint8Array, signature: Uint8Array): void {
  encoding.writeUint8(encoder, MESSAGE.device)
  encoding.writeUint8Array(encoder, feed)
  encoding.writeUint8Array(encoder, signature)
}

export function writeEntries(encoder: encoding.Encoder, entries: Uint8Array[]): void {
  encoding.writeUint8(encoder, MESSAGE.entries)
  encoding.writeVarUint(encoder, entries.length)
  for (const entry of entries) encoding.writeVarUint8Array(encoder, entry)
}

export function writeWant(encoder: encoding.Encoder, feed: Uint8Array, from: number, to: number): void {
  encoding.writeUint8(encoder, MESSAGE.want)
  encoding.writeUint8Array(encoder, feed)
  encoding.writeVarUint(encoder, from)
  encoding.writeVarUint(encoder, to)
}

export function writeDone(encoder: encoding.Encoder): void {
  encoding.writeUint8(encoder, MESSAGE.done)
}

export function writeAck(encoder: encoding.Encoder): void {
  encoding.writeUint8(encoder, MESSAGE.ack)
}

export function writeError(encoder: encoding.Encoder, code: number, text: string): void {
  encoding.writeUint8(encoder, MESSAGE.error)
  encoding.writeVarUint(encoder, code)
  encoding.writeVarString(encoder, text.slice(0, MESSAGE_LIMITS.errorText))
}

export function writeRuns(encoder: encoding.Encoder, runs: EntryRun[]): void {
  encoding.writeUint8(encoder, MESSAGE.runs)
  encoding.writeVarUint(encoder, runs.length)
  for (const run of runs) writeRun(encoder, run)
}

export function encodeMessage(message: SyncMessage): Uint8Array {
  const encoder = encoding.createEncoder()
  switch (message.type) {
    case 'hello':
      writeHello(encoder, message.topic, message.nonce)
      break
    case 'proof':
      writeProof(encoder, message.mac)
      break
    case 'heads':
      writeHeads(encoder, message.heads)
      break
    case 'entries':
      writeEntries(encoder, message.entries)
      break
    case 'want':
      writeWant(encoder, message.feed, message.from, message.to)
      break
    case 'done':
      writeDone(encoder)
      break
    case 'error':
      writeError(encoder, message.code, message.text)
      break
    case 'runs':
      writeRuns(encoder, message.runs)
      break
    case 'have':
      writeHave(encoder, message.heads)
      break
    case 'device':
      writeDevice(encoder, message.feed, message.signature)
      break
    case 'ack':
      writeAck(encoder)
      break
  }
  return encoding.toUint8Array(encoder)
}

function readHeads(decoder: decoding.Decoder): FeedLength[] {
  const count = readUint(decoder)
  if (count > MESSAGE_LIMITS.feeds) throw new WireError('Too many feeds')
  return Array.from({ length: count }, () => ({ feed: readFixed(decoder, 32), length: readUint(decoder) }))
}

function readEntries(decoder: decoding.Decoder): Uint8Array[] {
  const count = readUint(decoder)
  if (count > MESSAGE_LIMITS.entries) throw new WireError('Too many entries')
  // An oversized entry is read whole and left to the entry checks, which name it `too-large`.
  return Array.from({ length: count }, () => readBytes(decoder, MESSAGE_LIMITS.bytes))
}

/** Runs whose entries add up to at most MESSAGE_LIMITS.entries; each run names its own faults. */
function readRuns(decoder: decoding.Decoder): EntryRun[] {
  const count = readUint(decoder)
  if (count === 0 || count > MESSAGE_LIMITS.entries) throw new WireError('Bad run count')
  const runs: EntryRun[] = []
  let room = MESSAGE_LIMITS.entries
  for (let i = 0; i < count; i++) {
    const run = readRun(decoder, room)
    room -= run.items.length
    runs.push(run)
  }
  return runs
}

/** Reads one message; never throws on peer input. */
export function readMessage(bytes: Uint8Array): Checked<SyncMessage> {
  if (bytes.length > MESSAGE_LIMITS.bytes) return reject('too-large', `${bytes.length} bytes`)
  try {
    const decoder = decoding.createDecoder(bytes)
    const type = readByte(decoder)
    let message: SyncMessage
    switch (type) {
      case MESSAGE.hello:
        message = { type: 'hello', version: readUint(decoder), topic: readFixed(decoder, 32), nonce: readFixed(decoder, NONCE_BYTES) }
        break
      case MESSAGE.proof:
        message = { type: 'proof', mac: readFixed(decoder, MAC_BYTES) }
        break
      case MESSAGE.heads:
        message = { type: 'heads', heads: readHeads(decoder) }
        break
      case MESSAGE.entries:
        message = { type: 'entries', entries: readEntries(decoder) }
        break
      case MESSAGE.want:
        message = { type: 'want', feed: readFixed(decoder, 32), from: readUint(decoder), to: readUint(decoder) }
        break
      case MESSAGE.done:
        message = { type: 'done' }
        break
      case MESSAGE.error:
        message = { type: 'error', code: readUint(decoder), text: readText(decoder, MESSAGE_LIMITS.errorText * 4) }
        break
      case MESSAGE.runs:
        message = { type: 'runs', runs: readRuns(decoder) }
        break
      case MESSAGE.have:
        message = { type: 'have', heads: readHeads(decoder) }
        break
      case MESSAGE.device:
        message = { type: 'device', feed: readFixed(decoder, 32), signature: readFixed(decoder, SIGNATURE_BYTES) }
        break
      case MESSAGE.ack:
        message = { type: 'ack' }
        break
      default:
        return reject('malformed', `unknown message type ${type}`)
    }
    expectEnd(decoder)
    return accept(message)
  } catch (error) {
    if (error instanceof RunFaultError) return reject('malformed', `run: ${error.fault}`)
    if (error instanceof WireError) return reject('malformed', error.message)
    throw error
  }
}
