/**
 * Links to the relays named for our circles, as a libp2p service: dial each, and when its connection
 * closes (or a dial fails) dial again after a wait that doubles up to a bound, with jitter, so a
 * restarted relay is not hit by every member at once and a dead one costs one dial a minute. A
 * browser does not reconnect to a restarted relay by itself, and the reservation (our
 * `/p2p-circuit/webrtc` address) comes back only with the connection.
 */
import type { AbortOptions, ComponentLogger, Connection, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { WebSockets, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { peerIdOf } from './announcement'
import { RELAY_DIAL_TIMEOUT_MS, RELAY_REDIAL_JITTER, RELAY_REDIAL_MAX_MS, RELAY_REDIAL_MIN_MS, RELAY_STABLE_MS } from './constants'
import { InvalidRelayAddressError } from './errors'
import { backoffMs, timeoutSignal } from './sleep'

export interface RelayLinkInit {
  redialMinMs?: number
  redialMaxMs?: number
  /** Fraction of the wait that is randomised. */
  jitter?: number
  dialTimeoutMs?: number
  stableMs?: number
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
  /** Failed dials, and connections lost before RELAY_STABLE_MS, since a connection last stayed up that long. */
  failures: number
}

export interface RelayLink extends Startable {
  /**
   * Keeps these relays connected until removed as often as added. An address that is no WebSocket
   * multiaddr ending in `/p2p/<relay peer id>` is skipped and logged, so one bad address (from an
   * invite, say) cannot keep the others off the network. Returns the addresses kept, as multiaddr
   * strings.
   */
  add(addresses: readonly string[]): string[]
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
  /** The next dial. */
  timer: ReturnType<typeof setTimeout> | undefined
  /** While connected: when it fires, the connection has lasted and the failures are forgotten. */
  stableTimer: ReturnType<typeof setTimeout> | undefined
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
      stableMs: init.stableMs ?? RELAY_STABLE_MS,
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
    for (const link of this.#links.values()) clearTimers(link)
    this.#links.clear()
  }

  add(addresses: readonly string[]): string[] {
    const kept: string[] = []
    for (const text of addresses) {
      let address: Multiaddr
      try {
        address = parseRelayAddress(text)
      } catch (error) {
        this.#log.error('skipping relay address: %e', error)
        continue
      }
      const key = address.toString()
      kept.push(key)
      const known = this.#links.get(key)
      if (known) {
        known.refs++
        continue
      }
      const link: Link = { address, peerId: peerIdOf(address)!, refs: 1, state: 'waiting', failures: 0, timer: undefined, stableTimer: undefined }
      this.#links.set(key, link)
      void this.#connect(link)
    }
    return kept
  }

  remove(addresses: readonly string[]): void {
    for (const text of addresses) {
      const key = safeKey(text)
      const link = key === undefined ? undefined : this.#links.get(key)
      if (!link || --link.refs > 0) continue
      clearTimers(link)
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
      const signal = timeoutSignal(this.#init.dialTimeoutMs, this.#controller.signal)
      await this.#components.connectionManager.openConnection(link.address, { signal })
      link.state = 'connected'
      // Not `failures = 0` yet: only a connection that lasts says the relay is fine (see RELAY_STABLE_MS).
      clearTimeout(link.stableTimer)
      link.stableTimer = setTimeout(() => {
        link.stableTimer = undefined
        link.failures = 0
      }, this.#init.stableMs)
      link.stableTimer.unref?.()
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
    const base = backoffMs(this.#init.redialMinMs, this.#init.redialMaxMs, link.failures)
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
      clearTimeout(link.stableTimer)
      link.stableTimer = undefined
      // 1 after a connection that lasted (its failures were forgotten), one more after a short one.
      link.failures++
      this.#schedule(link)
    }
  }
}

function clearTimers(link: Link): void {
  clearTimeout(link.timer)
  clearTimeout(link.stableTimer)
}

/** A browser reaches a relay over WebSockets only, and must know which peer it is dialling. */
function parseRelayAddress(text: string): Multiaddr {
  let address: Multiaddr
  try {
    address = multiaddr(text)
    // Parsing a string leaves some values (the peer id) unchecked until they are encoded: encode now.
    if (address.bytes.length === 0) throw new InvalidRelayAddressError('Empty multiaddr')
  } catch {
    throw new InvalidRelayAddressError(`Not a multiaddr: ${text.slice(0, 80)}`)
  }
  if (!WebSockets.exactMatch(address) && !WebSocketsSecure.exactMatch(address)) {
    throw new InvalidRelayAddressError(`Not a WebSocket address (/ws, /wss or /tls/ws): ${text.slice(0, 80)}`)
  }
  if (address.getComponents().at(-1)?.name !== 'p2p') throw new InvalidRelayAddressError(`A relay address must end with /p2p/<relay peer id>: ${text.slice(0, 80)}`)
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
