import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { toHex, utf8 } from '../../../src/core/bytes'
import { tweetnaclEd25519 } from '../../../src/core/ed25519'
import { signEntry } from '../../../src/core/entry'
import { sealPayload } from '../../../src/core/payload'
import { seededRandom } from '../../../src/core/random'
import type { CircleReplica } from '../../../src/circle/replica'
import { SEND_WINDOW, encodeMessage, readMessage, type SyncMessage } from '../../../src/net/sync-messages'
import { ASK_AGAIN_MS, SyncSession, type SyncReplica } from '../../../src/net/sync-session'
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
  const storages = [founder.storage]
  for (let i = 1; i < count; i++) {
    const other = await newTestDevice(`Member ${i}`, seed + i)
    closers.push(() => other.device.close())
    await other.device.joinCircle(circle)
    replicas.push(await other.device.openCircle(circle.id))
    storages.push(other.storage)
  }
  return { circle, replicas, storages }
}

function session(replica: CircleReplica, circleKey: Uint8Array, local: string, remote: string, initiator: boolean, seed: number) {
  return new SyncSession({ replica, circleKey, localPeer: utf8(local), remotePeer: utf8(remote), random: seededRandom(seed), initiator })
}

/**
 * Delivers every message through the codec, in order, until both sides are quiet; each side sends
 * through its send window (`pace`), as a channel does. `first` is a's, not yet paced unless said.
 */
