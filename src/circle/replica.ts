/**
 * One circle open on this device: its feeds, its member docs and its read model (DESIGN, "Feeds and
 * entries", "Member docs"). Local writes are Yjs transactions on the author's own doc whose update is
 * signed into this device's feed and stored before anyone is told; received entries go through
 * `ingestBatch` and only what passed every check is stored and applied. Writes and ingests run one at
 * a time, so a feed's seq never races.
 */
import * as Y from 'yjs'
import { fromHex, toHex } from '../core/bytes'
import { circleTopic } from '../core/circle-secrets'
import type { Ed25519 } from '../core/ed25519'
import { decodeEntry } from '../core/entry'
import { FeedLog } from '../core/feed'
import { type BoxKeyPair, type SigningKeyPair, issueCertificate } from '../core/keys'
import type { Id, MemberId, Offer, OfferDraft, Profile, Want, WantDraft } from '../core/model'
import { type Payload, openPayload } from '../core/payload'
import { type RandomBytes, newId } from '../core/random'
import { checkOfferDraft, checkWantDraft, normalizeOfferDraft, normalizeWantDraft } from '../core/validate'
import { nextEntry } from './feed-writer'
import { CircleClosedError, InvalidDraftError, NotYourRecordError, OwnFeedConflictError, UnknownRecordError } from './errors'
import { type Rejection, ingestBatch, toRecord } from './ingest'
import { type FieldValue, readRawDoc, transactUpdate, writeProfile, writeRecord } from './member-doc'
import { openPhoto, photoHash, sealPhoto } from './photos'
import { MemberDocs } from './member-docs'
import { CircleReadModel } from './read-model'
import { Roster } from './roster'
import type { CircleHandle, CircleRecord, CircleView, EntryRecord, Storage } from './types'
import { applyChecked } from './update-check'

export interface ReplicaKeys {
  identity: SigningKeyPair
  device: SigningKeyPair
  box: BoxKeyPair
  name: string
}

export interface ReplicaOptions {
  circle: CircleRecord
  keys: ReplicaKeys
  storage: Storage
  ed: Ed25519
  random: RandomBytes
  now: () => number
}

export interface IngestReport {
  accepted: number
  buffered: number
  rejected: Rejection[]
}

const REMOTE = Symbol('remote-entry')

export class CircleReplica implements CircleHandle {
  readonly id: string
  readonly me: MemberId
  readonly topic: Uint8Array
  readonly topicHex: string
  readonly #options: ReplicaOptions
  readonly #circleId: Uint8Array
  readonly #feeds = new FeedLog()
  readonly #roster = new Roster()
  readonly #docs: MemberDocs
  readonly #readModel: CircleReadModel
  readonly #listeners = new Set<() => void>()
  readonly #entryListeners = new Set<(record: EntryRecord) => void>()
  /** Signed local entries not yet durable (a full disk): retried before the next write. */
  #unsaved: EntryRecord[] = []
  #queue: Promise<unknown> = Promise.resolve()
  #notifyScheduled = false
  #closed = false

