/**
 * A libp2p service that makes the relay join the gossip topics its peers subscribe to. Gossipsub only
 * forwards a topic between peers subscribed to it, so without this a relay between two browsers that
 * are not yet connected directly would drop their discovery messages. Joining a topic stores
 * nothing: messages pass through gossipsub's short-lived cache and are not kept.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { TOPIC_SWEEP_INTERVAL_MS } from './constants'
import { DEFAULT_TOPIC_FILTER, isRelayableTopic, TopicClaims, topicsToJoin, topicsToLeave, type TopicFilterInit } from './topic-filter'

export interface TopicMirrorInit extends Partial<TopicFilterInit> {
  /** How often claims of peers gossipsub no longer lists as subscribers are dropped. */
  sweepIntervalMs?: number
  /**
   * The client address behind a connection's loopback port (the upgrade proxy knows it), so that the
   * peers of one address share one share of topics; without it, each peer has its own.
   */
  clientOfPort?: (port: number) => string | undefined
}

/** Only what the mirror uses; `pubsub` is the gossipsub service, which must be listed before it. */
export interface TopicMirrorComponents {
  pubsub: GossipSub
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  connectionManager: { getConnections(peerId?: PeerId): Array<{ remoteAddr: Multiaddr }> }
}

export interface TopicMirror extends Startable {
  /** The topics the relay has joined for its peers. */
  readonly topics: ReadonlySet<string>
}

class DefaultTopicMirror implements TopicMirror {
  readonly #components: TopicMirrorComponents
  readonly #filter: TopicFilterInit
  readonly #sweepIntervalMs: number
  readonly #log: Logger
  readonly #joined = new Set<string>()
  readonly #claims: TopicClaims
  readonly #clientOfPort: ((port: number) => string | undefined) | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  #started = false

  constructor(components: TopicMirrorComponents, init: TopicMirrorInit) {
    this.#components = components
    this.#filter = { ...DEFAULT_TOPIC_FILTER, ...init }
    this.#claims = new TopicClaims(this.#filter.maxTopicsPerPeer, this.#filter.maxTopicsPerClient)
    this.#clientOfPort = init.clientOfPort
    this.#sweepIntervalMs = init.sweepIntervalMs ?? TOPIC_SWEEP_INTERVAL_MS
    this.#log = components.logger.forComponent('sharecircle:relay:topic-mirror')
  }

  readonly [Symbol.toStringTag] = 'sharecircle:topic-mirror'

  get topics(): ReadonlySet<string> {
    return this.#joined
  }

  start(): void {
    this.#started = true
    this.#components.pubsub.addEventListener('subscription-change', this.#onSubscriptionChange)
    this.#components.events.addEventListener('peer:disconnect', this.#onPeerDisconnect)
    this.#timer = setInterval(this.#sweep, this.#sweepIntervalMs)
    this.#timer.unref?.()
  }

  stop(): void {
    this.#started = false
    this.#components.pubsub.removeEventListener('subscription-change', this.#onSubscriptionChange)
    this.#components.events.removeEventListener('peer:disconnect', this.#onPeerDisconnect)
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#joined.clear()
    this.#claims.clear()
  }

  readonly #onSubscriptionChange = (
    event: CustomEvent<{ peerId: PeerId; subscriptions: Array<{ topic: string; subscribe: boolean }> }>,
  ): void => {
    const peer = event.detail.peerId.toString()
    const client = this.#clientOf(event.detail.peerId)
    for (const { topic, subscribe } of event.detail.subscriptions) {
      if (!subscribe) this.#claims.release(peer, topic)
      else if (isRelayableTopic(topic, this.#filter) && !this.#claims.claim(peer, topic, client)) {
        this.#log('%s (or its address) holds its share of topics, not mirroring %s', peer, topic)
      }
    }
    this.#reconcile()
  }

  /** The client address the peer's connection came from, as the upgrade proxy saw it. */
  #clientOf(peerId: PeerId): string | undefined {
    if (!this.#clientOfPort) return undefined
    for (const connection of this.#components.connectionManager.getConnections(peerId)) {
      const tcp = connection.remoteAddr.getComponents().find((component) => component.name === 'tcp')
      const client = tcp?.value === undefined ? undefined : this.#clientOfPort(Number(tcp.value))
      if (client !== undefined) return client
    }
    return undefined
  }

  readonly #onPeerDisconnect = (event: CustomEvent<PeerId>): void => {
    this.#claims.forget(event.detail.toString())
    this.#reconcile()
  }

  // A peer gossipsub dropped without a disconnect (its streams closed) sent no unsubscribe: its
  // claims go once gossipsub no longer lists it as a subscriber.
  readonly #sweep = (): void => {
    const pubsub = this.#components.pubsub
    for (const topic of this.#claims.topics()) {
      const subscribers = new Set(pubsub.getSubscribers(topic).map((peer) => peer.toString()))
      for (const peer of [...this.#claims.holders(topic)]) if (!subscribers.has(peer)) this.#claims.release(peer, topic)
    }
    this.#reconcile()
  }

  /** Leaves the topics nobody claims, then joins claimed ones while there is room. */
  #reconcile(): void {
    if (!this.#started) return
    const pubsub = this.#components.pubsub
    for (const topic of topicsToLeave(this.#joined, (name) => this.#claims.holders(name).size)) {
      this.#joined.delete(topic)
      pubsub.unsubscribe(topic)
      this.#log('left %s (%d topics)', topic, this.#joined.size)
    }
    for (const topic of topicsToJoin(this.#joined, this.#claims.topics(), this.#filter)) {
      this.#joined.add(topic)
      pubsub.subscribe(topic)
      this.#log('joined %s (%d topics)', topic, this.#joined.size)
    }
  }
}

/** The topic mirror service: `services: { pubsub: gossipsub(…), topicMirror: topicMirror() }`. */
export function topicMirror(init: TopicMirrorInit = {}): (components: TopicMirrorComponents) => TopicMirror {
  return (components) => new DefaultTopicMirror(components, init)
}
