/**
 * The compact wire form of a run of one feed's consecutive entries (PROTOCOL.md, message `run`).
 * Entries of one feed repeat their version, topic and feed, and each names the one before by hash and
 * seq; a run states those once — the first entry's seq and prev — and each entry then carries only
 * what is its own: timestamp, nonce, ciphertext and signature. About 100 bytes less per entry.
 *
 * The form is only for travel. The receiver rebuilds the exact canonical bytes of every entry
 * (`expandRun`), taking each `prev` as the hash of the entry it just rebuilt, and hands those bytes to
 * the usual checks; storage, hashes and signatures never see the compact form. A run altered in
 * transit rebuilds into entries whose signatures fail.
 *
 * Reading is strict: a malformed run throws `RunFaultError` (a `WireError`) with a named fault.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { equalBytes, sha256 } from './bytes'
import { NONCE_BYTES } from './circle-secrets'
import { ENTRY_VERSION, HASH_BYTES, MAX_ENTRY_BYTES, SIGNATURE_BYTES, encodeEntry, readEntryFields } from './entry'
import { WireError, expectEnd, readByte, readUint } from './wire'

/** What one entry of a run carries of its own. */
export interface RunItem {
  timestamp: number
  nonce: Uint8Array
  ciphertext: Uint8Array
  signature: Uint8Array
}

export interface EntryRun {
  topic: Uint8Array
  feed: Uint8Array
  /** Seq of the first item; the others follow one by one. */
  seq: number
  /** `prev` of the first item; each later item's is the hash of the entry before it. */
  prev: Uint8Array
  items: RunItem[]
}

export const RUN_FAULTS = ['empty', 'too-many', 'unknown-version', 'seq-overflow', 'truncated', 'trailing-bytes'] as const
export type RunFault = (typeof RUN_FAULTS)[number]

export class RunFaultError extends WireError {
  override name = 'RunFaultError'
  readonly fault: RunFault
  constructor(fault: RunFault) {
    super(`Malformed run: ${fault}`)
    this.fault = fault
  }
}

/** The run's header and items (no message type): version · topic · feed · seq · prev · count · items. */
export function writeRun(encoder: encoding.Encoder, run: EntryRun): void {
  encoding.writeUint8(encoder, ENTRY_VERSION)
  encoding.writeUint8Array(encoder, run.topic)
  encoding.writeUint8Array(encoder, run.feed)
  encoding.writeVarUint(encoder, run.seq)
  encoding.writeUint8Array(encoder, run.prev)
  encoding.writeVarUint(encoder, run.items.length)
  for (const item of run.items) {
    encoding.writeVarUint(encoder, item.timestamp)
    encoding.writeUint8Array(encoder, item.nonce)
    encoding.writeVarUint8Array(encoder, item.ciphertext)
    encoding.writeUint8Array(encoder, item.signature)
  }
}

/**
 * Reads a run written by `writeRun`, at most `maxItems` long; throws RunFaultError. The fields are
 * views into the decoder's bytes (a run is expanded right away; copying 256 entries twice is waste).
 */
export function readRun(decoder: decoding.Decoder, maxItems: number): EntryRun {
  return faultOnWireError(() => {
    if (readByte(decoder) !== ENTRY_VERSION) throw new RunFaultError('unknown-version')
    const topic = view(decoder, 32)
    const feed = view(decoder, 32)
    const seq = readUint(decoder)
    const prev = view(decoder, HASH_BYTES)
    const count = readUint(decoder)
    if (count === 0) throw new RunFaultError('empty')
    if (count > maxItems) throw new RunFaultError('too-many')
    // Compared without adding: past 2^53 a sum rounds and could pass.
    if (count - 1 > Number.MAX_SAFE_INTEGER - seq) throw new RunFaultError('seq-overflow')
    const items: RunItem[] = []
    for (let i = 0; i < count; i++) {
      const timestamp = readUint(decoder)
      const nonce = view(decoder, NONCE_BYTES)
      const length = readUint(decoder)
      if (length > MAX_ENTRY_BYTES) throw new WireError('Length over its limit')
      items.push({ timestamp, nonce, ciphertext: view(decoder, length), signature: view(decoder, SIGNATURE_BYTES) })
    }
    return { topic, feed, seq, prev, items }
  })
}