async function converse(a: SyncSession, b: SyncSession, first: SyncMessage[] = a.start(), { paced = false } = {}) {
  const queue: Array<{ to: SyncSession; message: SyncMessage }> = (paced ? first : a.pace(first)).map((message) => ({ to: b, message }))
  const closed: string[] = []
  while (queue.length > 0) {
    const { to, message } = queue.shift()!
    const decoded = readMessage(encodeMessage(message))
    if (!decoded.ok) throw new Error(`codec failed: ${decoded.reason}`)
    const step = await to.receive(decoded.value)
    if (step.closed) closed.push(step.closed)
    for (const reply of to.pace(step.send)) queue.push({ to: to === a ? b : a, message: reply })
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

  it('blames a member’s garbage on the member: the peer that only passed it on is not struck', async () => {
    const { circle, replicas, storages } = await members(3, 300)
    const [a, b, c] = replicas as [CircleReplica, CircleReplica, CircleReplica]
    const strict = (replica: CircleReplica, local: string, remote: string, initiator: boolean, seed: number) =>
      new SyncSession({ replica, circleKey: circle.key, localPeer: utf8(local), remotePeer: utf8(remote), random: seededRandom(seed), initiator, strikes: 1 })
    // C writes the next entry of its own feed, validly signed and chained, with a garbage Yjs update.
    const secret = (await storages[2]!.records.getDevice())!.deviceSecret
    const feed = toHex(secret.slice(32))
    const head = c.heads().get(feed)!
    const [last] = await storages[2]!.entries.getRange(c.topicHex, feed, head, head)
    const nonce = new Uint8Array(24).fill(7)
    const garbage = await signEntry(tweetnaclEd25519, secret, {
      topic: c.topic, feed: secret.slice(32), seq: head + 1, prev: last!.hash, timestamp: 1, nonce,
      ciphertext: sealPayload(circle.key, nonce, { type: 'update', update: new Uint8Array([255, 255, 255, 1, 2, 3]) }),
    })
    await c.ingest([garbage.bytes]).catch(() => undefined)
    const fromC = strict(c, 'peer-c', 'peer-a', true, 41)
    const atA = strict(a, 'peer-a', 'peer-c', false, 42)
    // C's own session: its garbage counts against it, and one strike is the limit here.
    expect(await converse(fromC, atA)).toContain('misbehaving')
    expect(atA.stats.rejected.get('bad-update')).toBe(1)
    // A stored it (the feed's chain runs through it) and serves it to B: not A's fault.
    expect(a.heads().get(feed)).toBe(head + 1)
    const fromA = strict(a, 'peer-a', 'peer-b', true, 43)
    const atB = strict(b, 'peer-b', 'peer-a', false, 44)
    expect(await converse(fromA, atB)).toEqual([])
    expect(atB.stats.rejected.get('bad-update')).toBe(1)
    expect(atB.state).toBe('syncing')
    expect(fromA.upToDate && atB.upToDate).toBe(true)
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

  it('keeps at most SEND_WINDOW entries messages unacknowledged; acks and `have`s never wait behind them', async () => {
    const { circle, replicas } = await members(2, 500)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 18)
    const sb = session(b, circle.key, 'peer-b', 'peer-a', false, 19)
    await converse(sa, sb)
    const rng = seededRandom(20)
    const written: Uint8Array[] = []
    const stop = a.subscribeEntries((record) => written.push(record.bytes))
    for (let i = 0; i < SEND_WINDOW + 2; i++) await a.addOffer(randomOfferDraft(rng))
    stop()
    // Pushed one by one: a message each, of which SEND_WINDOW go out and two wait for acks.
    const sent = written.flatMap((entry) => sa.pace(sa.push([entry])))
    expect(sent).toHaveLength(SEND_WINDOW)
    expect(sa.pace(sa.announce()).map((message) => message.type)).toEqual(['have'])
    // B handles the first and acks it: the next one goes.
    const first = await sb.receive(sent[0]!)
    expect(first.send.map((message) => message.type)).toContain('ack')
    const released = sa.pace((await sa.receive({ type: 'ack' })).send)
    expect(released).toHaveLength(1)
    expect(released[0]!.type).toBe('runs')
    // Everything arrives in the end, in order, each ack releasing the last one that waits.
    for (const message of [...sent.slice(1), ...released]) await converse(sa, sb, [message], { paced: true })
    expect(b.view().offers).toEqual(a.view().offers)
    expect(b.heads()).toEqual(a.heads())
  })

  it('asks the sender for what an entry that came ahead of its feed waits for, and then has it all', async () => {
    const { circle, replicas } = await members(2, 400)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    const rng = seededRandom(15)
    await a.addOffer(randomOfferDraft(rng))
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 16)
    const sb = session(b, circle.key, 'peer-b', 'peer-a', false, 17)
    await converse(sa, sb)
    // Three more of A's entries, of which only the last reaches B (as gossip or a push might).
    const written: Uint8Array[] = []
    const stop = a.subscribeEntries((record) => written.push(record.bytes))
    for (let i = 0; i < 3; i++) await a.addOffer(randomOfferDraft(rng))
    stop()
    const step = await sb.receive({ type: 'entries', entries: [written[2]!] })
    const want = step.send.find((message) => message.type === 'want')
    const feed = [...a.heads().keys()].find((candidate) => a.heads().get(candidate) === b.heads().get(candidate)! + 3)!
    expect(want).toMatchObject({ type: 'want', from: b.heads().get(feed)! + 1, to: b.heads().get(feed)! + 2 })
    // The same gap is not asked twice; A's answer fills it and the waiting entry follows.
    expect(sb.ask([{ feed, from: b.heads().get(feed)! + 1, to: b.heads().get(feed)! + 2 }])).toEqual([])
    await converse(sb, sa, step.send)
    expect(b.heads().get(feed)).toBe(a.heads().get(feed))
    expect(b.view().offers).toEqual(a.view().offers)
  })

  it('does not ask again while the answer is coming, asks for the next part once it came, and again if none comes', async () => {
    const { circle, replicas } = await members(2, 410)
    const [a, b] = replicas as [CircleReplica, CircleReplica]
    let now = 0
    const sa = session(a, circle.key, 'peer-a', 'peer-b', true, 18)
    const sb = new SyncSession({ replica: b, circleKey: circle.key, localPeer: utf8('peer-b'), remotePeer: utf8('peer-a'), random: seededRandom(19), initiator: false, now: () => now })
    await converse(sa, sb)
    const feed = 'ab'.repeat(32)
    const wanted = (gap: { from: number; to: number }) => sb.ask([{ feed, ...gap }]).map((message) => message.type === 'want' && [message.from, message.to])
    expect(wanted({ from: 0, to: 1999 })).toEqual([[0, 1999]])
    // Entries of the answer arrive: what is still missing starts inside what the answer brings.
    expect(wanted({ from: 600, to: 1999 })).toEqual([])
    // An answer brings MESSAGE_LIMITS.wanted (1,024) entries at most: the rest is asked for once it came.
    expect(wanted({ from: 1024, to: 1999 })).toEqual([[1024, 1999]])
    expect(wanted({ from: 1500, to: 1999 })).toEqual([])
    // No answer within ASK_AGAIN_MS (the peer may have had no room for the ask): asked again.
    now += ASK_AGAIN_MS
    expect(wanted({ from: 1500, to: 1999 })).toEqual([[1500, 1999]])
  })
})
