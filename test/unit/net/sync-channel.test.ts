/**
 * The sync session over a real libp2p stream: two Node libp2p nodes connected over loopback
 * WebSockets (noise, yamux), a real replica at each end.
 */
import 'fake-indexeddb/auto'
import type { Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { loopbackNode } from '../../support/loopback-node'
import { seededRandom } from '../../../src/core/random'
import type { CircleReplica } from '../../../src/circle/replica'
import { SyncChannel } from '../../../src/net/sync-channel'
import { SYNC_PROTOCOL } from '../../../src/net/sync-messages'
import { SyncSession, type SyncReplica } from '../../../src/net/sync-session'
import { newTestDevice } from '../../support/circle-fixtures'
import { randomOfferDraft } from '../../support/drafts'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function node(): Promise<Libp2p> {
  return loopbackNode(cleanups)
}

/** Ana's new circle with Ben joined, and both their replicas of it, open. */
async function twoMembers(seedAna: number, seedBen: number) {
  const ana = await newTestDevice('Ana', seedAna)
  const ben = await newTestDevice('Ben', seedBen)
  cleanups.push(() => ana.device.close(), () => ben.device.close())
  const circle = await ana.device.createCircle({ name: 'Elm Street', description: '' })
  await ben.device.joinCircle(circle)
  const a: CircleReplica = await ana.device.openCircle(circle.id)
  const b: CircleReplica = await ben.device.openCircle(circle.id)
  return { circle, a, b }
}

describe('sync over a libp2p stream', () => {
  it('two members converge over a real connection, then live entries follow', async () => {
    const { circle, a, b } = await twoMembers(301, 302)
    const rng = seededRandom(3)
    for (let i = 0; i < 300; i++) await a.addOffer(randomOfferDraft(rng))
    for (let i = 0; i < 20; i++) await b.addOffer(randomOfferDraft(rng))

    const [nodeA, nodeB] = [await node(), await node()]
    const accepted: SyncChannel[] = []
    await nodeB.handle(SYNC_PROTOCOL, (stream, connection) => {
      accepted.push(
        SyncChannel.accept(stream, (hello) =>
          hello.type === 'hello'
            ? new SyncSession({ replica: b, circleKey: circle.key, localPeer: nodeB.peerId.toMultihash().bytes, remotePeer: connection.remotePeer.toMultihash().bytes, random: seededRandom(5), initiator: false })
            : undefined,
        ),
      )
    })
    const stream = await nodeA.dialProtocol(nodeB.getMultiaddrs()[0]!, SYNC_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    const session = new SyncSession({ replica: a, circleKey: circle.key, localPeer: nodeA.peerId.toMultihash().bytes, remotePeer: nodeB.peerId.toMultihash().bytes, random: seededRandom(4), initiator: true })
    const channel = SyncChannel.open(stream, session)

    await expect.poll(() => session.upToDate && accepted[0]?.session?.upToDate, { timeout: 20_000 }).toBe(true)
    expect(b.view().offers).toHaveLength(320)
    expect(a.view().offers).toEqual(b.view().offers)

    const live: Uint8Array[] = []
    b.subscribeEntries((record) => live.push(record.bytes))
    const before = live.length
    await b.addOffer({ ...randomOfferDraft(rng), title: 'Live canary offer' })
    await accepted[0]!.push(live.slice(before))
    await expect.poll(() => a.view().offers.some((offer) => offer.title === 'Live canary offer'), { timeout: 10_000 }).toBe(true)

    await stream.close()
    expect(await channel.done).toBe('stream-ended')
  }, 120_000)

  it('cuts off a peer that sends more than the send window allows while the receiver is busy', async () => {
    const { circle, a, b } = await twoMembers(321, 322)
    // Ben is busy right after the key proof (his device claim is slow to sign): nothing he
    // receives meanwhile is handled.
    let release!: () => void
    const busy = new Promise<void>((done) => (release = done))
    cleanups.push(async () => release())
    const slowBen: SyncReplica = { topic: b.topic, heads: () => b.heads(), range: (...args) => b.range(...args), ingest: (...args) => b.ingest(...args), signDevice: async (context) => (await busy, b.signDevice(context)) }
    const [nodeA, nodeB] = [await node(), await node()]
    let accepted: SyncChannel | undefined
    let atBen: Stream | undefined
    await nodeB.handle(SYNC_PROTOCOL, (stream, connection) => {
      atBen = stream
      accepted = SyncChannel.accept(stream, () =>
        new SyncSession({ replica: slowBen, circleKey: circle.key, localPeer: nodeB.peerId.toMultihash().bytes, remotePeer: connection.remotePeer.toMultihash().bytes, random: seededRandom(9), initiator: false }),
      )
    })
    const stream = await nodeA.dialProtocol(nodeB.getMultiaddrs()[0]!, SYNC_PROTOCOL)
    const session = new SyncSession({ replica: a, circleKey: circle.key, localPeer: nodeA.peerId.toMultihash().bytes, remotePeer: nodeB.peerId.toMultihash().bytes, random: seededRandom(10), initiator: true })
    const channel = SyncChannel.open(stream, session)
    await expect.poll(() => session.state, { timeout: 10_000 }).toBe('syncing')
    // Then Ana ignores the window: 12 MiB in one go, far more than SEND_WINDOW messages can hold.
    for (let i = 0; i < 12; i++) stream.send(new Uint8Array(1 << 20).fill(i))
    // Cut off as the bytes arrive, while Ben is still busy; his session sees it once it is free.
    await expect.poll(() => atBen?.status, { timeout: 20_000 }).toBe('aborted')
    release()
    expect(await accepted!.done).toBe('misbehaving')
    expect(['aborted', 'stream-ended', 'remote-error']).toContain(await channel.done)
  }, 60_000)

  it('a peer with the wrong key is told so and the stream ends with nothing exchanged', async () => {
    const ana = await newTestDevice('Ana', 311)
    const eve = await newTestDevice('Eve', 312)
    cleanups.push(() => ana.device.close(), () => eve.device.close())
    const circle = await ana.device.createCircle({ name: 'Elm Street', description: '' })
    const wrongKey = circle.key.map((byte) => byte ^ 0xff)
    await eve.device.joinCircle({ ...circle, key: wrongKey })
    const a = await ana.device.openCircle(circle.id)
    const e = await eve.device.openCircle(circle.id)
    await a.addOffer(randomOfferDraft(seededRandom(6)))
    const [nodeA, nodeE] = [await node(), await node()]
    let accepted: SyncChannel | undefined
    await nodeA.handle(SYNC_PROTOCOL, (stream, connection) => {
      accepted = SyncChannel.accept(stream, () =>
        new SyncSession({ replica: a, circleKey: circle.key, localPeer: nodeA.peerId.toMultihash().bytes, remotePeer: connection.remotePeer.toMultihash().bytes, random: seededRandom(7), initiator: false }),
      )
    })
    // Eve's topic differs (it is derived from the key too), so Ana does not even get to proofs.
    const stream = await nodeE.dialProtocol(nodeA.getMultiaddrs()[0]!, SYNC_PROTOCOL)
    const session = new SyncSession({ replica: e, circleKey: wrongKey, localPeer: nodeE.peerId.toMultihash().bytes, remotePeer: nodeA.peerId.toMultihash().bytes, random: seededRandom(8), initiator: true })
    const end = await SyncChannel.open(stream, session).done
    expect(['unknown-topic', 'stream-ended']).toContain(end)
    expect(await accepted!.done).toBe('unknown-topic')
    expect(e.view().offers).toHaveLength(0)
  })
})
