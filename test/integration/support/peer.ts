/**
 * A Node libp2p peer configured like a browser member: WebSockets to relays, WebRTC to other members,
 * circuit relay for the WebRTC signalling, noise, yamux, identify, ping and gossipsub. For the
 * integration tests (run in a loopback-only network namespace): ICE uses no STUN servers and binds
 * to 127.0.0.1, and the connection gater refuses anything but loopback.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify'
import type { Connection, ConnectionGater, Libp2p } from '@libp2p/interface'
import { ping, type Ping } from '@libp2p/ping'
import { isLoopback } from '@libp2p/utils'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import type { Multiaddr } from '@multiformats/multiaddr'
import { WebRTC } from '@multiformats/multiaddr-matcher'
import { createLibp2p } from 'libp2p'
import { waitFor } from './wait'

export type TestPeerServices = {
  identify: Identify
  identifyPush: IdentifyPush
  ping: Ping
  pubsub: GossipSub
}

export type TestPeer = Libp2p<TestPeerServices>

/**
 * node-datachannel (libjuice) skips loopback interfaces when gathering ICE candidates; in a namespace
 * with only `lo` that leaves none. `bindAddress` is its non-standard way to force 127.0.0.1.
 */
export const LOOPBACK_RTC_CONFIGURATION = { iceServers: [], bindAddress: '127.0.0.1' } as RTCConfiguration

/**
 * Dial loopback only. (A browser's default gater refuses private addresses and plain `/ws`, so the app
 * will need its own rule for local relays; the tests must never leave the machine anyway.)
 */
export const loopbackOnlyGater: ConnectionGater = {
  denyDialMultiaddr: (address) => !isLoopback(address),
}

export async function createTestPeer(options: { signal?: AbortSignal } = {}): Promise<TestPeer> {
  options.signal?.throwIfAborted()
  return createLibp2p({
    addresses: {
      // `/p2p-circuit`: reserve a slot on the relays we connect to; `/webrtc`: accept WebRTC.
      listen: ['/p2p-circuit', '/webrtc'],
    },
    transports: [webSockets(), webRTC({ rtcConfiguration: LOOPBACK_RTC_CONFIGURATION }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: loopbackOnlyGater,
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
    },
  })
}

/** The peer's `/p2p-circuit/webrtc` address, once a relay reservation gave it one. */
export function webRTCAddressOf(peer: Libp2p): Multiaddr | undefined {
  return peer.getMultiaddrs().find((address) => WebRTC.matches(address))
}

/**
 * Resolves with the peer's `/p2p-circuit/webrtc` address. `self:peer:update` is debounced inside the
 * address manager, so this polls `getMultiaddrs()`, which reads the listeners directly.
 */
export async function waitForWebRTCAddress(peer: Libp2p, options: { signal?: AbortSignal } = {}): Promise<Multiaddr> {
  return waitFor(() => webRTCAddressOf(peer), options)
}

/** Stops every peer given, ignoring those already stopped. */
export async function stopPeers(...peers: ReadonlyArray<Libp2p | undefined>): Promise<void> {
  await Promise.all(peers.map(async (peer) => peer?.stop()))
}

export interface WebRTCDial {
  connection: Connection
  /** 1 when the first dial worked. */
  attempts: number
}

/**
 * Dials a `/p2p-circuit/webrtc` address, retrying a failed attempt. Under load node-datachannel
 * sometimes rejects an ICE candidate that arrives early ("Got a remote candidate without ICE
 * transport"), the peer connection closes and the dial waits out libp2p's dial timeout; the app will
 * retry the same way, so the tests do too rather than fail on a flake of the Node WebRTC stack.
 */
export async function dialWebRTC(
  peer: Libp2p,
  address: Multiaddr,
  options: { signal?: AbortSignal; attempts?: number } = {},
): Promise<WebRTCDial> {
  const attempts = options.attempts ?? 3
  for (let attempt = 1; ; attempt++) {
    try {
      return { connection: await peer.dial(address, { signal: options.signal }), attempts: attempt }
    } catch (error) {
      if (attempt >= attempts || options.signal?.aborted === true) throw error
    }
  }
}
