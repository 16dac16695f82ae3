/**
 * One member node serving the circles open on this device. For each circle it joins discovery and
 * the circle's gossip topic, keeps the circle's relays linked, runs a sync session (sync-session.ts)
 * with every member it is directly connected to, pushes new entries to peers in sync, publishes its
 * own on gossip (for members it has no session with), and ingests what gossip brings. A peer whose
 * session ends as misbehaving, or that cannot prove the circle key, is hung up on. Status is honest:
 * "up to date" only when heads match. Photos travel beside sync (blob-service.ts): served to, and
 * fetched from, the peers whose sync session proved the circle key here.
 */
import type { Connection, Stream } from '@libp2p/interface'
import type { Message } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { toHex } from '../core/bytes'
import { peekEntryPosition } from '../core/entry'
import type { Gap } from '../core/feed'
import type { RandomBytes } from '../core/random'
import { nextFrame } from '../core/schedule'
import type { EntryRecord } from '../circle/types'
import { peerIdOf } from './announcement'
import type { BlobFetch } from './blob-fetcher'
import { BlobService, type BlobCircle, type BlobServiceInit, type NetworkBlobs } from './blob-service'
import { GOSSIP_WAIT_MS, SESSION_REOPEN_MAX_MS, SESSION_REOPEN_MIN_MS, STATUS_TICK_MS, SYNC_STRIKES } from './constants'
import { NetworkStoppedError } from './errors'
import type { MemberNode } from './member-node'
import { SyncChannel, type ChannelEnd } from './sync-channel'
import { MESSAGE_LIMITS, SYNC_PROTOCOL } from './sync-messages'
import { backoffMs } from './sleep'
import { SyncSession, type SyncReplica } from './sync-session'
import { discoveryTopic, gossipTopic } from './topics'

/** What the network needs of an open circle (CircleReplica has it). */
export interface NetworkReplica extends SyncReplica {
  /**
   * New entries to pass on: `own` ones as soon as signed, received ones once stored, with the session
   * they came from (`origin`).
   */
  subscribeEntries(listener: (record: EntryRecord, own: boolean, origin: object | undefined) => void): () => void
  /** Told when `heads()` grew: peers in sync are then told what is held (`have`). */
  subscribeStored(listener: () => void): () => void
  /** The circle's photos, sealed; without them the circle serves and fetches none. */
  readonly blobs?: NetworkBlobs
}

/** What the network needs of a circle's record: its id, key and the relays named in its invite. */
export interface NetworkCircle {
  id: string
  key: Uint8Array
  relays: readonly string[]
}

export const NETWORK_STATES = ['offline', 'connecting', 'connected'] as const
export type NetworkState = (typeof NETWORK_STATES)[number]
export const CONNECTION_KINDS = ['webrtc', 'relayed', 'websocket'] as const
export type ConnectionKind = (typeof CONNECTION_KINDS)[number]

export interface PeerStatus {
  peer: string
  /** The member whose device this is, once its session proved it (a member id, for the view's names). */
  member: string | undefined
  kind: ConnectionKind
  /** Both sides finished catching up and each holds every entry the other does. */
  upToDate: boolean
  /** The last time this peer was seen up to date. */
  lastSyncedAt: number | undefined
  sent: number
  received: number
  rejected: number
}

export interface CircleStatus {
  state: NetworkState
  /** Members we have a sync session with past the key proof. */
  memberPeers: number
  peers: PeerStatus[]
  relays: { connected: number; total: number }
  lastSyncedAt: number | undefined
  gossip: { received: number; rejected: number }
}

export interface CircleNetworkInit {
  node: MemberNode
  random: RandomBytes
  now?: () => number
  strikes?: number
  statusTickMs?: number
  /** Blob request time limit and fetch tunables (tests shorten them). */
  blobs?: Omit<BlobServiceInit, 'node' | 'circle'>
}

interface Link {
  channel: SyncChannel
  stream: Stream
  connection: Connection
  lastSyncedAt: number | undefined
  openedAt: number
  /** This side opened the stream. */
  initiator: boolean
}

interface GossipWaiting {
  entry: Uint8Array
  feed: string
  seq: number
  /** The sessions it was pushed to. */
  sessions: SyncSession[]
}

