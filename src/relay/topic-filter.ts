/**
 * Which gossip topics the relay joins. Pure: the topic mirror feeds it what peers announce and what
 * the relay has already joined, and acts on the answer.
 */
import { MAX_RELAY_TOPICS, MAX_TOPIC_LENGTH, TOPIC_PREFIX } from './constants'

export interface TopicFilterInit {
  /** Only topic names starting with this are joined. */
  prefix: string
  /** Longer names are refused. */
  maxLength: number
  /** The relay joins at most this many topics at once. */
  maxTopics: number
}

export const DEFAULT_TOPIC_FILTER: Readonly<TopicFilterInit> = {
  prefix: TOPIC_PREFIX,
  maxLength: MAX_TOPIC_LENGTH,
  maxTopics: MAX_RELAY_TOPICS,
}

// Printable ASCII without spaces: our names are a prefix and hex; anything else is someone else's.
const TOPIC_CHARACTERS = /^[\x21-\x7e]+$/

/** Whether a topic name is one of ours, so the relay may carry it. */
export function isRelayableTopic(topic: string, init: TopicFilterInit = DEFAULT_TOPIC_FILTER): boolean {
  return (
    topic.length > init.prefix.length &&
    topic.length <= init.maxLength &&
    topic.startsWith(init.prefix) &&
    TOPIC_CHARACTERS.test(topic)
  )
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

/** The joined topics no peer subscribes to any more: the relay leaves them to free their room. */
export function topicsToLeave(joined: Iterable<string>, subscriberCount: (topic: string) => number): string[] {
  return [...joined].filter((topic) => subscriberCount(topic) === 0)
}
