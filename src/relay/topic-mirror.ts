/**
 * A libp2p service that makes the relay join the gossip topics its peers subscribe to. Gossipsub only
 * forwards a topic between peers subscribed to it, so without this a relay between two browsers that
 * are not yet connected directly would drop their discovery messages. Joining a topic stores
 * nothing: messages pass through gossipsub's short-lived cache and are not kept.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import { TOPIC_SWEEP_INTERVAL_MS } from './constants'
import { DEFAULT_TOPIC_FILTER, isRelayableTopic, TopicClaims, topicsToJoin, topicsToLeave, type TopicFilterInit } from './topic-filter'

export interface TopicMirrorInit extends Partial<TopicFilterInit> {
  /** How often claims of peers gossipsub no longer lists as subscribers are dropped. */
  sweepIntervalMs?: number
}

/** Only what the mirror uses; `pubsub` is the gossipsub service, which must be listed before it. */
export interface TopicMirrorComponents {
  pubsub: GossipSub
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
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
  #timer: ReturnType<typeof setInterval> | undefined
  #started = false

  constructor(components: TopicMirrorComponents, init: TopicMirrorInit) {
    this.#components = components
    this.#filter = { ...DEFAULT_TOPIC_FILTER, ...init }
    this.#claims = new TopicClaims(this.#filter.maxTopicsPerPeer)
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
    for (const { topic, subscribe } of event.detail.subscriptions) {
      if (!subscribe) this.#claims.release(peer, topic)
      else if (isRelayableTopic(topic, this.#filter) && !this.#claims.claim(peer, topic)) {
        this.#log('%s holds its %d topics, not mirroring %s', peer, this.#filter.maxTopicsPerPeer, topic)
      }
    }
    this.#reconcile()
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