interface OpenCircle {
  circle: NetworkCircle
  replica: NetworkReplica
  discovery: string
  gossip: string
  /** Peer ids of the circle's relays (relay-link checked the addresses). */
  relayPeers: Set<string>
  links: Map<string, Link>
  /** With the session each came from (never pushed back to it). */
  pending: Array<{ entry: Uint8Array; origin: object | undefined }>
  /** This device's own entries among `pending`: only those go on gossip. */
  pendingOwn: Uint8Array[]
  /** Own entries pushed to peers in sync, waiting for them to say they hold them before gossip. */
  gossipWaiting: GossipWaiting[]
  gossipTimer: ReturnType<typeof setTimeout> | undefined
  /** A `have` to every peer is queued for the end of this task. */
  announcing: boolean
  gossipStats: { received: number; rejected: number }
  lastSyncedAt: number | undefined
  /** Per peer: sessions ended in a row while the connection stayed up, and the pending reopen. */
  reopening: Map<string, { ends: number; timer: ReturnType<typeof setTimeout> | undefined }>
  unsubscribe: () => void
}

/** The peer ids of relay addresses; one that does not parse names none (an invite's relays are checked before). */
function relayPeersOf(relays: readonly string[]): Set<string> {
  return new Set(
    relays.flatMap((text) => {
      try {
        return peerIdOf(multiaddr(text)) ?? []
      } catch {
        return []
      }
    }),
  )
}

/** Ends after which the peer is hung up on: it lacks the key or keeps sending bad entries. */
const HANG_UP: ReadonlySet<ChannelEnd> = new Set(['misbehaving', 'bad-proof'])

export class CircleNetwork {
  readonly #init: CircleNetworkInit
  readonly #node: MemberNode
  readonly #now: () => number
  readonly #circles = new Map<string, OpenCircle>()
  readonly #byTopic = new Map<string, OpenCircle>()
  readonly #byGossip = new Map<string, OpenCircle>()
  readonly #listeners = new Set<() => void>()
  readonly #controller = new AbortController()
  readonly #blobs: BlobService
  #tick: ReturnType<typeof setInterval> | undefined
  #signature = ''
  #stopped = false

  private constructor(init: CircleNetworkInit) {
    this.#init = init
    this.#node = init.node
    this.#now = init.now ?? Date.now
    this.#blobs = new BlobService({ ...init.blobs, node: init.node, circle: (topic) => this.#blobCircle(topic) })
  }

