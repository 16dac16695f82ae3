/**
 * One sync conversation about one circle with one peer, as a state machine over messages: the caller
 * feeds it what arrives and sends what it returns (the libp2p stream lives elsewhere). First both
 * sides prove they hold the circle key (a MAC over fresh nonces and both peer ids, so a proof can be
 * neither replayed nor relayed); only then do heads and entries move: what the other lacks, each feed
 * oldest first, in bounded messages, then `done`. After that, new entries are pushed as they appear.
 * Consecutive entries of one feed travel as compact runs (core/entry-run.ts), which the receiver
 * expands back into the exact entry bytes before any check. What each side holds is known only from
 * what it said: its heads, then `have` acks whenever what it has stored grows (never from what it
 * sent, which it may not have stored yet). A peer whose entries keep failing the checks is dropped.
 */
import { concat, equalBytes, fromHex, sha256, toHex, utf8 } from '../core/bytes'
import { peekEntryPosition } from '../core/entry'
import { type EntryRun, expandRun, toRuns } from '../core/entry-run'
import type { Gap } from '../core/feed'
import type { RejectReason } from '../core/errors'
import { equalConstantTime, hmacSha256 } from '../core/hmac'
import type { RandomBytes } from '../core/random'
import { ERROR_CODES, MESSAGE_LIMITS, NONCE_BYTES, SEND_WINDOW, SYNC_VERSION, type FeedLength, type SyncMessage } from './sync-messages'

/** What a session needs of a circle replica (CircleReplica has it). */
export interface SyncReplica {
  readonly topic: Uint8Array
  /** Feed (hex) → head seq. */
  heads(): Map<string, number>
  /** Stored entries of one feed with from ≤ seq ≤ to, oldest first. */
  range(feed: string, from: number, to: number): Promise<Uint8Array[]>
  /** `origin` is the session the batch came from: entries passed on are not pushed back to it. */
  ingest(batch: Uint8Array[], origin?: object): Promise<{ accepted: number; buffered: number; rejected: Array<{ reason: RejectReason; feed?: string; seq?: number }>; gaps?: Gap[] }>
  /** Signs `context` (this session, see #deviceContext) with this device's key; absent: not sent. */
  signDevice?(context: Uint8Array): Promise<{ feed: Uint8Array; signature: Uint8Array }>
  /** Whether `signature` is device `feed`'s over `context` (as signDevice makes it). */
  verifyDevice?(feed: Uint8Array, context: Uint8Array, signature: Uint8Array): Promise<boolean>
  /** The member a device (hex) belongs to, once its join is known. */
  memberOfDevice?(feed: string): string | undefined
}

export interface SyncSessionInit {
  replica: SyncReplica
  circleKey: Uint8Array
  /** Peer ids as bytes, ours and theirs, as the connection authenticated them. */
  localPeer: Uint8Array
  remotePeer: Uint8Array
  random: RandomBytes
  /** The side that opened the stream speaks first. */
  initiator: boolean
  /** Checks failed by this peer's entries before it is dropped (duplicates and early entries don't count). */
  strikes?: number
  /** Told whenever what the peer says it holds (`remoteHeads`) grew. */
  onHeld?(): void
  /** The clock, for how long an asked range is left to its answer. */
  now?(): number
}

export const SESSION_STATES = ['greeting', 'proving', 'syncing', 'closed'] as const
export type SessionState = (typeof SESSION_STATES)[number]

export interface SessionStep {
  send: SyncMessage[]
  /** Set when the session ended: the caller closes the stream (and, for `misbehaving`, may disconnect). */
  closed?: 'unknown-topic' | 'bad-proof' | 'misbehaving' | 'malformed' | 'remote-error'
}

const PROOF_DOMAIN = utf8('sharecircle/sync-proof/v1\0')
const AUTH_KEY_DOMAIN = utf8('sharecircle/sync-auth-key/v1\0')
/** Reasons that say nothing bad about the peer that forwarded the entry. */
const HARMLESS: ReadonlySet<RejectReason> = new Set(['duplicate', 'buffer-full', 'fork', 'frozen'])
/**
 * A member's own later entry that fails its payload checks stays in the member's feed (its chain runs
 * through it), so honest peers store and serve it: it counts against the peer only from the peer's own feed.
 */
