/**
 * Tunables of the relay. Defaults bind to loopback: serving a whole street from one laptop is a
 * deliberate `--host 0.0.0.0`, never an accident.
 */

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_DIST = 'dist'

/** Hashed build assets never change under the same name, so browsers may keep them for a year. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'
/** Everything else is revalidated on each use (cheap: an ETag answer is a 304 without a body). */
export const REVALIDATE_CACHE_CONTROL = 'no-cache'

/** How long `close()` lets in-flight responses finish before cutting their connections. */
export const CLOSE_GRACE_MS = 2_000

/** Where the relay keeps its libp2p identity, relative to the working directory. */
export const DEFAULT_KEY_FILE = '.sharecircle-relay-key'

// ── libp2p ─────────────────────────────────────────────────────────────────────────────────────

/** The libp2p WebSockets listener binds here on a free port; only our HTTP server talks to it. */
export const INTERNAL_WS_LISTEN = '/ip4/127.0.0.1/tcp/0/ws'

/**
 * Every WebSocket reaches libp2p through the loopback proxy, so every peer appears to come from
 * 127.0.0.1 and the per-host inbound rate limit (default 5 a second) would throttle all of them
 * together.
 */
export const INBOUND_CONNECTION_THRESHOLD = 1_000

/** Connections the relay keeps open at once: each browser of each circle holds one. */
export const MAX_CONNECTIONS = 1_000

/**
 * Inbound connections libp2p lets sit in its handshake (noise, muxer) at once; further ones are
 * refused outright. The default (10) let ten idle sockets lock every new peer out, so this is larger,
 * and the upgrade proxy keeps any one client to a few of them.
 */
export const MAX_INCOMING_PENDING_CONNECTIONS = 64
/**
 * How long an inbound handshake may take before libp2p drops it (default 10 s): a browser needs a
 * few round trips, and an idle socket holds a pending slot no longer than this.
 */
export const INBOUND_UPGRADE_TIMEOUT_MS = 5_000

// ── upgrade proxy ──────────────────────────────────────────────────────────────────────────────

/**
 * Forwarded upgrades counted against one client address at once; more are answered 429. A browser
 * opens one WebSocket to the relay, a household behind one address a few.
 */
export const MAX_UPGRADES_PER_CLIENT = 8
/** Forwarded upgrades counted at once over all clients; more are answered 503. */
export const MAX_UPGRADES_IN_FLIGHT = MAX_INCOMING_PENDING_CONNECTIONS
/**
 * Forwarded connections one client address keeps open at once, handshake done or not; more are
 * answered 429. Without it one address could open a few every slot time and in minutes hold all of
 * MAX_CONNECTIONS. A browser keeps one per relay; 32 leave room for a household, an office or a
 * shared carrier address, while taking all of them needs dozens of addresses.
 */
export const MAX_OPEN_PER_CLIENT = 32
/**
 * The proxy forwards bytes and cannot see a handshake finish, so an upgrade counts until its socket
 * closes or this long has passed, by when libp2p has finished or dropped the handshake. (A second of
 * margin: libp2p's clock starts a little after ours.)
 */
export const UPGRADE_SLOT_MS = INBOUND_UPGRADE_TIMEOUT_MS + 1_000

/**
 * Circuit relay v2 slots. A browser holds one reservation so others can reach it; a relayed
 * connection only carries the WebRTC offer, answer and ICE candidates (a few KiB), then the peers
 * talk directly. Generous on count, tight on bytes and time: the relay must not become a data pipe.
 */
export const RELAY_MAX_RESERVATIONS = 512
/** A browser re-reserves when its reservation expires; an hour keeps the churn small. */
export const RELAY_RESERVATION_TTL_MS = 60 * 60_000
/** Long enough for a slow ICE exchange, short enough that nobody streams through the relay. */
export const RELAY_CONNECTION_DURATION_LIMIT_MS = 60_000
/** SDP plus candidates are a few KiB each way; 64 KiB leaves room and stops bulk transfer. */
export const RELAY_CONNECTION_DATA_LIMIT_BYTES = 64n * 1024n
/** A hop request (reserve or connect) must finish within this time. */
export const RELAY_HOP_TIMEOUT_MS = 15_000

// ── gossip topics the relay joins ──────────────────────────────────────────────────────────────

/**
 * Gossipsub forwards a topic only between peers subscribed to it, so the relay joins the topics its
 * peers announce. Only ours (this prefix) and only so many: each joined topic costs mesh state.
 */
export const TOPIC_PREFIX = 'sharecircle/'
/** Longer names are not ours (ours are the prefix plus a hex hash and a short suffix). */
export const MAX_TOPIC_LENGTH = 160
/** Topics joined at once; beyond this new topics wait until others empty out. */
export const MAX_RELAY_TOPICS = 1_000
/**
 * Topics one peer can keep joined. A member subscribes to two per circle (discovery and entries), so
 * this is 16 circles; without it one peer subscribing to random names could fill MAX_RELAY_TOPICS.
 */
export const MAX_TOPICS_PER_PEER = 32
/**
 * Topics the peers of one client address (as the upgrade proxy tells them apart) can keep joined
 * together: peer ids cost nothing, so without it one address could fill MAX_RELAY_TOPICS with a few
 * dozen of them. A household of several members in several circles stays well under it.
 */
export const MAX_TOPICS_PER_CLIENT = 96
/** How often topics nobody subscribes to any more are left (they are also left on unsubscribe). */
export const TOPIC_SWEEP_INTERVAL_MS = 60_000
