/**
 * src/net — the network layer: the sync protocol (messages and the session state machine, which
 * never touch a stream), and, next, the libp2p node, discovery and gossip that carry it. PROTOCOL.md
 * beside this file gives the byte layouts.
 *
 * May import: src/core, src/circle types, libp2p packages and lib0. Never ui or store.
 */
export { SYNC_PROTOCOL, SYNC_VERSION, MESSAGE, MESSAGE_LIMITS, ERROR_CODES, encodeMessage, readMessage } from './sync-messages'
export type { FeedLength, SyncMessage } from './sync-messages'
export { SyncSession, SESSION_STATES } from './sync-session'
export type { SessionState, SessionStep, SyncReplica, SyncSessionInit } from './sync-session'
