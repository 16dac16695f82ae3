/**
 * A bare Node libp2p node on loopback WebSockets (noise, yamux), for tests of one protocol over a real
 * stream. It is stopped by the `cleanups` the caller runs after each test.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Libp2p } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'

export async function loopbackNode(cleanups: Array<() => Promise<void>>): Promise<Libp2p> {
  const created = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
  })
  cleanups.push(async () => {
    await created.stop()
  })
  return created
}
