/**
 * The compact form of a run: it travels smaller and expands back to the exact entry bytes; a
 * malformed run is refused with a named fault; an altered run expands to entries whose signatures
 * fail. Real entries, signed with real keys.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import { concat, toHex } from '../../../src/core/bytes'
import { webCryptoEd25519 } from '../../../src/core/ed25519'
import { type Entry, ZERO_HASH, checkEntry, decodeForTopic, signEntry } from '../../../src/core/entry'
import { verifyChained } from '../../../src/core/entry-chain'
import { type EntryRun, RUN_FAULTS, type RunFault, decodeRun, encodeRun, expandRun, toRuns } from '../../../src/core/entry-run'
import { newSigningKeyPair } from '../../../src/core/keys'
import { seededRandom } from '../../../src/core/random'

const ed = webCryptoEd25519(globalThis.crypto.subtle)
const random = seededRandom(41)
const topic = random(32)
const LIMITS = { items: 256, bytes: 256 * 1024 }

async function chain(length: number, device = newSigningKeyPair(random)): Promise<Entry[]> {
  const entries: Entry[] = []
  for (let seq = 0; seq < length; seq++) {
    entries.push(
      await signEntry(ed, device.secretKey, {
        topic,
        feed: device.publicKey,
        seq,
        prev: entries[seq - 1]?.hash ?? ZERO_HASH,
        timestamp: 1_760_000_000_000 + seq * 1000,
        nonce: random(24),
        ciphertext: random(100 + seq),
      }),
    )
  }
  return entries
}

const hex = (list: Uint8Array[]) => list.map(toHex)

function runs(parts: Array<EntryRun | Uint8Array>): EntryRun[] {
  return parts.filter((part): part is EntryRun => !(part instanceof Uint8Array))
}

describe('compact runs', () => {
  it('round-trip: entries → runs → bytes → runs → the exact entry bytes, in order', async () => {
    const a = await chain(5)
    const b = await chain(3)
    const bytes = [...a, ...b].map((entry) => entry.bytes)
    const parts = toRuns(bytes, LIMITS)
    expect(parts).toHaveLength(2)
    const travelled = runs(parts).map((run) => {
      const decoded = decodeRun(encodeRun(run), LIMITS.items)
      if (!decoded.ok) throw new Error(decoded.fault)
      return decoded.value
    })
    expect(hex(travelled.flatMap(expandRun))).toEqual(hex(bytes))
    // And every rebuilt entry passes the full checks.
    for (const entry of travelled.flatMap(expandRun)) expect((await checkEntry(ed, entry, topic)).ok).toBe(true)
  })

  it('is smaller: about a hundred bytes less per entry after the first', async () => {
    const entries = await chain(20)
    const [run] = runs(toRuns(entries.map((entry) => entry.bytes), LIMITS))
    const canonical = entries.reduce((sum, entry) => sum + entry.bytes.length, 0)
    expect(canonical - encodeRun(run!).length).toBeGreaterThan(95 * 19)
  })

  it('starts a new run at a gap, at another feed, at the limits, and passes unreadable bytes through in place', async () => {
    const entries = await chain(7)
    const gap = toRuns([...entries.slice(0, 3), ...entries.slice(4)].map((entry) => entry.bytes), LIMITS)
    expect(runs(gap).map((run) => [run.seq, run.items.length])).toEqual([[0, 3], [4, 3]])
    const limited = toRuns(entries.map((entry) => entry.bytes), { items: 3, bytes: LIMITS.bytes })
    expect(runs(limited).map((run) => [run.seq, run.items.length])).toEqual([[0, 3], [3, 3], [6, 1]])
    const junk = random(30)
    const mixed = toRuns([entries[0]!.bytes, junk, entries[1]!.bytes], LIMITS)
    expect(mixed[1]).toBe(junk)
    expect(runs(mixed).map((run) => run.seq)).toEqual([0, 1])
    // The next seq of the same feed whose `prev` is not the hash of the entry before (a fork): its own run.
    const device = newSigningKeyPair(random)
    const [first, second] = await chain(2, device)
    const fork = await signEntry(ed, device.secretKey, { ...second!, prev: random(32) })
    const forked = toRuns([first!.bytes, fork.bytes], LIMITS)
    expect(runs(forked).map((run) => [run.seq, run.items.length])).toEqual([[0, 1], [1, 1]])
    expect(hex(runs(forked).flatMap(expandRun))).toEqual(hex([first!.bytes, fork.bytes]))
  })

  it('an altered run expands to entries that fail: the good prefix passes, the rest are bad signatures', async () => {
    const entries = await chain(6)
    const [run] = runs(toRuns(entries.map((entry) => entry.bytes), LIMITS))
    run!.items[3]!.ciphertext = run!.items[3]!.ciphertext.map((byte, at) => (at === 0 ? byte ^ 1 : byte))
    const expanded = expandRun(run!).map((bytes) => decodeForTopic(bytes, topic))
    const decoded = expanded.map((checked) => (checked.ok ? checked.value : undefined)).filter((entry) => entry !== undefined)
    expect(decoded).toHaveLength(6)
    const { authentic } = await verifyChained(ed, decoded)
    // Each later entry's prev is the hash of the altered one, which its author never signed.
    expect(authentic).toEqual([true, true, true, false, false, false])
  })

  it('refuses malformed runs with a named fault, and never throws', async () => {
    const [good] = runs(toRuns((await chain(2)).map((entry) => entry.bytes), LIMITS))
    const encoded = encodeRun(good!)
    const header = (version: number, seq: number, count: number) => {
      const encoder = encoding.createEncoder()
      encoding.writeUint8(encoder, version)
      encoding.writeUint8Array(encoder, topic)
      encoding.writeUint8Array(encoder, new Uint8Array(32))
      encoding.writeVarUint(encoder, seq)
      encoding.writeUint8Array(encoder, ZERO_HASH)
      encoding.writeVarUint(encoder, count)
      return encoding.toUint8Array(encoder)
    }
    const cases: Array<[Uint8Array, RunFault]> = [
      [header(1, 0, 0), 'empty'],
      [header(1, 0, LIMITS.items + 1), 'too-many'],
      [header(2, 0, 1), 'unknown-version'],
      [header(1, Number.MAX_SAFE_INTEGER, 2), 'seq-overflow'],
      [encoded.slice(0, encoded.length - 1), 'truncated'],
      [header(1, 0, 1), 'truncated'],
      [new Uint8Array(), 'truncated'],
      [concat(encoded, new Uint8Array([0])), 'trailing-bytes'],
    ]
    for (const [bytes, fault] of cases) expect(decodeRun(bytes, LIMITS.items)).toEqual({ ok: false, fault })
    expect(new Set(cases.map(([, fault]) => fault))).toEqual(new Set(RUN_FAULTS))
    const rng = seededRandom(42)
    for (let i = 0; i < 2000; i++) {
      const bytes = rng.next() < 0.5 ? rng(Math.floor(rng.next() * 400)) : encoded.map((byte) => (rng.next() < 0.02 ? byte ^ 0xff : byte))
      expect(() => decodeRun(bytes, LIMITS.items)).not.toThrow()
    }
  })
})
