import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { utf8 } from '../../../src/core/bytes'
import { seededRandom } from '../../../src/core/random'
import type { CircleReplica } from '../../../src/circle/replica'
import { encodeMessage, readMessage, type SyncMessage } from '../../../src/net/sync-messages'
import { SyncSession, type SyncReplica } from '../../../src/net/sync-session'
import { newTestDevice } from '../../support/circle-fixtures'
import { randomOfferDraft } from '../../support/drafts'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function members(count: number, seed = 100) {
  const founder = await newTestDevice('Founder', seed)
  closers.push(() => founder.device.close())
  const circle = await founder.device.createCircle({ name: 'Elm Street', description: '' })
  const replicas: CircleReplica[] = [await founder.device.openCircle(circle.id)]
  for (let i = 1; i < count; i++) {
    const other = await newTestDevice(`Member ${i}`, seed + i)
    closers.push(() => other.device.close())
    await other.device.joinCircle(circle)
    replicas.push(await other.device.openCircle(circle.id))
  }
  return { circle, replicas }
}

function session(replica: CircleReplica, circleKey: Uint8Array, local: string, remote: string, initiator: boolean, seed: number) {
  return new SyncSession({ replica, circleKey, localPeer: utf8(local), remotePeer: utf8(remote), random: seededRandom(seed), initiator })
}

/** Delivers every message through the codec, in order, until both sides are quiet. */
async function converse(a: SyncSession, b: SyncSession, first: SyncMessage[] = a.start()) {
  const queue: Array<{ to: SyncSession; message: SyncMessage }> = first.map((message) => ({ to: b, message }))
  const closed: string[] = []
  while (queue.length > 0) {
    const { to, message } = queue.shift()!
    const decoded = readMessage(encodeMessage(message))
    if (!decoded.ok) throw new Error(`codec failed: ${decoded.reason}`)
    const step = await to.receive(decoded.value)
    if (step.closed) closed.push(step.closed)
    for (const reply of step.send) queue.push({ to: to === a ? b : a, message: reply })
  }
  return closed
}