const AUTHORED: ReadonlySet<RejectReason> = new Set(['undecryptable', 'bad-payload', 'bad-update'])
const DEFAULT_STRIKES = 20
/** Messages waiting for the send window above which `want`s are not answered. */
const WAITING_FOR_WANTS = 2 * SEND_WINDOW
/** An asked range not answered within this long is asked for again (the peer may have had no room for the `want`). */
export const ASK_AGAIN_MS = 5_000

export class SyncSession {
  state: SessionState = 'greeting'
  readonly stats = { sent: 0, received: 0, accepted: 0, rejected: new Map<RejectReason, number>() }
  /** What the peer said it holds (its heads, then its `have` acks). */
  readonly remoteHeads = new Map<string, number>()
  /** The device (feed, hex) this peer proved to be (`device`), once it has. */
  remoteDevice: string | undefined
  /** Per feed, the range last asked of this peer (`want`): asked again only once it changes. */
  /** Per feed, the last range asked for (at most what one answer brings) and when. */
  readonly #asked = new Map<string, { from: number; to: number; at: number }>()
  /** Entries and runs messages sent that the peer has not acknowledged yet, and those waiting to go. */
  #unacked = 0
  #waiting: SyncMessage[] = []
  #headsAnswered = false
  /** What we said we hold: `have` tells the peer only what grew since. */
  readonly #told = new Map<string, number>()
  #remoteDone = false
  #strikes = 0
  readonly #init: SyncSessionInit
  readonly #nonce: Uint8Array
  #remoteNonce: Uint8Array | undefined
  #proofSent = false
  #deviceClaim: Promise<{ feed: Uint8Array; signature: Uint8Array } | undefined> | undefined

  constructor(init: SyncSessionInit) {
    this.#init = init
    this.#nonce = init.random(NONCE_BYTES)
  }

  start(): SyncMessage[] {
    return this.#init.initiator ? [this.#hello()] : []
  }

  /** The member whose device the peer proved to be; known once that member's join is here too. */
  get remoteMember(): string | undefined {
    return this.remoteDevice === undefined ? undefined : this.#init.replica.memberOfDevice?.(this.remoteDevice)
  }

