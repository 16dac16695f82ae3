/**
 * Discovery of the members of our circles, as a libp2p service. Each circle has an opaque discovery
 * topic (topics.ts) on which every member announces its `/p2p-circuit/webrtc` addresses: when they
 * change, and periodically — also once connected to other members, so that announcements keep
 * travelling over direct connections' gossip when every relay is down and members introduce each
 * other. On an announcement from a member we are not directly connected to, the side with the lower
 * peer id dials it over WebRTC (so two members never dial each other at once), one dial per peer at a
 * time, a few attempts with backoff. The signed gossip message authenticates the sender; addresses
 * that name another peer are ignored.
 */
import type { GossipSub, Message } from '@libp2p/gossipsub'
import type { AbortOptions, ComponentLogger, Connection, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { WebRTC } from '@multiformats/multiaddr-matcher'
import { peerIdOf, readAnnouncement, writeAnnouncement } from './announcement'
import {
  ANNOUNCE_INTERVAL_MS,
  ANNOUNCE_REPLY_MIN_MS,
  DIAL_ATTEMPTS,
  DIAL_RETRY_DELAY_MS,
  DIAL_TIMEOUT_MS,
} from './constants'
import { sleep, timeoutSignal } from './sleep'

export interface DiscoveryInit {
  announceIntervalMs?: number
  dialAttempts?: number
  dialRetryDelayMs?: number
  dialTimeoutMs?: number
}

/** Only what discovery uses; `pubsub` is the gossipsub service, listed before it. */
export interface DiscoveryComponents {
  peerId: PeerId
  pubsub: GossipSub
  addressManager: { getAddresses(): Multiaddr[] }
  /** The node's events: a listener gaining or losing addresses (a relay reservation) is when ours change. */
  events: Pick<TypedEventTarget<Libp2pEvents>, 'addEventListener' | 'removeEventListener'>
  connectionManager: {
    openConnection(target: Multiaddr, options?: AbortOptions): Promise<Connection>
    getConnections(peerId?: PeerId): Connection[]
  }
  logger: ComponentLogger
}

export interface DiscoveryStats {
  announced: number
  heard: number
  /** Announcements that were malformed or named addresses of another peer. */
  ignored: number
  dials: number
  failedDials: number
}

export interface Discovery extends Startable {
  /** Announces on this discovery topic and dials the members heard on it. */
  join(topic: string): void
  leave(topic: string): void
  /** Peers (as strings) being dialled right now. */
  readonly dialing: ReadonlySet<string>
  readonly stats: Readonly<DiscoveryStats>
  /** Announces our addresses on every joined topic now (they are also announced on change and periodically). */
  announce(): Promise<void>
}

const ADDRESS_EVENTS = ['transport:listening', 'transport:close', 'self:peer:update'] as const

class DefaultDiscovery implements Discovery {
  readonly #components: DiscoveryComponents
  readonly #init: Required<DiscoveryInit>
  readonly #log: Logger
  readonly #topics = new Set<string>()
  readonly #dialing = new Set<string>()
  readonly stats: DiscoveryStats = { announced: 0, heard: 0, ignored: 0, dials: 0, failedDials: 0 }
  #repeat: ReturnType<typeof setInterval> | undefined
  #controller = new AbortController()
  #lastAddresses = ''
  #lastReply = 0
  #replyTimer: ReturnType<typeof setTimeout> | undefined
  #checkQueued = false

  constructor(components: DiscoveryComponents, init: DiscoveryInit) {
    this.#components = components
    this.#init = {
      announceIntervalMs: init.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS,
      dialAttempts: init.dialAttempts ?? DIAL_ATTEMPTS,
      dialRetryDelayMs: init.dialRetryDelayMs ?? DIAL_RETRY_DELAY_MS,
      dialTimeoutMs: init.dialTimeoutMs ?? DIAL_TIMEOUT_MS,
    }
    this.#log = components.logger.forComponent('sharecircle:net:discovery')
  }

  readonly [Symbol.toStringTag] = 'sharecircle:discovery'

  get dialing(): ReadonlySet<string> {
    return this.#dialing
  }

  start(): void {
    this.#controller = new AbortController()
    this.#components.pubsub.addEventListener('message', this.#onMessage)
    // A listener says so when it gains or loses addresses (the relay transport when a reservation is
    // made or lost, then the WebRTC transport on top of it): about a second before `self:peer:update`.
    for (const type of ADDRESS_EVENTS) this.#components.events.addEventListener(type, this.#queueCheck)
    this.#repeat = setInterval(() => void this.announce(), this.#init.announceIntervalMs)
    this.#repeat.unref?.()
    this.#queueCheck()
  }

  stop(): void {
    this.#controller.abort()
    this.#components.pubsub.removeEventListener('message', this.#onMessage)
    for (const type of ADDRESS_EVENTS) this.#components.events.removeEventListener(type, this.#queueCheck)
    clearInterval(this.#repeat)
    this.#repeat = undefined
    clearTimeout(this.#replyTimer)
    this.#replyTimer = undefined
    this.#topics.clear()
  }

  join(topic: string): void {
    if (this.#topics.has(topic)) return
    this.#topics.add(topic)
    this.#components.pubsub.subscribe(topic)
    void this.announce()
  }

  leave(topic: string): void {
    if (!this.#topics.delete(topic)) return
    this.#components.pubsub.unsubscribe(topic)
  }

  async announce(): Promise<void> {
    const addresses = this.#ownAddresses()
    if (addresses.length === 0 || this.#topics.size === 0) return
    const data = writeAnnouncement(addresses)
    await Promise.all(
      [...this.#topics].map(async (topic) => {
        try {
          await this.#components.pubsub.publish(topic, data)
          this.stats.announced++
        } catch (error) {
          // Gossipsub refuses while it is stopping; the next announcement will do.
          this.#log('announce on %s failed: %e', topic, error)
        }
      }),
    )
  }

  #ownAddresses(): Multiaddr[] {
    return this.#components.addressManager.getAddresses().filter((address) => WebRTC.matches(address))
  }

  /** Checks once the event's task is over, when the address manager has taken the change in. */
  readonly #queueCheck = (): void => {
    if (this.#checkQueued) return
    this.#checkQueued = true
    setTimeout(() => {
      this.#checkQueued = false
      if (!this.#controller.signal.aborted) this.#checkAddresses()
    }, 0)
  }

  #checkAddresses(): void {
    const current = this.#ownAddresses().map(String).sort().join(' ')
    if (current === this.#lastAddresses) return
    this.#lastAddresses = current
    void this.announce()
  }

  readonly #onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (!this.#topics.has(message.topic) || message.type !== 'signed') return
    const self = this.#components.peerId
    const from = message.from.toString()
    if (from === self.toString()) return
    const addresses = readAnnouncement(message.data)?.filter((address) => WebRTC.matches(address) && peerIdOf(address) === from)
    if (addresses === undefined || addresses.length === 0) {
      this.stats.ignored++
      return
    }
    this.stats.heard++
    if (this.#directlyConnected(from)) return
    if (self.toString() < from) void this.#dial(from, addresses)
    else this.#reply()
  }

  #directlyConnected(peer: string): boolean {
    return this.#components.connectionManager
      .getConnections()
      .some((connection) => connection.remotePeer.toString() === peer && connection.status === 'open' && connection.limits === undefined)
  }

  /**
   * The member with the lower id dials; tell it where we are, without answering every stranger: at
   * most one reply per ANNOUNCE_REPLY_MIN_MS, and one asked for within that window goes at its end
   * (dropped, the stranger would wait for the periodic announcement to hear of us).
   */
  #reply(): void {
    if (this.#replyTimer !== undefined) return
    const wait = this.#lastReply + ANNOUNCE_REPLY_MIN_MS - Date.now()
    const send = () => {
      this.#replyTimer = undefined
      this.#lastReply = Date.now()
      void this.announce()
    }
    if (wait <= 0) return send()
    this.#replyTimer = setTimeout(send, wait)
    this.#replyTimer.unref?.()
  }

  async #dial(peer: string, addresses: Multiaddr[]): Promise<void> {
    if (this.#dialing.has(peer)) return
    this.#dialing.add(peer)
    const stopped = this.#controller.signal
    try {
      for (let attempt = 0; attempt < this.#init.dialAttempts && !stopped.aborted; attempt++) {
        if (attempt > 0) await sleep(this.#init.dialRetryDelayMs * 2 ** (attempt - 1), { signal: stopped })
        const address = addresses[attempt % addresses.length]!
        this.stats.dials++
        try {
          const signal = timeoutSignal(this.#init.dialTimeoutMs, stopped)
          const connection = await this.#components.connectionManager.openConnection(address, { signal })
          if (connection.limits === undefined) return
        } catch (error) {
          // Under load node-datachannel sometimes drops an early ICE candidate; the next attempt works.
          this.stats.failedDials++
          this.#log('dial %s attempt %d failed: %e', address, attempt + 1, error)
        }
        // The other side may have reached us meanwhile (after its relay restarted, say).
        if (this.#directlyConnected(peer)) return
      }
    } catch {
      // Stopped while waiting between attempts.
    } finally {
      this.#dialing.delete(peer)
    }
  }
}

/** The discovery service: `services: { pubsub: gossipsub(…), discovery: discovery() }`. */
export function discovery(init: DiscoveryInit = {}): (components: DiscoveryComponents) => Discovery {
  return (components) => new DefaultDiscovery(components, init)
}
