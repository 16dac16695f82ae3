/**
 * A libp2p service that makes the relay join the gossip topics its peers subscribe to. Gossipsub only
 * forwards a topic between peers subscribed to it, so without this a relay between two browsers that
 * are not yet connected directly would drop their discovery messages. Joining a topic stores
 * nothing: messages pass through gossipsub's short-lived cache and are not kept.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import type { ComponentLogger, Libp2pEvents, Logger, Startable, TypedEventTarget } from '@libp2p/interface'
import { TOPIC_SWEEP_INTERVAL_MS } from './constants'
import { DEFAULT_TOPIC_FILTER, topicsToJoin, topicsToLeave, type TopicFilterInit } from './topic-filter'

export interface TopicMirrorInit extends Partial<TopicFilterInit> {
  /** How often topics nobody subscribes to any more are left. */
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
  #timer: ReturnType<typeof setInterval> | undefined
  #started = false

  constructor(components: TopicMirrorComponents, init: TopicMirrorInit) {
    this.#components = components
    this.#filter = { ...DEFAULT_TOPIC_FILTER, ...init }
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
  }

  readonly #onSubscriptionChange = (event: CustomEvent<{ subscriptions: Array<{ topic: string; subscribe: boolean }> }>): void => {
    const { subscriptions } = event.detail
    const wanted = subscriptions.filter((change) => change.subscribe).map((change) => change.topic)
    for (const topic of topicsToJoin(this.#joined, wanted, this.#filter)) {
      this.#joined.add(topic)
      this.#components.pubsub.subscribe(topic)
      this.#log('joined %s (%d topics)', topic, this.#joined.size)
    }
    if (subscriptions.some((change) => !change.subscribe)) this.#sweep()
  }

  // Gossipsub forgets a peer's topics in its own disconnect handler; sweep after it has run.
  readonly #onPeerDisconnect = (): void => {
    setTimeout(this.#sweep, 0).unref?.()
  }

  readonly #sweep = (): void => {
    if (!this.#started) return
    const pubsub = this.#components.pubsub
    for (const topic of topicsToLeave(this.#joined, (name) => pubsub.getSubscribers(name).length)) {
      this.#joined.delete(topic)
      pubsub.unsubscribe(topic)
      this.#log('left %s (%d topics)', topic, this.#joined.size)
    }
  }
}

/** The topic mirror service: `services: { pubsub: gossipsub(…), topicMirror: topicMirror() }`. */
export function topicMirror(init: TopicMirrorInit = {}): (components: TopicMirrorComponents) => TopicMirror {
  return (components) => new DefaultTopicMirror(components, init)
}
