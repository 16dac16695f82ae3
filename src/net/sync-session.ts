/**
 * One sync conversation about one circle with one peer, as a state machine over messages: the caller
 * feeds it what arrives and sends what it returns (the libp2p stream lives elsewhere). First both
 * sides prove they hold the circle key (a MAC over fresh nonces and both peer ids, so a proof can be
 * neither replayed nor relayed); only then do heads and entries move: what the other lacks, each feed
 * oldest first, in bounded messages, then `done`. After that, new entries are pushed as they appear.
 * A peer whose entries keep failing the checks is dropped.
 */
import { concat, equalBytes, fromHex, sha256, toHex, utf8 } from '../core/bytes'
import { peekEntryPosition } from '../core/entry'
import type { RejectReason } from '../core/errors'
import { equalConstantTime, hmacSha256 } from '../core/hmac'
import type { RandomBytes } from '../core/random'
import { ERROR_CODES, MESSAGE_LIMITS, NONCE_BYTES, SYNC_VERSION, type FeedLength, type SyncMessage } from './sync-messages'

/** What a session needs of a circle replica (CircleReplica has it). */
export interface SyncReplica {
  readonly topic: Uint8Array
  /** Feed (hex) → head seq. */
  heads(): Map<string, number>
  /** Stored entries of one feed with from ≤ seq ≤ to, oldest first. */
  range(feed: string, from: number, to: number): Promise<Uint8Array[]>
  ingest(batch: Uint8Array[]): Promise<{ accepted: number; buffered: number; rejected: Array<{ reason: RejectReason }> }>
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
const DEFAULT_STRIKES = 20

export class SyncSession {
  state: SessionState = 'greeting'
  readonly stats = { sent: 0, received: 0, accepted: 0, rejected: new Map<RejectReason, number>() }
  /** What the peer said it holds, updated as entries flow both ways. */
  readonly remoteHeads = new Map<string, number>()
  #remoteDone = false
  #strikes = 0
  readonly #init: SyncSessionInit
  readonly #nonce: Uint8Array
  #remoteNonce: Uint8Array | undefined
  #proofSent = false

  constructor(init: SyncSessionInit) {
    this.#init = init
    this.#nonce = init.random(NONCE_BYTES)
  }

  start(): SyncMessage[] {
    return this.#init.initiator ? [this.#hello()] : []
  }

  /** "Up to date": the peer finished sending, and each side holds every entry the other does. */
  get upToDate(): boolean {
    if (this.state !== 'syncing' || !this.#remoteDone) return false
    const mine = this.#init.replica.heads()
    for (const [feed, seq] of this.remoteHeads) if ((mine.get(feed) ?? -1) < seq) return false
    for (const [feed, seq] of mine) if ((this.remoteHeads.get(feed) ?? -1) < seq) return false
    return true
  }

  async receive(message: SyncMessage): Promise<SessionStep> {
    if (this.state === 'closed') return { send: [] }
    if (message.type === 'error') return this.#close('remote-error', [])
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
    this.stats.sent += entries.length
    // Not counted as held yet: "up to date" waits until the peer shows it has them (today, by
    // passing them on to its in-sync peers, this one included).
    return chunk(entries).map((batch) => ({ type: 'entries', entries: batch }))
  }

  #noteHeld(entries: Uint8Array[]): void {
    for (const entry of entries) {
      const position = peekEntryPosition(entry)
      if (position && (this.remoteHeads.get(position.feed) ?? -1) < position.seq) this.remoteHeads.set(position.feed, position.seq)
    }
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
    return { send }
  }

  async #onProof(mac: Uint8Array): Promise<SessionStep> {
    const expected = this.#mac(this.#init.remotePeer, this.#init.localPeer, this.#remoteNonce!, this.#nonce)
    if (!this.#proofSent || !equalConstantTime(mac, expected)) return this.#close('bad-proof')
    this.state = 'syncing'
    return { send: [{ type: 'heads', heads: this.#localHeads() }] }
  }

  async #onSync(message: SyncMessage): Promise<SessionStep> {
    switch (message.type) {
      case 'heads':
        return { send: await this.#onHeads(message.heads) }
      case 'entries':
        return this.#onEntries(message.entries)
      case 'want':
        return { send: await this.#missing(toHex(message.feed), message.from, message.to) }
      case 'done':
        this.#remoteDone = true
        return { send: [] }
      default:
        return this.#close('malformed')
    }
  }

  async #onHeads(heads: FeedLength[]): Promise<SyncMessage[]> {
    for (const head of heads) if (head.length > 0) this.remoteHeads.set(toHex(head.feed), head.length - 1)
    const send: SyncMessage[] = []
    for (const [feed, seq] of this.#init.replica.heads()) {
      const theirs = this.remoteHeads.get(feed) ?? -1
      if (seq > theirs) send.push(...(await this.#missing(feed, theirs + 1, seq)))
    }
    send.push({ type: 'done' })
    return send
  }

  /** Stored entries of a feed in bounded messages; what the peer asked beyond our head is not there. */
  async #missing(feed: string, from: number, to: number): Promise<SyncMessage[]> {
    const head = this.#init.replica.heads().get(feed)
    if (head === undefined || fromHex(feed)?.length !== 32) return []
    const last = Math.min(to, head)
    const send: SyncMessage[] = []
    for (let start = from; start <= last; start += MESSAGE_LIMITS.entries) {
      const entries = await this.#init.replica.range(feed, start, Math.min(last, start + MESSAGE_LIMITS.entries - 1))
      this.stats.sent += entries.length
      send.push(...chunk(entries).map((batch): SyncMessage => ({ type: 'entries', entries: batch })))
    }
    if (last >= from) this.remoteHeads.set(feed, Math.max(this.remoteHeads.get(feed) ?? -1, last))
    return send
  }

  async #onEntries(entries: Uint8Array[]): Promise<SessionStep> {
    this.stats.received += entries.length
    const report = await this.#init.replica.ingest(entries)
    this.stats.accepted += report.accepted
    for (const { reason } of report.rejected) {
      this.stats.rejected.set(reason, (this.stats.rejected.get(reason) ?? 0) + 1)
      if (!HARMLESS.has(reason)) this.#strikes++
    }
    if (this.#strikes >= (this.#init.strikes ?? DEFAULT_STRIKES)) return this.#close('misbehaving')
    // What the peer sent, it holds: keeps "up to date" honest while entries are pushed live.
    this.#noteHeld(entries)
    return { send: [] }
  }

  #localHeads(): FeedLength[] {
    return [...this.#init.replica.heads()].map(([feed, seq]) => ({ feed: fromHex(feed)!, length: seq + 1 }))
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

/** Splits entries into messages of at most MESSAGE_LIMITS.entries entries and about a quarter of the byte limit. */
function chunk(entries: Uint8Array[]): Uint8Array[][] {
  const batches: Uint8Array[][] = []
  let batch: Uint8Array[] = []
  let bytes = 0
  for (const entry of entries) {
    if (batch.length > 0 && (batch.length >= MESSAGE_LIMITS.entries || bytes + entry.length > MESSAGE_LIMITS.bytes / 4)) {
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
