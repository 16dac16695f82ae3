/**
 * Links to the relays named for our circles, as a libp2p service: dial each, and when its connection
 * closes (or a dial fails) dial again after a wait that doubles up to a bound, with jitter, so a
 * restarted relay is not hit by every member at once and a dead one costs one dial a minute. A
 * browser does not reconnect to a restarted relay by itself, and the reservation (our
 * `/p2p-circuit/webrtc` address) comes back only with the connection.
 */
import type { AbortOptions, ComponentLogger, Connection, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdOf } from './announcement'
import { RELAY_DIAL_TIMEOUT_MS, RELAY_REDIAL_JITTER, RELAY_REDIAL_MAX_MS, RELAY_REDIAL_MIN_MS } from './constants'
import { InvalidRelayAddressError } from './errors'

export interface RelayLinkInit {
  redialMinMs?: number
  redialMaxMs?: number
  /** Fraction of the wait that is randomised. */
  jitter?: number
  dialTimeoutMs?: number
  /** Uniform in [0, 1); Math.random by default (jitter needs no secrecy). */
  random?: () => number
}

export interface RelayLinkComponents {
  connectionManager: {
    openConnection(target: Multiaddr, options?: AbortOptions): Promise<Connection>
    getConnections(peerId?: PeerId): Connection[]
  }
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export const RELAY_STATES = ['connected', 'dialing', 'waiting'] as const
export type RelayState = (typeof RELAY_STATES)[number]

export interface RelayStatus {
  address: string
  peerId: string
  state: RelayState
  /** Failed dials since the last success. */
  failures: number
}

export interface RelayLink extends Startable {
  /** Keeps these relays connected until removed as often as added. Throws InvalidRelayAddressError. */
  add(addresses: readonly string[]): void
  remove(addresses: readonly string[]): void
  relays(): RelayStatus[]
  /** Whether this peer is one of our relays (its connection carries no circle). */
  isRelay(peer: string): boolean
}

interface Link {
  address: Multiaddr
  peerId: string
  refs: number
  state: RelayState
  failures: number
  timer: ReturnType<typeof setTimeout> | undefined
}

class DefaultRelayLink implements RelayLink {
  readonly #components: RelayLinkComponents
  readonly #init: Required<RelayLinkInit>
  readonly #log: Logger
  readonly #links = new Map<string, Link>()
  #controller = new AbortController()
  #started = false

  constructor(components: RelayLinkComponents, init: RelayLinkInit) {
    this.#components = components
    this.#init = {
      redialMinMs: init.redialMinMs ?? RELAY_REDIAL_MIN_MS,
      redialMaxMs: init.redialMaxMs ?? RELAY_REDIAL_MAX_MS,
      jitter: init.jitter ?? RELAY_REDIAL_JITTER,
      dialTimeoutMs: init.dialTimeoutMs ?? RELAY_DIAL_TIMEOUT_MS,
      random: init.random ?? Math.random,
    }
    this.#log = components.logger.forComponent('sharecircle:net:relay-link')
  }

  readonly [Symbol.toStringTag] = 'sharecircle:relay-link'

  start(): void {
    this.#started = true
    this.#controller = new AbortController()
    this.#components.events.addEventListener('connection:close', this.#onClose)
  }

  stop(): void {
    this.#started = false
    this.#controller.abort()
    this.#components.events.removeEventListener('connection:close', this.#onClose)
    for (const link of this.#links.values()) clearTimeout(link.timer)
    this.#links.clear()
  }

  add(addresses: readonly string[]): void {
    const parsed = addresses.map(parseRelayAddress)
    for (const address of parsed) {
      const key = address.toString()
      const known = this.#links.get(key)
      if (known) {
        known.refs++
        continue
      }
      const link: Link = { address, peerId: peerIdOf(address)!, refs: 1, state: 'waiting', failures: 0, timer: undefined }
      this.#links.set(key, link)
      void this.#connect(link)
    }
  }

  remove(addresses: readonly string[]): void {
    for (const text of addresses) {
      const key = safeKey(text)
      const link = key === undefined ? undefined : this.#links.get(key)
      if (!link || --link.refs > 0) continue
      clearTimeout(link.timer)
      this.#links.delete(key!)
    }
  }

  relays(): RelayStatus[] {
    return [...this.#links.values()].map(({ address, peerId, state, failures }) => ({ address: address.toString(), peerId, state, failures }))
  }

  isRelay(peer: string): boolean {
    for (const link of this.#links.values()) if (link.peerId === peer) return true
    return false
  }

  async #connect(link: Link): Promise<void> {
    link.timer = undefined
    if (!this.#started || this.#links.get(link.address.toString()) !== link) return
    link.state = 'dialing'
    try {
      const signal = AbortSignal.any([this.#controller.signal, AbortSignal.timeout(this.#init.dialTimeoutMs)])
      await this.#components.connectionManager.openConnection(link.address, { signal })
      link.state = 'connected'
      link.failures = 0
      this.#log('connected to relay %s', link.address)
    } catch (error) {
      this.#log('relay %s unreachable: %e', link.address, error)
      link.failures++
      this.#schedule(link)
    }
  }

  /** Waits min × 2^(failures − 1), capped, minus up to `jitter` of it; one timer per relay at most. */
  #schedule(link: Link): void {
    if (!this.#started || link.timer !== undefined) return
    link.state = 'waiting'
    const base = Math.min(this.#init.redialMaxMs, this.#init.redialMinMs * 2 ** Math.max(0, link.failures - 1))
    const delay = base * (1 - this.#init.jitter * this.#init.random())
    link.timer = setTimeout(() => void this.#connect(link), delay)
    link.timer.unref?.()
  }

  readonly #onClose = (event: CustomEvent<Connection>): void => {
    const peer = event.detail.remotePeer.toString()
    for (const link of this.#links.values()) {
      if (link.peerId !== peer || link.state !== 'connected') continue
      const open = this.#components.connectionManager.getConnections().some((connection) => connection.remotePeer.toString() === peer && connection.status === 'open')
      if (open) continue
      this.#log('lost relay %s', link.address)
      link.failures = 1
      this.#schedule(link)
    }
  }
}

function parseRelayAddress(text: string): Multiaddr {
  let address: Multiaddr
  try {
    address = multiaddr(text)
  } catch {
    throw new InvalidRelayAddressError(`Not a multiaddr: ${text.slice(0, 80)}`)
  }
  if (peerIdOf(address) === undefined) throw new InvalidRelayAddressError('A relay address must end with /p2p/<relay peer id>')
  return address
}

function safeKey(text: string): string | undefined {
  try {
    return multiaddr(text).toString()
  } catch {
    return undefined
  }
}

/** The relay-link service: `services: { relayLink: relayLink() }`. */
export function relayLink(init: RelayLinkInit = {}): (components: RelayLinkComponents) => RelayLink {
  return (components) => new DefaultRelayLink(components, init)
}