  /** Starts serving the sync protocol on the node; add circles next. */
  static async start(init: CircleNetworkInit, options: { signal?: AbortSignal } = {}): Promise<CircleNetwork> {
    options.signal?.throwIfAborted()
    const network = new CircleNetwork(init)
    await init.node.handle(SYNC_PROTOCOL, network.#onStream, { runOnLimitedConnection: false, signal: options.signal })
    await network.#blobs.start({ signal: options.signal })
    init.node.addEventListener('connection:open', network.#onConnectionOpen)
    init.node.addEventListener('connection:close', network.#refresh)
    init.node.services.pubsub.addEventListener('message', network.#onGossip)
    network.#tick = setInterval(network.#refresh, init.statusTickMs ?? STATUS_TICK_MS)
    network.#tick.unref?.()
    return network
  }

  /** Puts a circle on the network: discovery, relays, gossip, and sync with every connected member. */
  async addCircle(circle: NetworkCircle, replica: NetworkReplica, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#stopped) throw new NetworkStoppedError()
    if (this.#circles.has(circle.id)) return
    const { services } = this.#node
    // Before anything is joined: a bad relay address from an invite must not leave half a circle.
    services.relayLink.add(circle.relays)
    const open: OpenCircle = {
      circle,
      replica,
      discovery: discoveryTopic(replica.topic),
      gossip: gossipTopic(replica.topic),
      relayPeers: relayPeersOf(circle.relays),
      links: new Map(),
      pending: [],
      pendingOwn: [],
      gossipWaiting: [],
      gossipTimer: undefined,
      announcing: false,
      gossipStats: { received: 0, rejected: 0 },
      lastSyncedAt: undefined,
      reopening: new Map(),
      unsubscribe: () => undefined,
    }
    this.#circles.set(circle.id, open)
    this.#byTopic.set(toHex(replica.topic), open)
    this.#byGossip.set(open.gossip, open)
    const unsubscribeEntries = replica.subscribeEntries((record, own, origin) => this.#queue(open, record.bytes, own, origin))
    const unsubscribeStored = replica.subscribeStored(() => this.#announce(open))
    open.unsubscribe = () => {
      unsubscribeEntries()
      unsubscribeStored()
    }
    services.pubsub.subscribe(open.gossip)
    services.discovery.join(open.discovery)
    // A circle added while connected: the other side may have opened this circle before we had it.
    await Promise.all(this.#memberConnections().map((connection) => this.#open(open, connection, options.signal)))
    this.#refresh()
  }

  /**
   * A circle's relays changed while it is on the network (a later invite named more): dials the new
   * ones and lets go of those it no longer names.
   */
  updateRelays(id: string, relays: readonly string[]): void {
    const open = this.#circles.get(id)
    if (!open) return
    const { relayLink } = this.#node.services
    const before = open.circle.relays
    relayLink.add(relays.filter((relay) => !before.includes(relay)))
    relayLink.remove(before.filter((relay) => !relays.includes(relay)))
    open.circle = { ...open.circle, relays: [...relays] }
    open.relayPeers = relayPeersOf(relays)
    this.#refresh()
  }

  async removeCircle(id: string): Promise<void> {
    const open = this.#circles.get(id)
    if (!open) return
    this.#circles.delete(id)
    this.#byTopic.delete(toHex(open.replica.topic))
    this.#byGossip.delete(open.gossip)
    open.unsubscribe()
    clearTimeout(open.gossipTimer)
    for (const { timer } of open.reopening.values()) clearTimeout(timer)
    open.reopening.clear()
    open.gossipWaiting = []
    const { services } = this.#node
    services.pubsub.unsubscribe(open.gossip)
    services.discovery.leave(open.discovery)
    services.relayLink.remove(open.circle.relays)
    for (const link of open.links.values()) link.stream.abort(new NetworkStoppedError('The circle was closed'))
    open.links.clear()
    this.#refresh()
  }

  /** The circle's network status, or undefined for a circle not on the network. */
  status(id: string): CircleStatus | undefined {
    const open = this.#circles.get(id)
    if (!open) return undefined
    const now = this.#now()
    const peers: PeerStatus[] = []
    for (const [peer, link] of open.links) {
      const session = link.channel.session
      const upToDate = session?.upToDate === true && link.connection.status === 'open'
      if (upToDate) link.lastSyncedAt = open.lastSyncedAt = now
      peers.push({
        peer,
        member: session?.remoteMember,
        kind: connectionKind(link.connection),
        upToDate,
        lastSyncedAt: link.lastSyncedAt,
        sent: session?.stats.sent ?? 0,
        received: session?.stats.received ?? 0,
        rejected: [...(session?.stats.rejected.values() ?? [])].reduce((sum, count) => sum + count, 0),
      })
    }
    const memberPeers = [...open.links.values()].filter((link) => link.channel.session?.state === 'syncing' && link.connection.status === 'open').length
    const relays = this.#node.services.relayLink.relays().filter((relay) => open.relayPeers.has(relay.peerId))
    const connectedRelays = relays.filter((relay) => relay.state === 'connected').length
    const trying = relays.some((relay) => relay.state === 'dialing') || this.#node.services.discovery.dialing.size > 0 || open.links.size > 0
    const state: NetworkState = memberPeers > 0 ? 'connected' : connectedRelays > 0 || trying ? 'connecting' : 'offline'
    return { state, memberPeers, peers, relays: { connected: connectedRelays, total: relays.length }, lastSyncedAt: open.lastSyncedAt, gossip: { ...open.gossipStats } }
  }

  /**
   * Fetches a blob (a photo, by its hash in hex) of the circle from its members and stores it once it
   * opens with the circle key to bytes of that hash. Bad answers are named in the outcome, never thrown.
   */
  fetchBlob(id: string, hash: string, options: { signal?: AbortSignal } = {}): Promise<BlobFetch> {
    const open = this.#circles.get(id)
    if (!open || this.#stopped) return Promise.resolve({ ok: false, reason: 'no-peers', tried: [] })
    return this.#blobs.fetch(open.replica.topic, hash, options)
  }

  /** Called when any circle's status changes (for createSubscriber in the UI). */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Takes every circle off the network; the node itself is the caller's to stop. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#tick)
    this.#controller.abort()
    for (const id of [...this.#circles.keys()]) await this.removeCircle(id)
    this.#node.removeEventListener('connection:open', this.#onConnectionOpen)
    this.#node.removeEventListener('connection:close', this.#refresh)
    this.#node.services.pubsub.removeEventListener('message', this.#onGossip)
    await this.#node.unhandle(SYNC_PROTOCOL).catch(() => undefined)
    await this.#blobs.stop()
    this.#listeners.clear()
  }

  /** A circle's blobs and the peers that proved its key on a sync session here, over direct connections. */
  #blobCircle(topic: string): BlobCircle | undefined {
    const open = this.#byTopic.get(topic)
    const blobs = open?.replica.blobs
    if (!open || !blobs) return undefined
    const members = () => {
      const proven = new Map<string, Connection>()
      for (const [peer, { channel, connection }] of open.links) {
        if (channel.session?.state === 'syncing' && connection.status === 'open' && connection.limits === undefined) proven.set(peer, connection)
      }
      return proven
    }
    return { blobs, members }
  }

  /** Direct connections to members: not relayed, not to one of our relays. */
  #memberConnections(): Connection[] {
    const relayLink = this.#node.services.relayLink
    return this.#node.getConnections().filter((connection) => connection.status === 'open' && connection.limits === undefined && !relayLink.isRelay(connection.remotePeer.toString()))
  }

  readonly #onConnectionOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    if (this.#stopped || connection.limits !== undefined || this.#node.services.relayLink.isRelay(connection.remotePeer.toString())) return
    // One session per circle per pair: the lower peer id opens them (as discovery has it dial).
    if (this.#node.peerId.toString() < connection.remotePeer.toString()) {
      for (const open of this.#circles.values()) void this.#open(open, connection, this.#controller.signal)
    }
    this.#refresh()
  }

  async #open(open: OpenCircle, connection: Connection, signal?: AbortSignal): Promise<void> {
    const peer = connection.remotePeer.toString()
    // A session on a connection that has closed is ending: it does not stand in a new one's way.
    const live = () => open.links.get(peer)?.connection.status === 'open'
    if (live()) return
    let stream: Stream
    const openedAt = this.#now()
    try {
      stream = await connection.newStream(SYNC_PROTOCOL, { signal: signal ?? this.#controller.signal })
    } catch (error) {
      // The connection went away, or the peer does not speak sync (not a member): nothing to do. A
      // stream that failed on a connection still up (a data channel that did not open, a peer at its
      // stream limit) is tried again after a growing wait, as after a session that ended.
      if ((error as Error | undefined)?.name !== 'UnsupportedProtocolError') this.#reopenLater(open, peer, connection, openedAt)
      return
    }
    if (live() || this.#circles.get(open.circle.id) !== open) {
      stream.abort(new Error('duplicate sync stream'))
      return
    }
    const channel = SyncChannel.open(stream, this.#session(open, connection, true), { signal: this.#controller.signal })
    this.#track(open, peer, { channel, stream, connection, lastSyncedAt: undefined, openedAt: this.#now(), initiator: true })
  }

  readonly #onStream = (stream: Stream, connection: Connection): void => {
    let picked: OpenCircle | undefined
    const channel = SyncChannel.accept(
      stream,
      (hello) => {
        if (hello.type !== 'hello') return undefined
        picked = this.#byTopic.get(toHex(hello.topic))
        if (!picked) return undefined
        // Both sides opened a session at once (each put the circle on the network while connected):
        // the one the lower peer id opened stays, at both ends. The other is told this side has no
        // such session to offer, which it does not open again.
        const peer = connection.remotePeer.toString()
        const existing = picked.links.get(peer)
        // Only a live session on this very connection stands: one on an old connection, or ending,
        // gives way to the new one.
        const standing = existing?.initiator === true && existing.connection === connection && connection.status === 'open' && existing.channel.session?.state !== 'closed'
        if (standing && this.#node.peerId.toString() < peer) return undefined
        const session = this.#session(picked, connection, false)
        this.#track(picked, peer, { channel, stream, connection, lastSyncedAt: undefined, openedAt: this.#now(), initiator: false })
        // One session per circle and peer: a peer opening another (however many) replaces its last.
        if (existing) existing.stream.abort(new Error('duplicate sync stream'))
        return session
      },
      { signal: this.#controller.signal },
    )
    void channel.done.then((end) => {
      if (!picked && HANG_UP.has(end)) void hangUp(connection)
    })
  }

  #session(open: OpenCircle, connection: Connection, initiator: boolean): SyncSession {
    return new SyncSession({
      replica: open.replica,
      circleKey: open.circle.key,
      localPeer: this.#node.peerId.toMultihash().bytes,
      remotePeer: connection.remotePeer.toMultihash().bytes,
      random: this.#init.random,
      initiator,
      strikes: this.#init.strikes ?? SYNC_STRIKES,
      onHeld: () => this.#releaseGossip(open),
      now: this.#now,
    })
  }

  #track(open: OpenCircle, peer: string, link: Link): void {
    // A newer session replaces an older one (both sides opened at once); the older runs out alone.
    open.links.set(peer, link)
    void link.channel.done.then((end) => {
      if (open.links.get(peer) === link) open.links.delete(peer)
      if (HANG_UP.has(end)) void hangUp(link.connection)
      else if (end !== 'unknown-topic') this.#reopenLater(open, peer, link.connection, link.openedAt)
      this.#refresh()
    })
    this.#refresh()
  }

  /**
   * A session ended but its connection is up: nothing else would open one again (discovery leaves
   * connected peers alone, and `connection:open` does not fire twice), so the side that opens
   * sessions (the lower peer id) does, after a growing wait. A peer without the circle
   * ('unknown-topic') opens a session itself when it adds the circle.
   */
  #reopenLater(open: OpenCircle, peer: string, connection: Connection, openedAt: number): void {
    if (this.#stopped || this.#circles.get(open.circle.id) !== open || this.#node.peerId.toString() > peer) return
    const state = open.reopening.get(peer) ?? { ends: 0, timer: undefined }
    if (connection.status !== 'open') {
      // A later connection starts afresh (connection:open); nothing is kept for a peer that left.
      if (state.timer === undefined) open.reopening.delete(peer)
      return
    }
    if (state.timer !== undefined) return
    state.ends = this.#now() - openedAt >= SESSION_REOPEN_MAX_MS ? 1 : state.ends + 1
    const delay = backoffMs(SESSION_REOPEN_MIN_MS, SESSION_REOPEN_MAX_MS, state.ends)
    state.timer = setTimeout(() => {
      state.timer = undefined
      if (this.#stopped || this.#circles.get(open.circle.id) !== open || open.links.get(peer)?.connection.status === 'open') return
      if (connection.status === 'open') void this.#open(open, connection, this.#controller.signal)
      else open.reopening.delete(peer)
    }, delay)
    open.reopening.set(peer, state)
  }

  /** New entries (ours or received) go out together at the end of the current task. */
  #queue(open: OpenCircle, entry: Uint8Array, own: boolean, origin: object | undefined): void {
    open.pending.push({ entry, origin })
    if (own) open.pendingOwn.push(entry)
    if (open.pending.length === 1) queueMicrotask(() => this.#flush(open))
  }

  /**
   * Tells every peer in sync what is now stored here, once per frame however many writes finished:
   * a peer that was just sent an edit is busy showing it.
   */
  #announce(open: OpenCircle): void {
    if (open.announcing) return
    open.announcing = true
    nextFrame(() => {
      open.announcing = false
      if (this.#stopped) return
      for (const link of open.links.values()) link.channel.announce().catch(() => undefined)
      this.#refresh()
    })
  }

  #flush(open: OpenCircle): void {
    const pending = open.pending.splice(0)
    const own = open.pendingOwn.splice(0)
    if (pending.length === 0 || this.#stopped) return
    const sessions: SyncSession[] = []
    for (const link of open.links.values()) {
      const entries = pending.filter((item) => item.origin !== link.channel.session).map((item) => item.entry)
      // A push to a peer whose stream just broke is lost; its next session catches up from heads.
      if (entries.length > 0) link.channel.push(entries).catch(() => undefined)
      if (link.channel.session?.state === 'syncing') sessions.push(link.channel.session)
    }
    this.#gossip(open, own, sessions)
    this.#refresh()
  }

  /**
   * Gossip carries this device's own entries to the members it has no session with (the mesh passes
   * them on, so received entries are never published again). An entry pushed to peers in sync goes
   * on gossip once they all say they hold it: their gossip copy is then a duplicate that arrives
   * after they have shown the push, rather than a second copy racing it. A peer that never says so
   * holds it back for GOSSIP_WAIT_MS at most.
   */
  #gossip(open: OpenCircle, own: Uint8Array[], sessions: SyncSession[]): void {
    for (const entry of own) {
      const position = peekEntryPosition(entry)
      if (position) open.gossipWaiting.push({ entry, feed: position.feed, seq: position.seq, sessions })
    }
    this.#releaseGossip(open)
    if (open.gossipWaiting.length > 0 && open.gossipTimer === undefined) {
      open.gossipTimer = setTimeout(() => {
        open.gossipTimer = undefined
        this.#publish(open, open.gossipWaiting.splice(0))
      }, GOSSIP_WAIT_MS)
    }
  }

  /**
   * A gossiped entry came ahead of its feed: asks one peer in sync for what it waits for, one that
   * said it holds the whole range if there is one (gossip reaches members we have no session with).
   */
  #askFor(open: OpenCircle, gap: Gap): void {
    const inSync = [...open.links.values()].filter((link) => link.channel.session?.state === 'syncing')
    const holder = inSync.find((link) => link.channel.session!.holds(gap.feed, gap.to)) ?? inSync[0]
    holder?.channel.ask([gap]).catch(() => undefined)
  }

  /** Publishes the waiting entries, in order, up to the first that a peer in sync still lacks. */
  #releaseGossip(open: OpenCircle): void {
    const held = (item: GossipWaiting) => item.sessions.every((session) => session.state !== 'syncing' || session.holds(item.feed, item.seq))
    let count = 0
    while (count < open.gossipWaiting.length && held(open.gossipWaiting[count]!)) count++
    if (count > 0) this.#publish(open, open.gossipWaiting.splice(0, count))
    if (open.gossipWaiting.length === 0 && open.gossipTimer !== undefined) {
      clearTimeout(open.gossipTimer)
      open.gossipTimer = undefined
    }
  }

  #publish(open: OpenCircle, items: GossipWaiting[]): void {
    if (this.#stopped || this.#circles.get(open.circle.id) !== open) return
    for (const { entry } of items) {
      void this.#node.services.pubsub.publish(open.gossip, entry).catch(() => undefined)
    }
  }

  readonly #onGossip = (event: CustomEvent<Message>): void => {
    const open = this.#byGossip.get(event.detail.topic)
    if (!open) return
    const entry = event.detail.data
    open.gossipStats.received++
    if (entry.length > MESSAGE_LIMITS.bytes) {
      open.gossipStats.rejected++
      return
    }
    open.replica.ingest([entry]).then(
      (report) => {
        open.gossipStats.rejected += report.rejected.filter((rejection) => rejection.reason !== 'duplicate').length
        for (const gap of report.gaps ?? []) this.#askFor(open, gap)
        this.#refresh()
      },
      () => {
        open.gossipStats.rejected++
      },
    )
  }

  /** Tells listeners when something they can see changed (times alone do not count). */
  readonly #refresh = (): void => {
    if (this.#listeners.size === 0) return
    const signature = JSON.stringify(
      [...this.#circles.keys()].map((id) => {
        const status = this.status(id)!
        return [id, status.state, status.memberPeers, status.relays, status.gossip, status.peers.map(({ lastSyncedAt: _, ...rest }) => rest)]
      }),
    )
    if (signature === this.#signature) return
    this.#signature = signature
    for (const listener of this.#listeners) listener()
  }
}

function connectionKind(connection: Connection): ConnectionKind {
  if (connection.limits !== undefined) return 'relayed'
  return connection.remoteAddr.getComponents().some((component) => component.name === 'webrtc') ? 'webrtc' : 'websocket'
}

async function hangUp(connection: Connection): Promise<void> {
  await connection.close().catch((error: unknown) => connection.abort(error instanceof Error ? error : new Error(String(error))))
}

