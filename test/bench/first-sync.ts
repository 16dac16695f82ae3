/**
 * First sync of a whole circle between two peers: a member holding every entry and a newcomer
 * holding none, each a real Device and replica (fake-indexeddb) on its own libp2p node, connected
 * over loopback WebSockets (WebRTC needs the test namespace). Measures the time until both sessions
 * say "up to date", and the bytes the holder put on the wire (frames included) against the Yjs
 * encoding of the same data; the entries' own canonical size is reported beside it.
 */
import 'fake-indexeddb/auto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { Device } from '../../src/circle/device'
import { seededRandom } from '../../src/core/random'
import { SyncChannel } from '../../src/net/sync-channel'
import { SYNC_PROTOCOL } from '../../src/net/sync-messages'
import { SyncSession } from '../../src/net/sync-session'
import { newTestDevice } from '../support/circle-fixtures'
import type { SyntheticCircle } from '../support/synthetic-circle'

export interface FirstSyncResult {
  ms: number
  offers: number
  /** The entries' canonical bytes, as stored. */
  entryBytes: number
  /** What the holder's side of the stream sent, frames and protocol messages included. */
  wireBytes: number
  yjsBytes: number
}

export async function measureFirstSync(synthetic: SyntheticCircle, seed: number): Promise<FirstSyncResult> {
  const holder = await newTestDevice('Holder', seed)
  const newcomer = await newTestDevice('Newcomer', seed + 1)
  await holder.device.joinCircle(synthetic.circle)
  await newcomer.device.joinCircle(synthetic.circle)
  const filling = await holder.device.openCircle(synthetic.circle.id)
  for (let at = 0; at < synthetic.entries.length; at += 1000) await filling.ingest(synthetic.entries.slice(at, at + 1000))
  // The holder stands for a member who has had the circle for a while: it opens it afresh, from the
  // snapshots its close saved. Otherwise the snapshot save it schedules after taking the circle in
  // (a second after the last change) would run inside the newcomer's timed sync.
  await holder.device.close()
  const settled = (await Device.load(holder.storage, holder.env))!
  const full = await settled.openCircle(synthetic.circle.id)
  const empty = await newcomer.device.openCircle(synthetic.circle.id)
  const node = () =>
    createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
    })
  const [server, client] = [await node(), await node()]
  try {
    let accepted: SyncChannel | undefined
    await server.handle(SYNC_PROTOCOL, (stream, connection) => {
      accepted = SyncChannel.accept(stream, () =>
        new SyncSession({ replica: full, circleKey: synthetic.circle.key, localPeer: server.peerId.toMultihash().bytes, remotePeer: connection.remotePeer.toMultihash().bytes, random: seededRandom(seed + 2), initiator: false }),
      )
    })
    const start = performance.now()
    const stream = await client.dialProtocol(server.getMultiaddrs()[0]!, SYNC_PROTOCOL)
    const session = new SyncSession({ replica: empty, circleKey: synthetic.circle.key, localPeer: client.peerId.toMultihash().bytes, remotePeer: server.peerId.toMultihash().bytes, random: seededRandom(seed + 3), initiator: true })
    SyncChannel.open(stream, session)
    while (!(session.upToDate && accepted?.session?.upToDate)) await new Promise((done) => setTimeout(done, 10))
    const ms = performance.now() - start
    const entryBytes = synthetic.entries.reduce((sum, entry) => sum + entry.length, 0)
    // The newcomer sent only its own join and profile; the holder's side is the circle on the wire.
    const wireBytes = accepted!.traffic.sent
    return { ms, offers: empty.view().offers.length, entryBytes, wireBytes, yjsBytes: synthetic.yjsBytes }
  } finally {
    await client.stop()
    await server.stop()
    await settled.close()
    await newcomer.device.close()
  }
}
