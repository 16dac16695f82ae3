/**
 * This device on the network: ONE member node and one CircleNetwork for the whole app, with every
 * circle the device has joined on it (circles made or joined later too, as the device reports them).
 * Status is bridged from `network.subscribe` with createSubscriber and read per circle as `current`.
 */
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { createSubscriber } from 'svelte/reactivity'
import type { Device } from '../../circle/device'
import type { CircleRecord } from '../../circle/types'
import { sameRelays } from '../../core/invite'
import { secureRandom } from '../../core/random'
import { CircleNetwork, createMemberNode, type CircleStatus, type MemberNode } from '../../net/index'
import type { RelayInfo } from '../relay-info'

/**
 * ICE servers for WebRTC between members: none. A public STUN server would learn who talks to whom,
 * and tests must never reach one; members on one network (or via their relay) need none.
 */
export const ICE_SERVERS: readonly RTCIceServer[] = []

export type NetworkPhase = 'idle' | 'starting' | 'running' | 'failed' | 'stopped'

/**
 * Whether these relay addresses are a relay on this machine or the local network (loopback, private
 * ranges, or plain `/ws`): then the node may dial such addresses. An internet relay speaks `wss`.
 */
export function isLocalRelay(addresses: readonly string[]): boolean {
  return addresses.some((text) => {
    try {
      const address = multiaddr(text)
      return WebSockets.matches(address) || isPrivate(address) === true
    } catch {
      return false
    }
  })
}

/** Stopping is best effort: the page may be going away, and there is nobody to tell. */
async function quietly(stop: () => void | Promise<void>): Promise<void> {
  try {
    await stop()
  } catch {
    // Already stopped or half started.
  }
}

/** One started network and the subscriber over its status reports. */
class LiveNetwork {
  readonly network: CircleNetwork
  readonly node: MemberNode
  readonly #subscribe: () => void

  constructor(network: CircleNetwork, node: MemberNode) {
    this.network = network
    this.node = node
    this.#subscribe = createSubscriber((update) => network.subscribe(update))
  }

  status(id: string): CircleStatus | undefined {
    this.#subscribe()
    return this.network.status(id)
  }
}

/** The network status of one circle; `current` is undefined while the circle is not on the network. */
export class CircleNetworkStatus {
  readonly id: string
  readonly #state: NetworkState

  constructor(state: NetworkState, id: string) {
    this.#state = state
    this.id = id
  }

  get current(): CircleStatus | undefined {
    return this.#state.live?.status(this.id)
  }
}

export class NetworkState {
  phase = $state<NetworkPhase>('idle')
  /** Why the node could not start, when `phase` is 'failed'. */
  failure = $state('')
  live = $state.raw<LiveNetwork | undefined>()

  readonly #statuses = new Map<string, CircleNetworkStatus>()
  /** Circles on the network, with the relays they were given. */
  readonly #added = new Map<string, readonly string[]>()
  #device: Device | undefined
  #relays: readonly string[] = []
  #controller = new AbortController()
  #unsubscribe: () => void = () => undefined

  circle(id: string): CircleNetworkStatus {
    let status = this.#statuses.get(id)
    if (!status) {
      status = new CircleNetworkStatus(this, id)
      this.#statuses.set(id, status)
    }
    return status
  }

  /** Puts the device's circles on the network; once per device (again after `stop`, or a failed start). */
  async start(device: Device, served: Promise<RelayInfo | undefined>): Promise<void> {
    if (this.#device === device && this.phase !== 'stopped' && this.phase !== 'failed') return
    this.#device = device
    this.phase = 'starting'
    const controller = (this.#controller = new AbortController())
    const { signal } = controller
    let node: MemberNode | undefined
    try {
      this.#relays = (await served)?.multiaddrs ?? []
      const known = this.#relays.length > 0 ? this.#relays : device.circles().flatMap((circle) => circle.relays)
      node = await createMemberNode({ allowLocal: isLocalRelay(known), rtcConfiguration: { iceServers: [...ICE_SERVERS] }, signal })
      const network = await CircleNetwork.start({ node, random: secureRandom }, { signal })
      if (signal.aborted) throw signal.reason
      this.live = new LiveNetwork(network, node)
      this.phase = 'running'
      this.#unsubscribe = device.subscribe(() => void this.#sync(device, signal))
      await this.#sync(device, signal)
    } catch (error) {
      await quietly(() => node?.stop())
      if (signal.aborted) return
      this.failure = error instanceof Error ? error.message : String(error)
      this.phase = 'failed'
    }
  }

  /** Hangs up on everyone and stops the node (the page is going away). */
  async stop(): Promise<void> {
    if (this.phase === 'idle' || this.phase === 'stopped') return
    this.phase = 'stopped'
    this.#controller.abort()
    this.#unsubscribe()
    this.#unsubscribe = () => undefined
    this.#added.clear()
    const live = this.live
    this.live = undefined
    if (!live) return
    await live.network.stop().catch(() => undefined)
    await quietly(() => live.node.stop())
  }

  /** Adds the circles the device has and the network lacks, and removes the ones it left. */
  async #sync(device: Device, signal: AbortSignal): Promise<void> {
    const live = this.live
    if (!live || signal.aborted) return
    const circles = device.circles()
    const ids = new Set(circles.map((circle) => circle.id))
    for (const id of this.#added.keys()) {
      if (ids.has(id)) continue
      this.#added.delete(id)
      void live.network.removeCircle(id).catch(() => undefined)
    }
    // The circle's own relays (from its invites) and the relay that served this app.
    const relaysOf = (circle: CircleRecord) => [...new Set([...circle.relays, ...this.#relays])]
    for (const circle of circles) {
      const given = this.#added.get(circle.id)
      const relays = relaysOf(circle)
      if (!given || sameRelays(given, relays)) continue
      // A later invite to a circle already joined named more relays.
      this.#added.set(circle.id, relays)
      live.network.updateRelays(circle.id, relays)
    }
    const fresh = circles.filter((circle) => !this.#added.has(circle.id))
    for (const circle of fresh) this.#added.set(circle.id, relaysOf(circle))
    await Promise.all(
      fresh.map(async (circle) => {
        try {
          const replica = await device.openCircle(circle.id)
          // Left while it opened: nothing would ever take it off the network again.
          const relays = this.#added.get(circle.id)
          if (!relays) return
          await live.network.addCircle({ ...circle, relays }, replica, { signal })
        } catch {
          // Not on the network (it could not be opened): tried again with the device's next change.
          if (!signal.aborted) this.#added.delete(circle.id)
        }
      }),
    )
  }
}
