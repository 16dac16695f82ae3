/**
 * Which gossip topics the relay joins. Pure: the topic mirror feeds it what peers announce and what
 * the relay has already joined, and acts on the answer.
 */
import { MAX_RELAY_TOPICS, MAX_TOPIC_LENGTH, MAX_TOPICS_PER_CLIENT, MAX_TOPICS_PER_PEER, TOPIC_PREFIX } from './constants'

export interface TopicFilterInit {
  /** Only topic names starting with this are joined. */
  prefix: string
  /** What must follow the prefix. */
  suffix: RegExp
  /** Longer names are refused. */
  maxLength: number
  /** The relay joins at most this many topics at once. */
  maxTopics: number
  /** One peer keeps at most this many topics joined; its further subscriptions are not mirrored. */
  maxTopicsPerPeer: number
  /** The peers of one client address keep at most this many claims together. */
  maxTopicsPerClient: number
}

export const DEFAULT_TOPIC_FILTER: Readonly<TopicFilterInit> = {
  prefix: TOPIC_PREFIX,
  // Members name their topics with a SHA-256 in lowercase hex (net/topics.ts); nothing else is joined,
  // so the relay's room goes to circles, not to names someone made up.
  suffix: /^[0-9a-f]{64}$/,
  maxLength: MAX_TOPIC_LENGTH,
  maxTopics: MAX_RELAY_TOPICS,
  maxTopicsPerPeer: MAX_TOPICS_PER_PEER,
  maxTopicsPerClient: MAX_TOPICS_PER_CLIENT,
}

// Printable ASCII without spaces: our names are a prefix and hex; anything else is someone else's.
const TOPIC_CHARACTERS = /^[\x21-\x7e]+$/

/** Whether a topic name is one of ours, so the relay may carry it. */
export function isRelayableTopic(topic: string, init: TopicFilterInit = DEFAULT_TOPIC_FILTER): boolean {
  return (
    topic.length > init.prefix.length &&
    topic.length <= init.maxLength &&
    topic.startsWith(init.prefix) &&
    init.suffix.test(topic.slice(init.prefix.length)) &&
    TOPIC_CHARACTERS.test(topic)
  )
}

/**
 * The topics each peer has asked the relay to carry, at most `maxPerPeer` a peer. A topic stays
 * joined only while some peer holds a claim on it, so a peer that subscribes to many names can keep
 * no more than its share joined, and cannot keep joined the topics another peer claimed once it
 * leaves. A peer's subscriptions beyond its share are dropped, not queued: an honest member has two
 * topics per circle, well under the share.
 */
export class TopicClaims {
  readonly #maxPerPeer: number
  readonly #maxPerClient: number
  readonly #byPeer = new Map<string, Set<string>>()
  // Insertion order is first-claim order: the order in which topics are offered to topicsToJoin.
  readonly #byTopic = new Map<string, Set<string>>()
  /** The client address each claiming peer came from (if known), and how many claims each client's peers hold. */
  readonly #clientOf = new Map<string, string>()
  readonly #byClient = new Map<string, number>()

  constructor(maxPerPeer: number, maxPerClient = Number.POSITIVE_INFINITY) {
    this.#maxPerPeer = maxPerPeer
    this.#maxPerClient = maxPerClient
  }

  /**
   * Records `peer`'s claim on `topic`; false when the peer, or the peers of its client address
   * (`client`, when the relay can tell), already hold their share.
   */
  claim(peer: string, topic: string, client?: string): boolean {
    const topics = this.#byPeer.get(peer) ?? new Set<string>()
    if (topics.has(topic)) return true
    if (topics.size >= this.#maxPerPeer) return false
    const from = this.#clientOf.get(peer) ?? client
    if (from !== undefined && (this.#byClient.get(from) ?? 0) >= this.#maxPerClient) return false
    topics.add(topic)
    this.#byPeer.set(peer, topics)
    if (from !== undefined) {
      this.#clientOf.set(peer, from)
      this.#byClient.set(from, (this.#byClient.get(from) ?? 0) + 1)
    }
    const peers = this.#byTopic.get(topic) ?? new Set<string>()
    peers.add(peer)
    this.#byTopic.set(topic, peers)
    return true
  }

  /** Drops `peer`'s claim on `topic` (it unsubscribed), freeing room in its share. */
  release(peer: string, topic: string): void {
    const topics = this.#byPeer.get(peer)
    if (!topics?.delete(topic)) return
    const from = this.#clientOf.get(peer)
    if (from !== undefined) {
      const left = (this.#byClient.get(from) ?? 1) - 1
      if (left > 0) this.#byClient.set(from, left)
      else this.#byClient.delete(from)
    }
    if (topics.size === 0) {
      this.#byPeer.delete(peer)
      this.#clientOf.delete(peer)
    }
    const peers = this.#byTopic.get(topic)
    peers?.delete(peer)
    if (peers?.size === 0) this.#byTopic.delete(topic)
  }

  /** Drops every claim of `peer` (it disconnected). */
  forget(peer: string): void {
    for (const topic of [...(this.#byPeer.get(peer) ?? [])]) this.release(peer, topic)
  }

  /** The peers holding a claim on `topic`. */
  holders(topic: string): ReadonlySet<string> {
    return this.#byTopic.get(topic) ?? new Set()
  }

  /** Every claimed topic, each once, in first-claim order (live: releasing while iterating is fine). */
  topics(): IterableIterator<string> {
    return this.#byTopic.keys()
  }

  clear(): void {
    this.#byPeer.clear()
    this.#byTopic.clear()
    this.#clientOf.clear()
    this.#byClient.clear()
  }
}

/**
 * The announced topics to join now, in announcement order: ours, not joined yet, each once, and no
 * more than the room left under `maxTopics`.
 */
export function topicsToJoin(
  joined: ReadonlySet<string>,
  announced: Iterable<string>,
  init: TopicFilterInit = DEFAULT_TOPIC_FILTER,
): string[] {
  const room = Math.max(0, init.maxTopics - joined.size)
  const picked = new Set<string>()
  for (const topic of announced) {
    if (picked.size >= room) break
    if (!joined.has(topic) && isRelayableTopic(topic, init)) picked.add(topic)
  }
  return [...picked]
}

/** The joined topics no peer claims any more: the relay leaves them to free their room. */
export function topicsToLeave(joined: Iterable<string>, holderCount: (topic: string) => number): string[] {
  return [...joined].filter((topic) => holderCount(topic) === 0)
}
