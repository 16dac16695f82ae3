/**
 * Verifying by hash chain: one signature per chained run when the run is good, every entry named on
 * its own when it is not. Real entries, real WebCrypto signatures; `verified` counts the signatures
 * the code actually checked.
 */
import { describe, expect, it } from 'vitest'
import { tweetnaclEd25519, webCryptoEd25519 } from '../../../src/core/ed25519'
import { type Entry, ZERO_HASH, decodeEntry, signEntry } from '../../../src/core/entry'
import { chainedRuns, verifyChained } from '../../../src/core/entry-chain'
import { FeedLog } from '../../../src/core/feed'
import { newSigningKeyPair } from '../../../src/core/keys'
import { seededRandom } from '../../../src/core/random'

const ed = webCryptoEd25519(globalThis.crypto.subtle)
const random = seededRandom(31)
const topic = random(32)

async function next(device: ReturnType<typeof newSigningKeyPair>, previous: Entry | undefined, tag = 0): Promise<Entry> {
  return signEntry(ed, device.secretKey, {
    topic,
    feed: device.publicKey,
    seq: previous ? previous.seq + 1 : 0,
    prev: previous?.hash ?? ZERO_HASH,
    timestamp: 1000,
    nonce: random(24),
    ciphertext: new Uint8Array([tag, previous ? previous.seq + 1 : 0]),
  })
}

async function chain(length: number, device = newSigningKeyPair(random), from?: Entry, tag = 0): Promise<Entry[]> {
  const entries: Entry[] = []
  let last = from
  for (let i = 0; i < length; i++) entries.push((last = await next(device, last, tag)))
  return entries
}

/** The same entry with its signature replaced: it decodes, and its hash changes. */
function forged(entry: Entry): Entry {
  const bytes = entry.bytes.slice()
  bytes.set(random(64), bytes.length - 64)
  const decoded = decodeEntry(bytes)
  if (!decoded.ok) throw new Error('forged entry did not decode')
  return decoded.value
}

describe('verifying by hash chain', () => {
  it('a good chain costs one signature, however long', async () => {
    const entries = await chain(12)
    expect(chainedRuns(entries)).toEqual([entries.map((_, index) => index)])
    expect(await verifyChained(ed, entries)).toEqual({ authentic: entries.map(() => true), verified: 1 })
  })

  it('a bad entry in the middle: the good prefix and the run after it pass, the bad one alone fails', async () => {
    const entries = await chain(10)
    const batch = [...entries.slice(0, 5), forged(entries[5]!), ...entries.slice(6)]
    // The forged entry's hash differs, so the chain breaks after it: two runs.
    expect(chainedRuns(batch).map((run) => run.length)).toEqual([6, 4])
    const result = await verifyChained(ed, batch)
    expect(result.authentic).toEqual([true, true, true, true, true, false, true, true, true, true])
    // Run one: its newest (the forged one), then each of the five before it; run two: its newest.
    expect(result.verified).toBe(7)
  })

  it('a bad newest signature: nothing is taken on trust, every entry is checked and only it fails', async () => {
    const entries = await chain(8)
    const batch = [...entries.slice(0, 7), forged(entries[7]!)]
    const result = await verifyChained(ed, batch)
    expect(result.authentic).toEqual([true, true, true, true, true, true, true, false])
    expect(result.verified).toBe(8)
  })

  it('an entry signed by a stranger but chained onto a real feed is not authenticated by the feed', async () => {
    const device = newSigningKeyPair(random)
    const entries = await chain(3, device)
    // Claims the feed (its public key) and chains correctly, but the signature is the stranger's
    // (tweetnacl signs with the seed it is given; WebCrypto's key cache would find the real key).
    const stranger = newSigningKeyPair(random)
    const claimed = await signEntry(tweetnaclEd25519, new Uint8Array([...stranger.secretKey.slice(0, 32), ...device.publicKey]), {
      topic,
      feed: device.publicKey,
      seq: 3,
      prev: entries[2]!.hash,
      timestamp: 1,
      nonce: random(24),
      ciphertext: new Uint8Array([9]),
    })
    const result = await verifyChained(ed, [...entries, claimed])
    expect(result.authentic).toEqual([true, true, true, false])
  })

  it('another feed naming an entry by hash does not vouch for it: runs never cross feeds', async () => {
    const a = await chain(2)
    const bad = forged(a[1]!)
    // Feed B's entry at the next seq whose prev is the forged entry's hash, validly signed by B.
    const b = newSigningKeyPair(random)
    const crossing = await signEntry(ed, b.secretKey, { topic, feed: b.publicKey, seq: 2, prev: bad.hash, timestamp: 1, nonce: random(24), ciphertext: new Uint8Array([1]) })
    expect(chainedRuns([a[0]!, bad, crossing])).toEqual([[0, 1], [2]])
    expect((await verifyChained(ed, [a[0]!, bad, crossing])).authentic).toEqual([true, false, true])
  })

  it('a gap splits the run: both halves are authentic, and the feed buffers the later one', async () => {
    const entries = await chain(9)
    const batch = [...entries.slice(0, 4), ...entries.slice(5)]
    expect(chainedRuns(batch).map((run) => run.length)).toEqual([4, 4])
    expect(await verifyChained(ed, batch)).toEqual({ authentic: batch.map(() => true), verified: 2 })
    const feed = new FeedLog()
    const outcomes = batch.map((entry) => feed.offer(entry))
    expect(outcomes.map((outcome) => ('status' in outcome ? outcome.status : outcome.reason))).toEqual([
      'appended', 'appended', 'appended', 'appended', 'buffered', 'buffered', 'buffered', 'buffered',
    ])
  })

  it('a fork: a second validly chained branch is authentic on its own signature, and the feed freezes', async () => {
    const device = newSigningKeyPair(random)
    const trunk = await chain(6, device)
    const branch = await chain(2, device, trunk[2], 1)
    const batch = [...trunk, ...branch]
    expect(chainedRuns(batch).map((run) => run.length)).toEqual([6, 2])
    expect(await verifyChained(ed, batch)).toEqual({ authentic: batch.map(() => true), verified: 2 })
    const feed = new FeedLog()
    const reasons = batch.map((entry) => {
      const outcome = feed.offer(entry)
      return 'status' in outcome ? outcome.status : outcome.reason
    })
    expect(reasons.slice(6)).toEqual(['fork', 'frozen'])
    expect(feed.isFrozen(trunk[0]!.feedId)).toBe(true)
  })

  it('an empty batch verifies nothing', async () => {
    expect(await verifyChained(ed, [])).toEqual({ authentic: [], verified: 0 })
  })
})
