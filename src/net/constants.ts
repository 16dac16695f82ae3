/**
 * Tunables of the member's network: discovery, relay links, gossip and status. Tests pass smaller
 * values through each service's init; these are what a browser uses.
 */

/** Every gossip topic of ours starts with this, so relays know which topics they may carry. */
export const TOPIC_PREFIX = 'sharecircle/'
/** Domain tags of the topic names: hashed with the circle topic, so a name reveals neither id nor key. */
export const DISCOVERY_TOPIC_DOMAIN = 'sharecircle/discovery-topic/v1\0'
export const GOSSIP_TOPIC_DOMAIN = 'sharecircle/gossip-topic/v1\0'

// ── discovery ──────────────────────────────────────────────────────────────────────────────────

/** Version byte of an announcement; an unknown version is ignored. */
export const ANNOUNCEMENT_VERSION = 1
/** A browser has one `/p2p-circuit/webrtc` address per relay it holds a reservation on. */
export const MAX_ANNOUNCED_ADDRESSES = 8
/** A relay address plus `/p2p-circuit/webrtc/p2p/<id>` is about 120 bytes. */
export const MAX_ADDRESS_BYTES = 256
/** Larger announcements are ignored before they are parsed. */
export const MAX_ANNOUNCEMENT_BYTES = 2 + MAX_ANNOUNCED_ADDRESSES * (MAX_ADDRESS_BYTES + 2) + 10
/**
 * Announcements repeat this often: a peer that joined the topic since the last one (or whose relay
 * restarted) learns our address within this time even if nothing else prompts us.
 */
export const ANNOUNCE_INTERVAL_MS = 10_000
/**
 * Hearing an unknown peer that we may not dial (it has the lower id) prompts an announcement of our
 * own so it can dial us; at most one such reply in this window, whatever the number of strangers
 * (one asked for within it goes at its end).
 */
export const ANNOUNCE_REPLY_MIN_MS = 1_000
/** WebRTC dials to one peer per announcement; node-datachannel sometimes drops an early ICE candidate. */
export const DIAL_ATTEMPTS = 3
/** Wait before the second attempt, doubled for each further one. */
export const DIAL_RETRY_DELAY_MS = 500
/** One attempt gives up after this long (signalling goes through a relay, then ICE). */
export const DIAL_TIMEOUT_MS = 20_000

// ── relay links ────────────────────────────────────────────────────────────────────────────────

/** First wait before redialling a relay; doubled after each failure up to the maximum. */
export const RELAY_REDIAL_MIN_MS = 1_000
export const RELAY_REDIAL_MAX_MS = 60_000
/** The wait is drawn from [delay × (1 − jitter), delay]: relays restarting see spread-out redials. */
export const RELAY_REDIAL_JITTER = 0.5
/**
 * How long a connection must stay up before its relay's past failures are forgotten. Until then a
 * lost connection counts as one more failure, so a relay that accepts and at once drops every
 * connection is backed off from like one that refuses them, instead of being redialled every second.
 */
export const RELAY_STABLE_MS = 30_000
/** One relay dial gives up after this long. */
export const RELAY_DIAL_TIMEOUT_MS = 15_000

// ── sync and gossip ────────────────────────────────────────────────────────────────────────────

/** An own entry pushed to peers in sync goes on gossip once they hold it, or after this long at most. */
export const GOSSIP_WAIT_MS = 2_000
/** Checks failed by a sync peer's entries before its session (and connection) is dropped. */
export const SYNC_STRIKES = 20
/**
 * A sync session that ends while its connection stays up (a failed write, a stream reset) is opened
 * again after this long, doubled after each end up to the maximum; a session that lasted the
 * maximum starts again from the minimum.
 */
export const SESSION_REOPEN_MIN_MS = 1_000
export const SESSION_REOPEN_MAX_MS = 60_000
/** Closing a sync stream waits this long at most for the peer to take what is left, then resets it. */
export const CLOSE_TIMEOUT_MS = 5_000
/** Status listeners are told of changes at most this often; catch-up progress is read on this tick. */
export const STATUS_TICK_MS = 500