describe('sync sessions between real replicas', () => {
  it('prove the key, then exchange what each lacks, both ways, and agree they are up to date', async () => {
    const { circle, replicas } = await members(2)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    const rng = seededRandom(1)
    for (let i = 0; i < 30; i++) await a.addOffer(randomOfferDraft(rng))
    for (let i = 0; i < 10; i++) await b.addOffer(randomOfferDraft(rng))
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 1)
    const sb = session(b, circle.key, 'peer-b', 'peer-a', false, 2)
    expect(await converse(sa, sb)).toEqual([])
    expect(a.view().offers).toHaveLength(40)
    expect(b.view().offers).toEqual(a.view().offers)
    expect(sa.upToDate && sb.upToDate).toBe(true)
    expect(sa.stats.rejected.size + sb.stats.rejected.size).toBe(0)

    // Live: a new offer is pushed to the peer already in sync.
    let pushed: Uint8Array[] = []
    const stop = a.subscribeEntries((record) => pushed.push(record.bytes))
    await a.addOffer(randomOfferDraft(rng))
    stop()
    expect(sa.upToDate).toBe(false)
    await converse(sa, sb, sa.push(pushed))
    expect(b.view().offers).toHaveLength(41)
    // B acked what it stored (`have`), so A knows B holds the entry; B counts nothing it was merely
    // sent as held by A, until A says what it has stored.
    expect(sa.upToDate).toBe(true)
    expect(sb.upToDate).toBe(false)
    await converse(sa, sb, sa.announce())
    expect(sb.upToDate).toBe(true)
    // Nothing grew since: no message.
    expect(sa.announce()).toEqual([])
    pushed = []
  })

  it('names itself as the origin of what it ingests, and pushes nothing the peer said it holds', async () => {
    const { circle, replicas } = await members(3)
    const [a, b, c] = replicas as [CircleReplica, CircleReplica, CircleReplica]
    const rng = seededRandom(2)
    const ab = session(a, circle.key, 'peer-a', 'peer-b', true, 1)
    const ba = session(b, circle.key, 'peer-b', 'peer-a', false, 2)
    expect(await converse(ab, ba)).toEqual([])
    const passedOn: Array<{ own: boolean; origin: object | undefined }> = []
    const stop = b.subscribeEntries((_, own, origin) => passedOn.push({ own, origin }))
    const written: Uint8Array[] = []
    const stopA = a.subscribeEntries((record, own) => own && written.push(record.bytes))
    await a.addOffer(randomOfferDraft(rng))
    stopA()

    // A's live edit reaches B through B's session with A, which B's entry listeners are told.
    await converse(ab, ba, ab.push(written))
    expect(passedOn).toEqual([{ own: false, origin: ba }])
    // Once A said it holds the entry (`have`), nothing of its feed is pushed to A.
    await converse(ab, ba, ab.announce())
    const aFeed = [...a.heads().keys()].find((feed) => a.memberOfDevice(feed) === a.me)!
    const sentBefore = ba.stats.sent
    expect(ba.push(written)).toEqual([])
    expect(ba.push(await b.range(aFeed, 0, 10))).toEqual([])
    expect(ba.stats.sent).toBe(sentBefore)

    // B's own edit, and C's entries that reach B from elsewhere (no origin), do go to A.
    passedOn.length = 0
    await b.addOffer(randomOfferDraft(rng))
    const cFeed = [...c.heads().keys()].find((feed) => c.memberOfDevice(feed) === c.me)!
    const fromC = await c.range(cFeed, 0, 10)
    await b.ingest(fromC)
    stop()
    expect(passedOn).toEqual([{ own: true, origin: undefined }, ...fromC.map(() => ({ own: false, origin: undefined }))])
    const bFeed = [...b.heads().keys()].find((feed) => b.memberOfDevice(feed) === b.me)!
    const ownB = await b.range(bFeed, b.heads().get(bFeed)!, b.heads().get(bFeed)!)
    expect(ba.push(ownB)).toHaveLength(1)
    expect(ba.push(fromC).length).toBeGreaterThan(0)
    expect(ba.stats.sent).toBe(sentBefore + 1 + fromC.length)
  })

  it('each side learns whose device the other is; a claim replayed from another session names nobody', async () => {
    const { circle, replicas } = await members(2)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    const claims: Array<{ feed: Uint8Array; signature: Uint8Array }> = []
    const recording: SyncReplica = {
      topic: a.topic,
      heads: () => a.heads(),
      range: (feed, from, to) => a.range(feed, from, to),
      ingest: (batch) => a.ingest(batch),
      signDevice: async (context) => {
        const claim = await a.signDevice(context)
        claims.push(claim)
        return claim
      },
    }
    const sa = new SyncSession({ replica: recording, circleKey: circle.key, localPeer: utf8('peer-a'), remotePeer: utf8('peer-b'), random: seededRandom(31), initiator: true })
    const sb = session(b, circle.key, 'peer-b', 'peer-a', false, 32)
    await converse(sa, sb)
    expect(sb.remoteMember).toBe(a.me)
    // A's wrapper cannot check claims: B stays unnamed to it, and the sync did not mind.
    expect(sa.remoteMember).toBeUndefined()
    expect(sa.upToDate && sb.upToDate).toBe(true)

    // The same signed claim, replayed into a new session (new nonces): it does not verify.
    const replay: SyncReplica = { ...recording, signDevice: async () => claims[0]! }
    const sa2 = new SyncSession({ replica: replay, circleKey: circle.key, localPeer: utf8('peer-a'), remotePeer: utf8('peer-b'), random: seededRandom(33), initiator: true })
    const sb2 = session(b, circle.key, 'peer-b', 'peer-a', false, 34)
    await converse(sa2, sb2)
    expect(sb2.state).toBe('syncing')
    expect(sb2.remoteMember).toBeUndefined()
    // Both real replicas name each other.
    const sa3 = session(a, circle.key, 'peer-a', 'peer-b', true, 35)
    const sb3 = session(b, circle.key, 'peer-b', 'peer-a', false, 36)
    await converse(sa3, sb3)
    expect([sa3.remoteMember, sb3.remoteMember]).toEqual([b.me, a.me])
  })

  it('a peer without the circle key is dropped before any entry moves', async () => {
    const { circle, replicas } = await members(2)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    await a.addOffer(randomOfferDraft(seededRandom(2)))
    const before = b.view().offers.length
    const wrongKey = circle.key.map((byte) => byte ^ 1)
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 3)
    const sb = session(b, wrongKey, 'peer-b', 'peer-a', false, 4)
    const closed = await converse(sa, sb)
    expect(closed).toContain('bad-proof')
    expect(sa.stats.sent + sb.stats.sent).toBe(0)
    expect(b.view().offers).toHaveLength(before)
  })

  it('a proof is bound to both peer ids: one made for another connection fails', async () => {
    const { circle, replicas } = await members(2)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    // B believes it talks to "mallory"; A proves itself as "peer-a" to "peer-b".
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 5)
    const sb = session(b, circle.key, 'peer-b', 'mallory', false, 6)
    expect(await converse(sa, sb)).toContain('bad-proof')
    expect(sb.state).toBe('closed')
  })

  it('a peer for another circle is told so and closed', async () => {
    const first = await members(1)
    const second = await members(1, 200)
    const sa = session(first.replicas[0]!, first.circle.key, 'a', 'b', true, 7)
    const sb = session(second.replicas[0]!, second.circle.key, 'b', 'a', false, 8)
    expect(await converse(sa, sb)).toContain('unknown-topic')
  })

  it('a proven peer that keeps sending garbage is dropped as misbehaving', async () => {
    const { circle, replicas } = await members(2)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 9)
    const sb = session(b, circle.key, 'peer-b', 'peer-a', false, 10)
    await converse(sa, sb)
    const rng = seededRandom(11)
    const garbage: SyncMessage = { type: 'entries', entries: Array.from({ length: 25 }, () => rng(200)) }
    const step = await sb.receive(garbage)
    expect(step.closed).toBe('misbehaving')
    expect(sb.stats.rejected.get('malformed')).toBe(25)
  })

  it('answers a range request with just that range, and ignores one for a feed it does not have', async () => {
    const { circle, replicas } = await members(2)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    const rng = seededRandom(12)
    for (let i = 0; i < 5; i++) await a.addOffer(randomOfferDraft(rng))
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 13)
    const sb = session(b, circle.key, 'peer-b', 'peer-a', false, 14)
    await converse(sa, sb)
    const [feed] = [...a.heads()].find(([f]) => f)!
    const reply = await sa.receive({ type: 'want', feed: Uint8Array.from(Buffer.from(feed, 'hex')), from: 2, to: 3 })
    // One compact run of the two entries, from seq 2.
    expect(reply.send).toHaveLength(1)
    const [message] = reply.send
    expect(message?.type === 'runs' && message.runs.map((run) => [run.seq, run.items.length])).toEqual([[2, 2]])
    expect((await sa.receive({ type: 'want', feed: new Uint8Array(32), from: 0, to: 10 })).send).toEqual([])
  })
})