/** A whole byte string as one run: the form tests and tools use. */
export function decodeRun(bytes: Uint8Array, maxItems: number): { ok: true; value: EntryRun } | { ok: false; fault: RunFault } {
  try {
    const decoder = decoding.createDecoder(bytes)
    const run = readRun(decoder, maxItems)
    faultOnWireError(() => expectEnd(decoder), 'trailing-bytes')
    return { ok: true, value: run }
  } catch (error) {
    if (error instanceof RunFaultError) return { ok: false, fault: error.fault }
    throw error
  }
}

export function encodeRun(run: EntryRun): Uint8Array {
  const encoder = encoding.createEncoder()
  writeRun(encoder, run)
  return encoding.toUint8Array(encoder)
}

/**
 * The canonical bytes of each entry of the run, oldest first. Each entry's `prev` is the hash of the
 * one rebuilt before it; the newest entry's hash is nobody's `prev`, so it is not computed (a live
 * edit is a run of one).
 */
export function expandRun(run: EntryRun): Uint8Array[] {
  const { topic, feed } = run
  const entries: Uint8Array[] = []
  let prev = run.prev
  for (const [index, item] of run.items.entries()) {
    if (index > 0) prev = sha256(entries[index - 1]!)
    entries.push(encodeEntry({ topic, feed, seq: run.seq + index, prev, timestamp: item.timestamp, nonce: item.nonce, ciphertext: item.ciphertext }, item.signature))
  }
  return entries
}

export interface RunLimits {
  /** Items in one run. */
  items: number
  /** Approximate bytes of one run; a single larger entry still makes a run of its own. */
  bytes: number
}

/**
 * Groups entries (canonical bytes, in the order given) into runs: consecutive entries of one feed
 * whose seq and prev continue the one before. What does not parse as an entry is returned as is,
 * in place, for the caller to send uncompacted.
 */
export function toRuns(entries: readonly Uint8Array[], limits: RunLimits): Array<EntryRun | Uint8Array> {
  const out: Array<EntryRun | Uint8Array> = []
  let run: EntryRun | undefined
  let runBytes = 0
  // The entry before, hashed only to check that this one chains to it: a lone entry (a live edit) is
  // never hashed.
  let previous: Uint8Array | undefined
  for (const bytes of entries) {
    let fields: ReturnType<typeof readEntryFields>
    try {
      fields = readEntryFields(bytes)
    } catch (error) {
      if (!(error instanceof WireError)) throw error
      out.push(bytes)
      run = undefined
      continue
    }
    const { unsigned, signature } = fields
    const item: RunItem = { timestamp: unsigned.timestamp, nonce: unsigned.nonce, ciphertext: unsigned.ciphertext, signature }
    const fits = run !== undefined && run.items.length < limits.items && runBytes + bytes.length <= limits.bytes
    const chained =
      fits &&
      equalBytes(run!.feed, unsigned.feed) &&
      equalBytes(run!.topic, unsigned.topic) &&
      unsigned.seq === run!.seq + run!.items.length &&
      equalBytes(unsigned.prev, sha256(previous!))
    if (chained) {
      run!.items.push(item)
      runBytes += bytes.length
    } else {
      run = { topic: unsigned.topic, feed: unsigned.feed, seq: unsigned.seq, prev: unsigned.prev, items: [item] }
      runBytes = bytes.length
      out.push(run)
    }
    previous = bytes
  }
  return out
}

function view(decoder: decoding.Decoder, length: number): Uint8Array {
  if (decoder.pos + length > decoder.arr.length) throw new WireError('Unexpected end of bytes')
  return decoding.readUint8Array(decoder, length)
}

function faultOnWireError<T>(read: () => T, fault: RunFault = 'truncated'): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof RunFaultError || !(error instanceof WireError)) throw error
    throw new RunFaultError(fault)
  }
}
