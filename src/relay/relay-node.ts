/**
 * The relay's libp2p node: a WebSockets listener on an internal loopback port (the HTTP server in
 * start-relay.ts forwards upgrades to it), a circuit relay v2 server so browsers can signal WebRTC
 * through it, identify, ping, and gossipsub joining our topics. It keeps no circle content.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { ping, type Ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import {
  INBOUND_CONNECTION_THRESHOLD,
  INBOUND_UPGRADE_TIMEOUT_MS,
  INTERNAL_WS_LISTEN,
  MAX_CONNECTIONS,
  MAX_INCOMING_PENDING_CONNECTIONS,
  RELAY_CONNECTION_DATA_LIMIT_BYTES,
  RELAY_CONNECTION_DURATION_LIMIT_MS,
  RELAY_HOP_TIMEOUT_MS,
  RELAY_MAX_RESERVATIONS,
  RELAY_RESERVATION_TTL_MS,
} from './constants'
import { RelayNodeError } from './errors'
import { topicMirror, type TopicMirror, type TopicMirrorInit } from './topic-mirror'

export type RelayServices = {
  identify: Identify
  ping: Ping
  relay: CircuitRelayService
  pubsub: GossipSub
  topicMirror: TopicMirror
}

export type RelayLibp2p = Libp2p<RelayServices>

export interface RelayNodeInit {
  privateKey: PrivateKey
  /** Public WebSocket multiaddrs (without `/p2p/`): where browsers reach us, not where libp2p listens. */
  announce: readonly string[]
  /** Overrides for the topic mirror (tests use small limits). */
  topics?: TopicMirrorInit
  /** The client address behind a loopback port (the upgrade proxy's `clientOfPort`), for the topic shares. */
  clientOfPort?: (port: number) => string | undefined
  signal?: AbortSignal
}

export interface RelayNode {
  node: RelayLibp2p
  /** The loopback port of the libp2p WebSockets listener, for the upgrade proxy. */
  internalPort: number
}

/** libp2p options of the relay, separate from starting it so they can be read and tested. */
export function relayNodeOptions(init: Pick<RelayNodeInit, 'privateKey' | 'announce' | 'topics' | 'clientOfPort'>) {
  return {
    privateKey: init.privateKey,
    start: false,
    addresses: {
      listen: [INTERNAL_WS_LISTEN],
      announce: [...init.announce],
    },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      inboundConnectionThreshold: INBOUND_CONNECTION_THRESHOLD,
      maxConnections: MAX_CONNECTIONS,
      // Every peer arrives from the upgrade proxy on 127.0.0.1; the proxy limits each client.
      maxIncomingPendingConnections: MAX_INCOMING_PENDING_CONNECTIONS,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
    },
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({
        hopTimeout: RELAY_HOP_TIMEOUT_MS,
        reservations: {
          maxReservations: RELAY_MAX_RESERVATIONS,
          reservationTtl: RELAY_RESERVATION_TTL_MS,
          applyDefaultLimit: true,
          defaultDurationLimit: RELAY_CONNECTION_DURATION_LIMIT_MS,
          defaultDataLimit: RELAY_CONNECTION_DATA_LIMIT_BYTES,
        },
      }),
      // Publishing from the relay never happens; the flag only matters to peers, set for symmetry.
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
      // After pubsub: services reach earlier services through their components.
      topicMirror: topicMirror({ ...init.topics, ...(init.clientOfPort ? { clientOfPort: init.clientOfPort } : {}) }),
    },
  }
}

function portOf(address: string): number | undefined {
  const tcp = multiaddr(address).getComponents().find((component) => component.name === 'tcp')
  return tcp?.value === undefined ? undefined : Number(tcp.value)
}

/** Creates and starts the relay node; stop it with `node.stop()`. */
export async function startRelayNode(init: RelayNodeInit): Promise<RelayNode> {
  init.signal?.throwIfAborted()
  const node: RelayLibp2p = await createLibp2p(relayNodeOptions(init))
  let internalPort: number | undefined
  // With `announce` set, getMultiaddrs() shows the public addresses; the listener knows the real one.
  node.addEventListener('transport:listening', (event) => {
    for (const address of event.detail.getAddrs()) internalPort ??= portOf(address.toString())
  })
  try {
    await node.start()
    init.signal?.throwIfAborted()
  } catch (error) {
    try {
      await node.stop()
    } catch {
      // Already failing; the start error is the one worth reporting.
    }
    if (init.signal?.aborted) throw error
    throw new RelayNodeError(`The relay node could not start: ${(error as Error).message}`, { cause: error })
  }
  if (internalPort === undefined || internalPort === 0) {
    await node.stop()
    throw new RelayNodeError('The relay node started without a WebSocket listener')
  }
  return { node, internalPort }
}
