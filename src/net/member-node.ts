/**
 * The libp2p node of a member, in a browser or in Node: WebSockets to relays, WebRTC to other
 * members, circuit relay for the WebRTC signalling (and a reservation, so others can reach us),
 * noise, yamux, identify, ping, gossipsub, and our discovery and relay-link services. Which addresses
 * may be dialled is an explicit policy: a browser's libp2p default refuses private addresses and
 * plain `/ws`, which is right on the internet and wrong for a relay on the local network.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify'
import type { ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import { ping, type Ping } from '@libp2p/ping'
import { isPrivate } from '@libp2p/utils'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { createLibp2p } from 'libp2p'
import { discovery, type Discovery, type DiscoveryInit } from './discovery'
import { MemberNodeError } from './errors'
import { relayLink, type RelayLink, type RelayLinkInit } from './relay-link'

export type MemberServices = {
  identify: Identify
  identifyPush: IdentifyPush
  ping: Ping
  pubsub: GossipSub
  discovery: Discovery
  relayLink: RelayLink
}

export type MemberNode = Libp2p<MemberServices>

export interface MemberNodeOptions {
  /** The node's identity; a new one each time when absent. */
  privateKey?: PrivateKey
  /** ICE servers and the like; none by default, so nothing but the peers themselves is contacted. */
  rtcConfiguration?: RTCConfiguration
  /**
   * Whether private and loopback addresses and plain `/ws` may be dialled: true for a relay on the
   * local network (or a test), false for relays on the internet (`wss` and public addresses only).
   */
  allowLocal: boolean
  /** Replaces the policy above entirely (tests use a loopback-only gater). */
  connectionGater?: ConnectionGater
  discovery?: DiscoveryInit
  relayLink?: RelayLinkInit
  signal?: AbortSignal
}

/** The dialling policy of `allowLocal`. */
export function memberConnectionGater(allowLocal: boolean): ConnectionGater {
  if (allowLocal) return { denyDialMultiaddr: () => false }
  // As libp2p's browser default: an internet relay has a public address and speaks TLS.
  return { denyDialMultiaddr: (address) => WebSockets.matches(address) || isPrivate(address) === true }
}

/** Creates and starts a member node; stop it with `node.stop()`. */
export async function createMemberNode(options: MemberNodeOptions): Promise<MemberNode> {
  options.signal?.throwIfAborted()
  let node: MemberNode
  try {
    node = await createLibp2p({
      ...(options.privateKey ? { privateKey: options.privateKey } : {}),
      addresses: {
        // `/p2p-circuit`: reserve a slot on the relays we connect to; `/webrtc`: accept WebRTC.
        listen: ['/p2p-circuit', '/webrtc'],
      },
      transports: [
        webSockets(),
        webRTC({ rtcConfiguration: options.rtcConfiguration ?? { iceServers: [] } }),
        circuitRelayTransport(),
      ],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: options.connectionGater ?? memberConnectionGater(options.allowLocal),
      services: {
        identify: identify(),
        identifyPush: identifyPush(),
        ping: ping(),
        // A lone member publishes too: its entries must not fail just because nobody listens yet.
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
        // After pubsub: services reach earlier services through their components.
        discovery: discovery(options.discovery),
        relayLink: relayLink(options.relayLink),
      },
    })
  } catch (error) {
    throw new MemberNodeError(`The network node could not start: ${(error as Error).message}`, { cause: error })
  }
  if (options.signal?.aborted) {
    await node.stop()
    options.signal.throwIfAborted()
  }
  return node
}