  private constructor(options: ReplicaOptions) {
    this.#options = options
    this.id = options.circle.id
    this.me = toHex(options.keys.identity.publicKey)
    this.#circleId = fromHex(options.circle.id)!
    this.topic = circleTopic({ id: this.#circleId, key: options.circle.key })
    this.topicHex = toHex(this.topic)
    this.#readModel = new CircleReadModel(
      (member) => this.#docs.loaded(member),
      (member) => this.#roster.get(member),
    )
    this.#docs = new MemberDocs({
      circleId: this.id,
      circleKey: options.circle.key,
      topicHex: this.topicHex,
      me: this.me,
      storage: options.storage,
      feeds: this.#feeds,
      roster: this.#roster,
      remoteOrigin: REMOTE,
      onChange: (member) => {
        this.#readModel.invalidate(member)
        this.#scheduleNotify()
      },
    })
  }

  /** Opens a circle from storage: heads, each feed's join, then every member doc (y-indexeddb). */
  static async open(options: ReplicaOptions): Promise<CircleReplica> {
    const replica = new CircleReplica(options)
    await replica.#load()
    return replica
  }

  async #load(): Promise<void> {
    const { entries } = this.#options.storage
    const [heads, forks] = await Promise.all([entries.heads(this.topicHex), entries.getForks(this.topicHex)])
    this.#feeds.restore(heads)
    for (const fork of forks) this.#feeds.freeze(fork.feed)
    const joins = await Promise.all(heads.map((head) => entries.getRange(this.topicHex, head.feed, 0, 0)))
    for (const record of joins.flat()) {
      // Stored entries passed every check when they arrived; only their join payload is needed here.
      const entry = decodeEntry(record.bytes)
      const payload = entry.ok ? openPayload(this.#options.circle.key, entry.value) : undefined
      if (payload?.ok && payload.value.type === 'join') this.#roster.add(record.feed, payload.value)
    }
    await this.#docs.openAll()
    if (!this.#feeds.head(toHex(this.#options.keys.device.publicKey))) await this.#join()
  }

  view(): CircleView {
    return this.#readModel.view()
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Every entry this device stores, local or received, for the network layer to pass on. */
  subscribeEntries(listener: (record: EntryRecord) => void): () => void {
    this.#entryListeners.add(listener)
    return () => this.#entryListeners.delete(listener)
  }

  /** A member doc's Yjs state vector and raw contents, to compare replicas (sync status, tests). */
  memberSnapshot(member: MemberId): { stateVector: Uint8Array; raw: ReturnType<typeof readRawDoc> } | undefined {
    const doc = this.#docs.loaded(member)
    return doc && { stateVector: Y.encodeStateVector(doc), raw: readRawDoc(doc) }
  }

  /** Stored entries of one feed with from ≤ seq ≤ to, oldest first: what peers are sent. */
  async range(feed: string, from: number, to: number): Promise<Uint8Array[]> {
    return (await this.#options.storage.entries.getRange(this.topicHex, feed, from, to)).map((record) => record.bytes)
  }

  heads(): Map<string, number> {
    return new Map(this.#feeds.heads().map((head) => [head.feed, head.seq]))
  }

  /** Receives entries from anywhere (a peer, a relay, a file); see ingest.ts for the checks. */
  ingest(batch: Uint8Array[]): Promise<IngestReport> {
    return this.#serial(async () => {
      const { entries } = this.#options.storage
      const result = await ingestBatch(
        {
          ed: this.#options.ed,
          topic: this.topic,
          circleId: this.#circleId,
          circleKey: this.#options.circle.key,
          feeds: this.#feeds,
          roster: this.#roster,
          stored: async (feed, seq) => (await entries.getRange(this.topicHex, feed, seq, seq))[0],
        },
        batch,
      )
      const records = result.appended.map((entry) => toRecord(this.topicHex, entry))
      try {
        await entries.putEntries(records)
      } catch (error) {
        // Nothing of this batch is durable, so nothing of it may count as received: forget it all.
        this.#feeds.restore(await entries.heads(this.topicHex))
        throw error
      }
      for (const fork of result.forks) await entries.putFork(this.topicHex, fork.feed, fork.seq, fork.entries)
      for (const member of result.joined) {
        await this.#docs.doc(member)
        this.#readModel.invalidate(member)
      }
      for (const [member, list] of result.updates) {
        const check = applyChecked(await this.#docs.doc(member), list.map((item) => item.update), REMOTE)
        for (const index of check.bad) {
          const { entry } = list[index]!
          result.rejected.push({ reason: 'bad-update', feed: entry.feedId, seq: entry.seq })
        }
      }
      await this.#docs.save(new Set([...result.joined, ...result.updates.keys()]))
      for (const record of records) this.#emitEntry(record)
      if (result.joined.length > 0) this.#scheduleNotify()
      return { accepted: records.length, buffered: result.buffered, rejected: result.rejected }
    })
  }

  setProfile(patch: Partial<Omit<Profile, 'boxPublicKey'>>): Promise<void> {
    return this.#write((doc) => writeProfile(doc, toFields(patch)))
  }

  async addOffer(draft: OfferDraft): Promise<Id> {
    const errors = checkOfferDraft(draft)
    if (Object.keys(errors).length > 0) throw new InvalidDraftError(errors)
    const id = newId(this.#options.random)
    const now = this.#options.now()
    await this.#write((doc) => writeRecord(doc, 'offers', id, { ...toFields(normalizeOfferDraft(draft)), created: now, updated: now }))
    return id
  }

  async updateOffer(id: Id, patch: Partial<OfferDraft>): Promise<void> {
    const current = this.#own('offers', id)
    const { id: _id, owner: _owner, created: _created, updated: _updated, ...draft } = current
    const merged = { ...draft, ...patch } as OfferDraft
    const errors = checkOfferDraft(merged)
    if (Object.keys(errors).length > 0) throw new InvalidDraftError(errors)
    const now = this.#options.now()
    await this.#write((doc) => writeRecord(doc, 'offers', id, { ...toFields(normalizeOfferDraft(merged)), updated: now }))
  }

  async removeOffer(id: Id): Promise<void> {
    this.#own('offers', id)
    const now = this.#options.now()
    await this.#write((doc) => writeRecord(doc, 'offers', id, { removed: now, updated: now }))
  }

  async postWant(draft: WantDraft): Promise<Id> {
    const errors = checkWantDraft(draft)
    if (Object.keys(errors).length > 0) throw new InvalidDraftError(errors)
    const id = newId(this.#options.random)
    const now = this.#options.now()
    const fields = { ...toFields(normalizeWantDraft(draft)), answers: [], created: now, updated: now }
    await this.#write((doc) => writeRecord(doc, 'wants', id, fields))
    return id
  }

  async updateWant(id: Id, patch: Partial<WantDraft>): Promise<void> {
    const current = this.#own('wants', id)
    const { id: _id, owner: _owner, created: _created, updated: _updated, answers: _answers, ...draft } = current
    const merged = { ...draft, ...patch }
    const errors = checkWantDraft(merged)
    if (Object.keys(errors).length > 0) throw new InvalidDraftError(errors)
    const now = this.#options.now()
    await this.#write((doc) => writeRecord(doc, 'wants', id, { ...toFields(normalizeWantDraft(merged)), updated: now }))
  }

  /**
   * Runs `write` on this member's own doc as one signed entry. For the circle layer's domain modules
   * (bookings, messages, attestations), which validate before they write; not part of CircleHandle.
   */
  writeOwn(write: (doc: Y.Doc) => void): Promise<void> {
    return this.#write(write)
  }

  /** This device's clock and id source, for the same modules. */
  get clock(): { now: () => number; newId: () => Id } {
    return { now: this.#options.now, newId: () => newId(this.#options.random) }
  }

  async putPhoto(bytes: Uint8Array, mime: string): Promise<string> {
    const hash = photoHash(bytes)
    const sealed = sealPhoto(this.#options.circle.key, this.#options.random, mime, bytes)
    await this.#options.storage.blobs.putBlob(hash, sealed)
    return hash
  }

  async getPhoto(hash: string): Promise<{ bytes: Uint8Array; mime: string } | undefined> {
    const sealed = await this.#options.storage.blobs.getBlob(hash)
    const photo = sealed && openPhoto(this.#options.circle.key, sealed)
    return photo && photoHash(photo.bytes) === hash ? photo : undefined
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#queue.catch(() => undefined)
    await this.#docs.close()
    this.#listeners.clear()
    this.#entryListeners.clear()
  }

  /** The caller's own live record, or a typed error: members edit only what they wrote. */
  #own(collection: 'offers', id: Id): Offer
  #own(collection: 'wants', id: Id): Want
  #own(collection: 'offers' | 'wants', id: Id): Offer | Want {
    const view = this.view()
    const mine = view.members.get(this.me)
    const record = (collection === 'offers' ? mine?.offers : mine?.wants)?.find((item) => item.id === id)
    if (record) return record
    const all: Array<{ id: Id }> = view[collection]
    throw all.some((item) => item.id === id) ? new NotYourRecordError() : new UnknownRecordError()
  }

  async #join(): Promise<void> {
    const { keys, now, ed } = this.#options
    const certificate = await issueCertificate(ed, keys.identity, keys.device.publicKey, this.#circleId, now())
    await this.#serial(() => this.#append({ type: 'join', certificate, name: keys.name, boxPublicKey: keys.box.publicKey }))
    this.#roster.add(toHex(keys.device.publicKey), { type: 'join', certificate, name: keys.name, boxPublicKey: keys.box.publicKey })
    await this.#docs.doc(this.me)
    this.#readModel.invalidate(this.me)
    const myDoc = this.#docs.loaded(this.me)!
    if (!hasProfileName(myDoc)) await this.setProfile({ name: keys.name })
  }

  #write(write: (doc: Y.Doc) => void): Promise<void> {
    return this.#serial(async () => {
      const update = transactUpdate(await this.#docs.doc(this.me), write)
      if (update) await this.#append({ type: 'update', update })
    })
  }

  /** Signs the payload as this device's next entry and makes it durable (with anything left unsaved). */
  async #append(payload: Payload): Promise<void> {
    if (this.#closed) throw new CircleClosedError()
    const { keys, ed, random, now, circle, storage } = this.#options
    const init = { device: keys.device, topic: this.topic, circleKey: circle.key, ed, random, now }
    const entry = await nextEntry(init, this.#feeds.head(toHex(keys.device.publicKey)), payload)
    const outcome = this.#feeds.offer(entry)
    if (!('status' in outcome) || outcome.status !== 'appended') throw new OwnFeedConflictError()
    const record = toRecord(this.topicHex, entry)
    this.#unsaved.push(record)
    await storage.entries.putEntries(this.#unsaved)
    this.#unsaved = []
    this.#emitEntry(record)
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task)
    this.#queue = run.catch(() => undefined)
    return run
  }

  #emitEntry(record: EntryRecord): void {
    for (const listener of this.#entryListeners) listener(record)
  }

  #scheduleNotify(): void {
    if (this.#notifyScheduled) return
    this.#notifyScheduled = true
    queueMicrotask(() => {
      this.#notifyScheduled = false
      for (const listener of this.#listeners) listener()
    })
  }
}

/** Yjs maps hold JSON: an absent optional field is written as null. */
function toFields(object: object): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {}
  for (const [key, value] of Object.entries(object)) fields[key] = value === undefined ? null : (value as FieldValue)
  return fields
}

function hasProfileName(doc: Y.Doc): boolean {
  return typeof doc.getMap('profile').get('name') === 'string'
}
