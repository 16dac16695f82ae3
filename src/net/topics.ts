/**
 * Gossip topic names of a circle. They are public (relays and observers see them), so they are
 * hashes of the circle topic under a domain tag: stable for members and meaningless to anyone else —
 * they reveal neither the circle id nor its name nor its key. They are not unlinkable from the circle
 * topic itself: every entry carries that topic in clear (DESIGN lets relays see it), so a relay can
 * tell that a gossip topic and the entries on it belong to one circle, without learning which.
 */
import { concat, sha256, toHex, utf8 } from '../core/bytes'
import { DISCOVERY_TOPIC_DOMAIN, GOSSIP_TOPIC_DOMAIN, TOPIC_PREFIX } from './constants'

/** Where members of the circle announce their addresses. */
export function discoveryTopic(circleTopic: Uint8Array): string {
  return TOPIC_PREFIX + toHex(sha256(concat(utf8(DISCOVERY_TOPIC_DOMAIN), circleTopic)))
}

/** Where members of the circle publish new entries. */
export function gossipTopic(circleTopic: Uint8Array): string {
  return TOPIC_PREFIX + toHex(sha256(concat(utf8(GOSSIP_TOPIC_DOMAIN), circleTopic)))
}
