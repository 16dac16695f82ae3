/**
 * src/net — the network layer of a member: the sync protocol (messages and the session state
 * machine, which never touch a stream, and the channel that carries a session over a libp2p stream),
 * the member's libp2p node, discovery of circle members, links to relays, the blob protocol that
 * moves photos between members on demand, and the circle network that ties open circles to the node
 * and reports honest status. PROTOCOL.md beside this file gives the byte layouts.
 *
 * May import: src/core, src/circle types, libp2p packages and lib0. Never ui or store.
 */
export { SYNC_PROTOCOL, SYNC_VERSION, MESSAGE, MESSAGE_LIMITS, ERROR_CODES, encodeMessage, readMessage } from './sync-messages'
export type { FeedLength, SyncMessage } from './sync-messages'
export { SyncSession, SESSION_STATES } from './sync-session'
export type { SessionState, SessionStep, SyncReplica, SyncSessionInit } from './sync-session'
export { SyncChannel } from './sync-channel'
export type { ChannelEnd } from './sync-channel'
export { createMemberNode, memberConnectionGater } from './member-node'
export type { MemberNode, MemberNodeOptions, MemberServices } from './member-node'
export { discovery } from './discovery'
export type { Discovery, DiscoveryComponents, DiscoveryInit, DiscoveryStats } from './discovery'
export { relayLink, RELAY_STATES } from './relay-link'
export type { RelayLink, RelayLinkComponents, RelayLinkInit, RelayState, RelayStatus } from './relay-link'
export { CircleNetwork, CONNECTION_KINDS, NETWORK_STATES } from './circle-network'
export type { CircleNetworkInit, CircleStatus, ConnectionKind, NetworkCircle, NetworkReplica, NetworkState, PeerStatus } from './circle-network'
export { BLOB_PROTOCOL, BLOB_LIMITS, BLOB_STATUS, BLOB_FAULTS, encodeBlobRequest, encodeBlobResponse, readBlobRequest, readBlobResponse } from './blob-messages'
export type { BlobFault, BlobRequest, BlobResponse } from './blob-messages'
export { BLOB_FAILURES, requestBlob, serveBlobStream } from './blob-protocol'
export type { BlobAnswer, BlobFailure, BlobLookup } from './blob-protocol'
export { BlobFetcher } from './blob-fetcher'
export type { BlobFetch, BlobSource, BlobTry } from './blob-fetcher'
export { BlobService } from './blob-service'
export type { BlobCircle, BlobServiceInit, NetworkBlobs } from './blob-service'
export { discoveryTopic, gossipTopic } from './topics'
export { readAnnouncement, writeAnnouncement } from './announcement'
export { InvalidRelayAddressError, MemberNodeError, NetworkStoppedError } from './errors'