  /** "Up to date": the peer finished sending, and each side holds every entry the other does. */
  get upToDate(): boolean {
    if (this.state !== 'syncing' || !this.#remoteDone) return false
    const mine = this.#init.replica.heads()
    for (const [feed, seq] of this.remoteHeads) if ((mine.get(feed) ?? -1) < seq) return false
    for (const [feed, seq] of mine) if ((this.remoteHeads.get(feed) ?? -1) < seq) return false
    return true
  }

  /** What to answer `message` with; the caller sends it through `pace`, as everything it sends. */
  async receive(message: SyncMessage): Promise<SessionStep> {
    if (this.state === 'closed') return { send: [] }
    // A peer without this circle says so: nothing to open again until it adds the circle itself.
    if (message.type === 'error') return this.#close(message.code === ERROR_CODES.unknownTopic ? 'unknown-topic' : 'remote-error', [])
    switch (this.state) {
      case 'greeting':
        return message.type === 'hello' ? this.#onHello(message) : this.#close('malformed')
      case 'proving':
        return message.type === 'proof' ? this.#onProof(message.mac) : this.#close('malformed')
      case 'syncing':
        return this.#onSync(message)
    }
  }

  /** New entries of this device (or just received from others) for a peer already in sync. */
  push(entries: Uint8Array[]): SyncMessage[] {
    if (this.state !== 'syncing') return []
    const news = entries.filter((entry) => !this.#peerHas(entry))
    this.stats.sent += news.length
    // Not counted as held by the peer until it says so (`have`).
    return toMessages(news)
  }

  /**
   * What of `messages` (and of what waits) goes out now, for the caller to write at once and in this
   * order: entries and runs messages only while fewer than SEND_WINDOW of them wait for
   * the peer's `ack` (the rest wait here, in order, for acks); everything else at once, so that acks
   * and `have`s never wait behind entries (two sides with full windows would otherwise wait for each
   * other). A closed session sends what it is given and drops what waits.
   */
  pace(messages: SyncMessage[]): SyncMessage[] {
    if (this.state === 'closed') {
      this.#waiting = []
      return messages
    }
    const out: SyncMessage[] = []
    for (const message of messages) {
      if (carriesEntries(message)) this.#waiting.push(message)
      else out.push(message)
    }
    let released = 0
    while (released < this.#waiting.length && this.#unacked < SEND_WINDOW) {
      out.push(this.#waiting[released++]!)
      this.#unacked++
    }
    if (released > 0) this.#waiting = this.#waiting.slice(released)
    return out
  }

  /** Whether the peer said it holds entry `seq` of `feed` (hex): its heads, or a `have`. */
  holds(feed: string, seq: number): boolean {
    return seq <= (this.remoteHeads.get(feed) ?? -1)
  }

  #peerHas(entry: Uint8Array): boolean {
    const position = peekEntryPosition(entry)
    return position !== undefined && this.holds(position.feed, position.seq)
  }

  /** A `have` for whatever this replica has stored since it last told the peer; nothing if nothing grew. */
  announce(): SyncMessage[] {
    if (this.state !== 'syncing') return []
    const grown: FeedLength[] = []
    for (const [feed, seq] of this.#init.replica.heads()) {
      if ((this.#told.get(feed) ?? -1) >= seq) continue
      this.#told.set(feed, seq)
      grown.push({ feed: fromHex(feed)!, length: seq + 1 })
    }
    return grown.length > 0 ? [{ type: 'have', heads: grown }] : []
  }

  /**
   * Asks this peer for the entries that entries waiting here need (`want`). Not again while the
   * answer to the last ask of that feed is still coming (the gap starts within what it brings, at
   * most MESSAGE_LIMITS.wanted entries) unless ASK_AGAIN_MS went by without it: a peer that lacks
   * them answers nothing, and one whose queue was full dropped the ask.
   */
  ask(gaps: readonly Gap[]): SyncMessage[] {
    if (this.state !== 'syncing') return []
    const now = this.#init.now?.() ?? Date.now()
    const wants: SyncMessage[] = []
    for (const { feed, from, to } of gaps) {
      const bytes = fromHex(feed)
      if (bytes?.length !== 32 || to < from) continue
      const asked = this.#asked.get(feed)
      if (asked && from >= asked.from && from <= asked.to && now - asked.at < ASK_AGAIN_MS) continue
      this.#asked.set(feed, { from, to: Math.min(to, from + MESSAGE_LIMITS.wanted - 1), at: now })
      wants.push({ type: 'want', feed: bytes, from, to })
    }
    return wants
  }

  #noteHeld(heads: FeedLength[]): void {
    let grew = false
    for (const head of heads) {
      const feed = toHex(head.feed)
      // A peer naming ever more feeds does not grow this without bound; no circle has that many devices.
      if (!this.remoteHeads.has(feed) && this.remoteHeads.size >= MESSAGE_LIMITS.feeds) continue
      if (head.length > 0 && (this.remoteHeads.get(feed) ?? -1) < head.length - 1) {
        this.remoteHeads.set(feed, head.length - 1)
        grew = true
      }
    }
    if (grew) this.#init.onHeld?.()
  }

  #hello(): SyncMessage {
    return { type: 'hello', version: SYNC_VERSION, topic: this.#init.replica.topic, nonce: this.#nonce }
  }

  #onHello(message: Extract<SyncMessage, { type: 'hello' }>): SessionStep {
    if (message.version !== SYNC_VERSION) return this.#close('malformed')
    if (!equalBytes(message.topic, this.#init.replica.topic)) return this.#close('unknown-topic')
    this.#remoteNonce = message.nonce
    this.state = 'proving'
    const send: SyncMessage[] = this.#init.initiator ? [] : [this.#hello()]
    send.push({ type: 'proof', mac: this.#mac(this.#init.localPeer, this.#init.remotePeer, this.#nonce, message.nonce) })
    this.#proofSent = true
    // Signed now, while the proof travels; sent only once the peer's proof checks out.
    const context = this.#deviceContext(this.#init.localPeer, this.#init.remotePeer, this.#nonce, message.nonce)
    this.#deviceClaim = this.#init.replica.signDevice?.(context).catch(() => undefined)
    return { send }
  }

  async #onProof(mac: Uint8Array): Promise<SessionStep> {
    const expected = this.#mac(this.#init.remotePeer, this.#init.localPeer, this.#remoteNonce!, this.#nonce)
    if (!this.#proofSent || !equalConstantTime(mac, expected)) return this.#close('bad-proof')
    const send: SyncMessage[] = []
    const device = await this.#deviceClaim
    if (device) send.push({ type: 'device', ...device })
    // Syncing from here: heads go out with the state, so nobody sees it before they do.
    this.state = 'syncing'
    const heads = this.#init.replica.heads()
    for (const [feed, seq] of heads) this.#told.set(feed, seq)
    send.push({ type: 'heads', heads: [...heads].map(([feed, seq]) => ({ feed: fromHex(feed)!, length: seq + 1 })) })
    return { send }
  }

  async #onSync(message: SyncMessage): Promise<SessionStep> {
    switch (message.type) {
      case 'heads':
        return { send: await this.#onHeads(message.heads) }
      case 'entries':
        return this.#onEntries(message.entries)
      case 'runs':
        return this.#onEntries(message.runs.flatMap(expandRun))
      case 'want':
        // A peer that asks faster than it acknowledges gets nothing more until it catches up: what
        // waits for the window is held in memory here.
        if (this.#waiting.length >= WAITING_FOR_WANTS) return { send: [] }
        return { send: await this.#missing(toHex(message.feed), message.from, message.to) }
      case 'done':
        this.#remoteDone = true
        return { send: [] }
      case 'have':
        this.#noteHeld(message.heads)
        return { send: [] }
      case 'ack':
        // More acks than messages sent earn nothing: the window never grows past SEND_WINDOW.
        this.#unacked = Math.max(0, this.#unacked - 1)
        return { send: [] }
      case 'device':
        return this.#onDevice(message.feed, message.signature)
      default:
        return this.#close('malformed')
    }
  }

  async #onHeads(heads: FeedLength[]): Promise<SyncMessage[]> {
    this.#noteHeld(heads)
    // Answered once a session: a peer repeating `heads` cannot make this side load its store again.
    if (this.#headsAnswered) return []
    this.#headsAnswered = true
    // Every missing range at once, so small feeds share messages (one ingest each on the other side).
    const entries: Uint8Array[] = []
    for (const [feed, seq] of this.#init.replica.heads()) {
      const theirs = this.remoteHeads.get(feed) ?? -1
      if (seq > theirs) for (const entry of await this.#stored(feed, theirs + 1, seq)) entries.push(entry)
    }
    return [...toMessages(entries), { type: 'done' }]
  }

  /**
   * Stored entries of a feed in bounded messages, at most MESSAGE_LIMITS.wanted of them (the peer asks
   * again for the rest); what the peer asked beyond our head is not there.
   */
  async #missing(feed: string, from: number, to: number): Promise<SyncMessage[]> {
    return toMessages(await this.#stored(feed, from, Math.min(to, from + MESSAGE_LIMITS.wanted - 1)))
  }

  /** Stored entries of one feed with from ≤ seq ≤ to (counted as sent; the peer's `have` says when it holds them). */
  async #stored(feed: string, from: number, to: number): Promise<Uint8Array[]> {
    const head = this.#init.replica.heads().get(feed)
    if (head === undefined || fromHex(feed)?.length !== 32) return []
    const last = Math.min(to, head)
    if (last < from) return []
    const entries = await this.#init.replica.range(feed, from, last)
    this.stats.sent += entries.length
    return entries
  }

  async #onEntries(entries: Uint8Array[]): Promise<SessionStep> {
    this.stats.received += entries.length
    const report = await this.#init.replica.ingest(entries, this)
    this.stats.accepted += report.accepted
    for (const rejection of report.rejected) {
      this.stats.rejected.set(rejection.reason, (this.stats.rejected.get(rejection.reason) ?? 0) + 1)
      if (this.#blames(rejection)) this.#strikes++
    }
    if (this.#strikes >= (this.#init.strikes ?? DEFAULT_STRIKES)) return this.#close('misbehaving')
    // The ack: what is now stored here (these entries, or the same ones from elsewhere); and, for
    // entries that arrived ahead of their feed, the ones they wait for, from the peer that sent them
    // (it stores a feed only in order, so it holds them).
    return { send: [...this.announce(), ...this.ask(report.gaps ?? []), { type: 'ack' }] }
  }

  /** Whether a rejected entry counts against the peer that sent it. */
  #blames({ reason, feed, seq }: { reason: RejectReason; feed?: string; seq?: number }): boolean {
    if (HARMLESS.has(reason)) return false
    if (seq === undefined || seq === 0) return true
    // After seq 0, `not-admitted` follows a seq 0 already counted (or one an older version stored).
    if (reason === 'not-admitted') return false
    return !(AUTHORED.has(reason) && feed !== this.remoteDevice)
  }

  /** A claim that does not hold is ignored: the peer stays unnamed, the sync goes on. */
  async #onDevice(feed: Uint8Array, signature: Uint8Array): Promise<SessionStep> {
    if (this.remoteDevice === undefined) {
      const context = this.#deviceContext(this.#init.remotePeer, this.#init.localPeer, this.#remoteNonce!, this.#nonce)
      if (await this.#init.replica.verifyDevice?.(feed, context, signature)) this.remoteDevice = toHex(feed)
    }
    return { send: [] }
  }

  /** What a device signs to say it speaks in this session: the topic, both nonces and both peer ids. */
  #deviceContext(prover: Uint8Array, verifier: Uint8Array, proverNonce: Uint8Array, verifierNonce: Uint8Array): Uint8Array {
    const lengths = new Uint8Array([prover.length, verifier.length])
    return concat(this.#init.replica.topic, proverNonce, verifierNonce, lengths, prover, verifier)
  }

  #mac(prover: Uint8Array, verifier: Uint8Array, proverNonce: Uint8Array, verifierNonce: Uint8Array): Uint8Array {
    const key = sha256(concat(AUTH_KEY_DOMAIN, this.#init.circleKey))
    const lengths = new Uint8Array([prover.length, verifier.length])
    return hmacSha256(key, concat(PROOF_DOMAIN, this.#init.replica.topic, proverNonce, verifierNonce, lengths, prover, verifier))
  }

  #close(reason: NonNullable<SessionStep['closed']>, send?: SyncMessage[]): SessionStep {
    this.state = 'closed'
    const code = {
      'unknown-topic': ERROR_CODES.unknownTopic,
      'bad-proof': ERROR_CODES.badProof,
      misbehaving: ERROR_CODES.misbehaving,
      malformed: ERROR_CODES.malformed,
      'remote-error': ERROR_CODES.malformed,
    }[reason]
    return { send: send ?? [{ type: 'error', code, text: reason }], closed: reason }
  }
}

/** A message carries at most this many entry bytes: a quarter of the limit, so framing always fits. */
const MESSAGE_ENTRY_BYTES = MESSAGE_LIMITS.bytes / 4

/**
 * Entries as messages: runs of one feed's consecutive entries in compact `runs` messages, anything
 * else (never expected from our own storage) in plain `entries` messages; each message bounded in
 * entries and bytes. A run is never split across messages.
 */
function carriesEntries(message: SyncMessage): boolean {
  return message.type === 'entries' || message.type === 'runs'
}

function toMessages(entries: Uint8Array[]): SyncMessage[] {
  const messages: SyncMessage[] = []
  let loose: Uint8Array[] = []
  let runs: EntryRun[] = []
  let items = 0
  let bytes = 0
  // Each kind is flushed before the other is added, so entries keep their order.
  const flushLoose = () => {
    messages.push(...chunk(loose).map((batch): SyncMessage => ({ type: 'entries', entries: batch })))
    loose = []
  }
  const flushRuns = () => {
    if (runs.length > 0) messages.push({ type: 'runs', runs })
    runs = []
    items = 0
    bytes = 0
  }
  for (const part of toRuns(entries, { items: MESSAGE_LIMITS.entries, bytes: MESSAGE_ENTRY_BYTES })) {
    if (part instanceof Uint8Array) {
      flushRuns()
      loose.push(part)
      continue
    }
    flushLoose()
    const size = runBytes(part)
    if (items + part.items.length > MESSAGE_LIMITS.entries || bytes + size > MESSAGE_ENTRY_BYTES) flushRuns()
    runs.push(part)
    items += part.items.length
    bytes += size
  }
  flushLoose()
  flushRuns()
  return messages
}

function runBytes(run: EntryRun): number {
  return run.items.reduce((sum, item) => sum + item.ciphertext.length + 100, 100)
}

/** Splits entries into messages of at most MESSAGE_LIMITS.entries entries and about a quarter of the byte limit. */
function chunk(entries: Uint8Array[]): Uint8Array[][] {
  const batches: Uint8Array[][] = []
  let batch: Uint8Array[] = []
  let bytes = 0
  for (const entry of entries) {
    if (batch.length > 0 && (batch.length >= MESSAGE_LIMITS.entries || bytes + entry.length > MESSAGE_ENTRY_BYTES)) {
      batches.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(entry)
    bytes += entry.length + 4
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}
