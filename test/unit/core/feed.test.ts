import { describe, expect, it } from 'vitest'
import { toHex } from '../../../src/core/bytes'
import { webCryptoEd25519 } from '../../../src/core/ed25519'
import { type Entry, ZERO_HASH, signEntry } from '../../../src/core/entry'
import { FeedLog } from '../../../src/core/feed'
import { newSigningKeyPair } from '../../../src/core/keys'
import { seededRandom } from '../../../src/core/random'

const ed = webCryptoEd25519(globalThis.crypto.subtle)
const random = seededRandom(7)
const topic = random(32)

/** A valid chain of `length` entries from one device, each with a distinct ciphertext. */
async function chain(length: number, device = newSigningKeyPair(random), tag = 0): Promise<Entry[]> {
  const entries: Entry[] = []
  for (let seq = 0; seq < length; seq++) {
    entries.push(
      await signEntry(ed, device.secretKey, {
        topic,
        feed: device.publicKey,
        seq,
        prev: entries[seq - 1]?.hash ?? ZERO_HASH,
        timestamp: 1000 + seq,
        nonce: random(24),
        ciphertext: new Uint8Array([tag, seq]),
      }),
    )
  }
  return entries
}

describe('feed rules', () => {
  it('appends a chain in order and reports heads', async () => {
    const log = new FeedLog()
    const entries = await chain(3)
    for (const entry of entries) expect(log.offer(entry)).toMatchObject({ status: 'appended', entries: [entry] })
    expect(log.head(entries[0]!.feedId)).toMatchObject({ seq: 2, hash: entries[2]!.hash })
  })

  it('forgets a feed whole: its head and what of it waits, as if it had never arrived', async () => {
    const log = new FeedLog()
    const [first, , third] = await chain(3)
    log.offer(first!)
    expect(log.offer(third!)).toEqual({ status: 'buffered' })
    expect(log.earlyCount).toBe(1)
    log.forget(first!.feedId)
    expect(log.head(first!.feedId)).toBeUndefined()
    expect(log.heads()).toEqual([])
    expect(log.earlyCount).toBe(0)
    // Not frozen: the feed can start again from seq 0.
    expect(log.offer(first!)).toMatchObject({ status: 'appended', entries: [first] })
  })

  it('buffers early entries and releases them, in order, when the gap fills', async () => {
    const log = new FeedLog()
    const [a, b, c, d] = await chain(4)
    expect(log.offer(d!)).toEqual({ status: 'buffered' })
    expect(log.offer(b!)).toEqual({ status: 'buffered' })
    expect(log.offer(c!)).toEqual({ status: 'buffered' })
    const outcome = log.offer(a!)
    expect(outcome).toMatchObject({ status: 'appended' })
    if ('status' in outcome && outcome.status === 'appended') expect(outcome.entries.map((e) => e.seq)).toEqual([0, 1, 2, 3])
    expect(log.earlyCount).toBe(0)
  })

  it('rejects a wrong prev as prev-mismatch and a repeat as duplicate', async () => {
    const log = new FeedLog()
    const device = newSigningKeyPair(random)
    const [a, b] = await chain(2, device)
    const [, otherB] = await chain(2, device, 1)
    log.offer(a!)
    // otherB continues a different seq 0, so its prev does not match a's hash.
    expect(log.offer(otherB!)).toMatchObject({ ok: false, reason: 'prev-mismatch' })
    expect(log.offer(b!)).toMatchObject({ status: 'appended' })
    expect(log.offer(b!)).toMatchObject({ ok: false, reason: 'duplicate' })
    expect(log.offer(a!)).toMatchObject({ ok: false, reason: 'duplicate' })
  })

  it('two valid entries at one seq are a fork: evidence kept, feed frozen', async () => {
    const log = new FeedLog()
    const device = newSigningKeyPair(random)
    const first = await chain(3, device)
    const second = await chain(3, device, 1)
    for (const entry of first) log.offer(entry)
    const outcome = log.offer(second[1]!)
    expect(outcome).toMatchObject({ ok: false, reason: 'fork' })
    if ('knownHash' in outcome) expect(toHex(outcome.knownHash!)).toBe(toHex(first[1]!.hash))
    expect(log.isFrozen(first[0]!.feedId)).toBe(true)
    const [next] = (await chain(4, device)).slice(3)
    expect(log.offer(next!)).toMatchObject({ ok: false, reason: 'frozen' })
  })

  it('an old entry below a restored head is reported stale for the caller to compare with storage', async () => {
    const entries = await chain(3)
    const log = new FeedLog()
    log.restore([{ feed: entries[0]!.feedId, seq: 2, hash: entries[2]!.hash }])
    expect(log.offer(entries[1]!)).toEqual({ status: 'stale' })
    expect(log.offer(entries[2]!)).toMatchObject({ ok: false, reason: 'duplicate' })
  })

  it('the early buffer is bounded per feed and in total', async () => {
    const log = new FeedLog({ perFeed: 2, total: 6, totalBytes: 1 << 20, strangers: 3, strangerBytes: 1 << 10 })
    const one = await chain(5)
    const two = await chain(5)
    for (const begun of [one[0]!, two[0]!]) log.offer(begun)
    expect(log.offer(one[2]!)).toEqual({ status: 'buffered' })
    expect(log.offer(one[3]!)).toEqual({ status: 'buffered' })
    expect(log.offer(one[4]!)).toMatchObject({ ok: false, reason: 'buffer-full' })
    expect(log.offer(two[3]!)).toEqual({ status: 'buffered' })
    expect(log.offer(two[4]!)).toMatchObject({ ok: false, reason: 'buffer-full' })
    expect(log.earlyCount).toBe(3)
  })

  it('early entries of feeds that have not begun share a small quota, the oldest making way', async () => {
    const log = new FeedLog({ perFeed: 4, total: 6, totalBytes: 1 << 20, strangers: 2, strangerBytes: 1 << 10 })
    const member = await chain(6)
    log.offer(member[0]!)
    // Made-up devices, each with an entry far ahead: only the two newest are kept, and the feeds of
    // those that made way are forgotten whole.
    const strangers = await Promise.all([1, 2, 3, 4, 5].map(() => chain(4)))
    for (const made of strangers) expect(log.offer(made[3]!)).toEqual({ status: 'buffered' })
    expect(log.strangerCount).toBe(2)
    expect(log.gap(strangers[0]![0]!.feedId)).toBeUndefined()
    expect(log.gap(strangers[4]![0]!.feedId)).toEqual({ feed: strangers[4]![0]!.feedId, from: 0, to: 2 })
    // A member's early entries still find room beside them.
    for (const early of member.slice(2, 6)) expect(log.offer(early)).toEqual({ status: 'buffered' })
    expect(log.earlyCount).toBe(6)
    // A stranger whose feed begins is a member: its entries drain, and leave the strangers' quota.
    const begun = strangers[4]!
    for (const entry of begun.slice(0, 2)) log.offer(entry)
    expect(log.offer(begun[2]!)).toMatchObject({ status: 'appended', entries: [begun[2], begun[3]] })
    expect([log.strangerCount, log.earlyCount]).toEqual([1, 5])
    expect(log.missing(member[0]!.feedId, 5)).toEqual({ feed: member[0]!.feedId, from: 1, to: 5 })
    expect(log.missing(member[0]!.feedId, 0)).toBeUndefined()
  })

  it('a stranger sending more while the quota is full loses its own oldest entry to nobody: others make way', async () => {
    const log = new FeedLog({ perFeed: 4, total: 8, totalBytes: 1 << 20, strangers: 2, strangerBytes: 1 << 10 })
    const [first, second, third] = await Promise.all([chain(5), chain(5), chain(5)])
    log.offer(first[3]!)
    log.offer(second[3]!)
    // The oldest stranger sends another: the other stranger makes way, and its feed is forgotten.
    expect(log.offer(first[4]!)).toEqual({ status: 'buffered' })
    expect(log.gap(first[0]!.feedId)).toEqual({ feed: first[0]!.feedId, from: 0, to: 2 })
    expect(log.gap(second[0]!.feedId)).toBeUndefined()
    expect([log.strangerCount, log.earlyCount]).toEqual([2, 2])
    // A feed that holds the whole quota itself cannot push its own entries out.
    expect(log.offer(first[2]!)).toMatchObject({ ok: false, reason: 'buffer-full' })
    expect(log.offer(third[4]!)).toEqual({ status: 'buffered' })
    expect([log.strangerCount, log.earlyCount]).toEqual([2, 2])
    // Each begins: everything drains, and nothing is left counted.
    for (const feed of [first, third]) for (const entry of feed) log.offer(entry)
    expect([log.strangerCount, log.earlyCount]).toEqual([0, 0])
  })

  it('strangers fill only their own bytes, however big their entries: members’ early entries keep their part', async () => {
    const log = new FeedLog({ perFeed: 4, total: 8, totalBytes: 1 << 20, strangers: 4, strangerBytes: 2 * 1024 })
    const big = async () => {
      const device = newSigningKeyPair(random)
      const entry = await signEntry(ed, device.secretKey, { topic, feed: device.publicKey, seq: 3, prev: ZERO_HASH, timestamp: 1, nonce: random(24), ciphertext: new Uint8Array(1000) })
      return entry
    }
    for (let i = 0; i < 6; i++) expect(log.offer(await big())).toEqual({ status: 'buffered' })
    expect(log.strangerCount).toBe(1)
    const member = await chain(4)
    log.offer(member[0]!)
    for (const early of member.slice(2)) expect(log.offer(early)).toEqual({ status: 'buffered' })
  })

  it('a buffered entry that does not chain is dropped when its turn comes, not applied', async () => {
    const device = newSigningKeyPair(random)
    const [a, b] = await chain(3, device)
    const other = await chain(3, device, 1)
    const log = new FeedLog()
    log.offer(other[2]!) // seq 2 of a different history: waits
    log.offer(a!)
    const outcome = log.offer(b!)
    expect(outcome).toMatchObject({ status: 'appended', dropped: [{ reason: 'prev-mismatch' }] })
    if ('status' in outcome && outcome.status === 'appended') expect(outcome.entries).toHaveLength(1)
  })
})
