/**
 * One circle open on this device: its feeds, its member docs and its read model (DESIGN, "Feeds and
 * entries", "Member docs"). Local writes are Yjs transactions on the author's own doc whose update is
 * signed into this device's feed; received entries go through `ingestBatch` and only what passed
 * every check is stored and applied. Writes and ingests run one at a time, so a feed's seq never races.
 *
 * Latency: a signed local entry is handed to the network as soon as it is signed, before it (or the
 * doc it changed) is written; a received live edit is applied and shown before it is written, a
 * received catch-up batch while it is. Nothing is ever counted as held (`heads()`, which peers see)
 * before its write succeeded: an entry whose write fails stays in `#unsaved`, is written again before
 * the next write or ingest, and counts only then.
 */
import * as Y from 'yjs'
import { concat, fromHex, toHex, utf8 } from '../core/bytes'
import { circleTopic } from '../core/circle-secrets'
import type { Ed25519 } from '../core/ed25519'
import { decodeEntry, peekEntryPosition } from '../core/entry'
import { FeedLog, type Gap } from '../core/feed'
import { type BoxKeyPair, type SigningKeyPair, issueCertificate } from '../core/keys'
import type { Id, MemberId, Offer, OfferDraft, Profile, Want, WantDraft } from '../core/model'
import { type Payload, openPayload } from '../core/payload'
import { type RandomBytes, newId } from '../core/random'
import { nextFrame, nextTask, runReporting } from '../core/schedule'
import { checkOfferDraft, checkWantDraft, normalizeOfferDraft, normalizeWantDraft } from '../core/validate'
import { nextEntry } from './feed-writer'
import { CircleClosedError, InvalidDraftError, NotYourRecordError, OwnFeedConflictError, PhotoTooLargeError, UnknownRecordError } from './errors'
import { type Rejection, ingestBatch, toRecord } from './ingest'
import { type FieldValue, newMemberDoc, readRawDoc, transactUpdate, writeProfile, writeRecord } from './member-doc'
import { MAX_PHOTO_BYTES, type PhotoBlobs, openPhoto, photoBlobs, photoHash, sealPhoto } from './photos'
import { MemberDocs } from './member-docs'
import { CircleReadModel } from './read-model'
import { Roster } from './roster'
import type { CircleHandle, CircleRecord, CircleView, EntryRecord, Storage } from './types'
import { type UpdateCheck, UpdateChecker, buildChecked } from './update-check'

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
  /** Feeds with entries waiting for earlier ones: what to ask peers for (`want`). */
  gaps: Gap[]
}

/** Who passed an entry on to this device (a sync session), so that it is not sent back there. */
export type EntryOrigin = object

export type EntryListener = (record: EntryRecord, own: boolean, origin: EntryOrigin | undefined) => void

const REMOTE = Symbol('remote-entry')
/** Received batches up to this many entries are live edits: shown first, written right after. */
const LIVE_BATCH = 8
const DEVICE_CLAIM_DOMAIN = utf8('sharecircle/sync-device/v1\0')

export class CircleReplica implements CircleHandle {
  readonly id: string
  readonly me: MemberId
  readonly topic: Uint8Array
  readonly topicHex: string
  /** The circle's photos as the network moves them: sealed, checked with the circle key. */
  readonly blobs: PhotoBlobs
  readonly #options: ReplicaOptions
  readonly #circleId: Uint8Array
  readonly #feeds = new FeedLog()
  readonly #roster = new Roster()
  readonly #docs: MemberDocs
  readonly #readModel: CircleReadModel
  readonly #listeners = new Set<() => void>()
  readonly #entryListeners = new Set<EntryListener>()
  /** Where received records came from, until they are passed on. */
  readonly #origins = new WeakMap<EntryRecord, EntryOrigin>()
  readonly #storedListeners = new Set<() => void>()
  readonly #unstoredListeners = new Set<(error: unknown) => void>()
  readonly #checker = new UpdateChecker()
  /** Accepted entries (local or received) whose write has not succeeded yet: written with the next. */
  #unsaved: EntryRecord[] = []
  /** This device's own entries in `#unsaved` that are noted in the journal, to forget once stored. */
  readonly #noted = new Set<EntryRecord>()
  /**
   * While the page is hidden (it may be discarded unannounced), every write first notes again any own
   * entry whose note failed (each is noted as it leaves, in #append).
   */
  #noteAsSent = false
  /** What waits for an unsaved entry of this device to be stored: its doc update's save. */
  readonly #whenStored = new Map<EntryRecord, () => void>()
  /** Feed → highest stored seq: what this device holds for certain, and all it tells peers. */
  readonly #stored = new Map<string, number>()
  #queue: Promise<unknown> = Promise.resolve()
  /** Tasks started or waiting in `#queue`. */
  #queued = 0
  #notifyScheduled = false
  /** While a local write is being signed, listeners wait (see #write). */
  #notifyHeld = false
  #notifyPending = false
  #closed = false

  private constructor(options: ReplicaOptions) {
    this.#options = options
    this.id = options.circle.id
    this.me = toHex(options.keys.identity.publicKey)
    this.#circleId = fromHex(options.circle.id)!
    this.topic = circleTopic({ id: this.#circleId, key: options.circle.key })
    this.topicHex = toHex(this.topic)
    this.blobs = photoBlobs(options.circle.key, options.storage.blobs)
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
      onChange: (member, change) => {
        this.#readModel.invalidate(member, change)
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
    this.#docs.prepareOwn()
    const { entries } = this.#options.storage
    const [stored, forks] = await Promise.all([entries.heads(this.topicHex), entries.getForks(this.topicHex)])
    const joins = await Promise.all(stored.map((head) => entries.getRange(this.topicHex, head.feed, 0, 0)))
    const admitted = new Set<string>()
    for (const record of joins.flat()) {
      // Stored entries passed every check when they arrived; only their join payload is needed here.
      const entry = decodeEntry(record.bytes)
      const payload = entry.ok ? openPayload(this.#options.circle.key, entry.value) : undefined
      if (payload?.ok && payload.value.type === 'join') {
        this.#roster.add(record.feed, payload.value)
        admitted.add(record.feed)
      }
    }
    // A feed without a join at seq 0 was stored by an older version, which kept such feeds: it is
    // neither held nor served (ingest.ts keeps none now).
    const heads = stored.filter((head) => admitted.has(head.feed))
    this.#feeds.restore(heads)
    for (const head of heads) this.#stored.set(head.feed, head.seq)
    for (const fork of forks) this.#feeds.freeze(fork.feed)
    await this.#docs.openAll()
    await this.#recoverUnstored()
    if (!this.#feeds.head(toHex(this.#options.keys.device.publicKey))) await this.#join()
  }

  /**
   * Own entries that were sent but never stored (the tab died in between; see store/journal.ts) are
   * stored now, through every check a received entry passes, before this device signs anything: a
   * new entry then follows them instead of forking the feed. Peers that missed them ask for them by
   * heads, as for any entry.
   */
  async #recoverUnstored(): Promise<void> {
    const { journal } = this.#options.storage
    const noted = journal.noted(this.topicHex, this.#ownFeed)
    if (noted.length === 0) return
    // Only what lies beyond the stored head: a note at a stored seq is that entry (already stored),
    // or one this device signed twice, and ingesting that would freeze this device's own feed over
    // a fork no peer may ever have seen.
    const head = this.#stored.get(this.#ownFeed) ?? -1
    const beyond = noted.filter((item) => {
      const position = peekEntryPosition(item.bytes)
      return item.seq > head && position?.feed === this.#ownFeed && position.seq === item.seq
    })
    try {
      if (beyond.length > 0) await this.ingest(beyond.map((item) => item.bytes))
    } catch {
      // The write failed (a full disk): what was accepted is applied and written with the next
      // write, and every note stays until then. The circle opens all the same.
      for (const record of this.#unsaved) if (record.feed === this.#ownFeed) this.#noted.add(record)
      return
    }
    // Stored ones were forgotten as they were stored. The rest never will be: stored before, or
    // refused by the checks.
    journal.forget(noted.map((item) => ({ topic: this.topicHex, feed: this.#ownFeed, seq: item.seq })))
  }

  view(): CircleView {
    return this.#readModel.view()
  }

  /**
   * The page is going away or hidden (`true`; a hidden page may be discarded without notice) or
   * visible again. This device's entries that peers may hold and storage does not yet are noted in
   * the journal (store/journal.ts), which outlives the tab: each as it leaves (#append), and again
   * any whose note failed (a full localStorage) when the page is hidden, as each later one is
   * written while it stays hidden (a hidden tab still writes: an auto-accept, a review reveal), and
   * when a write fails. The next opening stores what is noted before signing anything, so it never
   * signs another entry at their seqs (a fork).
   */
  pageHidden(hidden: boolean): void {
    this.#noteAsSent = hidden
    if (hidden) this.#noteUnstored()
  }

  /** Notes this device's own entries being written or left by a failed write (`#unsaved`). */
  #noteUnstored(): void {
    for (const record of this.#unsaved) {
      if (record.feed !== this.#ownFeed || this.#noted.has(record)) continue
      if (this.#options.storage.journal.note(record)) this.#noted.add(record)
    }
  }

  /** Whether `close()` was called: nothing is written after it. */
  get closed(): boolean {
    return this.#closed
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Every entry this device accepts, for the network layer to pass on: its `own` as soon as they are
   * signed (their write may still be under way), received ones once they are stored, with the
   * `origin` their ingest named.
   */
  subscribeEntries(listener: EntryListener): () => void {
    this.#entryListeners.add(listener)
    return () => this.#entryListeners.delete(listener)
  }

  /**
   * Signs a sync session's context with this device's key, under its own domain tag (so the key that
   * signs entries never signs anything that could be read as one): how a peer learns whose device it
   * talks to.
   */
  async signDevice(context: Uint8Array): Promise<{ feed: Uint8Array; signature: Uint8Array }> {
    const { device } = this.#options.keys
    return { feed: device.publicKey, signature: await this.#options.ed.sign(device.secretKey, concat(DEVICE_CLAIM_DOMAIN, context)) }
  }

  /** Whether device `feed` signed `context` (see signDevice). */
  verifyDevice(feed: Uint8Array, context: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.#options.ed.verify(feed, concat(DEVICE_CLAIM_DOMAIN, context), signature)
  }

  /** The member a device (feed, hex) belongs to, once its join is here. */
  memberOfDevice(feed: string): MemberId | undefined {
    return this.#roster.memberOfFeed(feed)
  }

  /** Told whenever `heads()` grew: entries (own or received) became durable. */
  subscribeStored(listener: () => void): () => void {
    this.#storedListeners.add(listener)
    return () => this.#storedListeners.delete(listener)
  }

  /**
   * Told when a local edit was signed and shared but could not be stored here (a full disk): the
   * edit stands, and it is stored with the next write that succeeds, or on the next opening.
   */
  subscribeUnstored(listener: (error: unknown) => void): () => void {
    this.#unstoredListeners.add(listener)
    return () => this.#unstoredListeners.delete(listener)
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

  /** Feed → head seq of what is stored: an entry still being written is not counted. */
  heads(): Map<string, number> {
    return new Map(this.#stored)
  }

  /**
   * Receives entries from anywhere (a peer, a relay, a file); see ingest.ts for the checks. `origin`
   * (a sync session) comes back with each accepted entry to entry listeners.
   */
  ingest(batch: Uint8Array[], origin?: EntryOrigin): Promise<IngestReport> {
    return this.#serial(async () => {
      if (this.#closed) throw new CircleClosedError()
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
      // Accepted into the feed log, so unsaved from here on: should anything below fail, the next
      // write or ingest stores them, and opening replays them into the docs (rather than the feed
      // holding a seq that neither storage nor the docs have).
      this.#unsaved = [...this.#unsaved, ...records]
      if (origin) for (const record of records) this.#origins.set(record, origin)
      // A member first seen in this batch has nothing stored to restore: their doc is built from
      // what this batch brings (checked as it is built), below.
      const fresh = new Set(result.joined.filter((member) => member !== this.me && !this.#docs.known(member)))
      for (const member of result.joined) if (!fresh.has(member)) await this.#docs.doc(member)
      // A big batch (catching up) is applied while its write runs; a small one (a live edit) is written
      // in the next task, after the screen has shown it (the render follows the apply in this task's
      // microtasks). Either way nothing unstored is counted as held, and if the write fails the
      // entries stay accepted (a resend is a duplicate, never applied twice) and are written again
      // with the next write or ingest.
      const stored = records.length > LIVE_BATCH ? this.#persist([]) : undefined
      stored?.catch(() => undefined)
      for (const [member, list] of result.updates) {
        const updates = list.map((item) => item.update)
        // Checked and adopted in one synchronous step, so nothing can open the doc in between.
        const check =
          fresh.has(member) && !this.#docs.known(member)
            ? this.#adopt(member, buildChecked(updates))
            : this.#checker.apply(this.#docs.loaded(member) ?? (await this.#docs.doc(member)), updates, REMOTE)
        for (const index of check.bad) {
          const { entry } = list[index]!
          result.rejected.push({ reason: 'bad-update', feed: entry.feedId, seq: entry.seq })
        }
      }
      for (const member of fresh) if (!result.updates.has(member)) this.#docs.adopt(member, newMemberDoc())
      for (const entry of result.appended) this.#docs.reflect(entry.feedId, entry.seq)
      for (const member of result.joined) this.#readModel.invalidate(member)
      if (result.joined.length > 0) this.#scheduleNotify()
      await (stored ?? new Promise<void>((written, failed) => nextTask(() => this.#persist([]).then(written, failed))))
      for (const fork of result.forks) await entries.putFork(this.topicHex, fork.feed, fork.seq, fork.entries)
      this.#docs.saveSoon(new Set([...result.joined, ...result.updates.keys()]))
      return { accepted: records.length, buffered: result.buffered, rejected: result.rejected, gaps: result.gaps }
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

  /**
   * Changes an own offer. The offer is read in the write's own turn, after the writes queued before
   * it, so a patch given as a function of it (a day blocked on the calendar) builds on those, not on
   * the offer as it was when asked.
   */
  async updateOffer(id: Id, patch: Partial<OfferDraft> | ((current: Offer) => Partial<OfferDraft>)): Promise<void> {
    this.#own('offers', id)
    await this.#write((doc) => {
      const current = this.#own('offers', id)
      const { id: _id, owner: _owner, created: _created, updated: _updated, ...draft } = current
      const merged = { ...draft, ...(typeof patch === 'function' ? patch(current) : patch) } as OfferDraft
      const errors = checkOfferDraft(merged)
      if (Object.keys(errors).length > 0) throw new InvalidDraftError(errors)
      writeRecord(doc, 'offers', id, { ...toFields(normalizeOfferDraft(merged)), updated: this.#options.now() })
    })
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
    // Anything bigger could never travel to other members (see the blob protocol's limit).
    if (bytes.length > MAX_PHOTO_BYTES) throw new PhotoTooLargeError()
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
    // One more try for writes that failed (a full disk): they count as held only once stored.
    await this.#persist([]).catch(() => undefined)
    this.#checker.clear()
    await this.#docs.close()
    this.#listeners.clear()
    this.#entryListeners.clear()
    this.#storedListeners.clear()
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
      // Loaded already (the usual case): the transaction and the signing start in the caller's own
      // task, before any re-render the caller's state change scheduled.
      const doc = this.#docs.loaded(this.me) ?? (await this.#docs.doc(this.me))
      // Refused before the doc changes: an edit that cannot become an entry must not be in it.
      if (this.#closed) throw new CircleClosedError()
      if (this.#feeds.isFrozen(this.#ownFeed)) throw new OwnFeedConflictError()
      // Peers hear of a local edit before this device re-renders it: the render waits for the
      // signature instead of the signature for it, and then for the next frame, which would show it
      // either way: meanwhile the send's own threads and processes (WebRTC's network thread, the
      // browser's socket) have the device's few cores to themselves. The doc's save waits until the entry is stored
      // (with a later write, if this one fails; closing drops it if none did), so the doc on disk
      // holds no edit that no stored entry carries, unless signing itself failed; member-docs.ts
      // replays the other way round on opening.
      this.#notifyHeld = true
      const releaseSaves = this.#docs.holdOwnSaves()
      let signed: EntryRecord | undefined
      try {
        const update = transactUpdate(doc, write)
        if (update) await this.#append({ type: 'update', update }, (record) => (signed = record))
      } catch (error) {
        if (!signed) throw error
        // Signed, in the feed and on its way to peers: the edit is made, and failing it would have the
        // person make it twice. What failed is storing it here, which the next write or opening
        // retries (the journal holds it meanwhile); whoever listens tells the person.
        for (const listener of this.#unstoredListeners) runReporting(() => listener(error))
      } finally {
        if (signed && this.#unsaved.includes(signed)) this.#whenStored.set(signed, releaseSaves)
        else releaseSaves()
        this.#releaseNotify()
      }
    })
  }

  /**
   * Signs the payload as this device's next entry, hands it to the network, then makes it durable
   * with anything left unsaved; resolves once it is.
   */
  async #append(payload: Payload, signed?: (record: EntryRecord) => void): Promise<void> {
    if (this.#closed) throw new CircleClosedError()
    const { keys, ed, random, now, circle } = this.#options
    const init = { device: keys.device, topic: this.topic, circleKey: circle.key, ed, random, now }
    const entry = await nextEntry(init, this.#feeds.head(this.#ownFeed), payload)
    const outcome = this.#feeds.offer(entry)
    if (!('status' in outcome) || outcome.status !== 'appended') throw new OwnFeedConflictError()
    const record = toRecord(this.topicHex, entry)
    signed?.(record)
    this.#emitEntry(record)
    this.#releaseNotify()
    this.#unsaved = [...this.#unsaved, record]
    // The network passes the entry on in a microtask (it batches what one task produced): once it
    // has, the entry is noted in the journal, as its peers may hold it and storage does not yet.
    await Promise.resolve()
    this.#noteUnstored()
    // The IndexedDB write is work for the device's few cores while the entry leaves, so it waits for
    // the next frame, as the re-render does; the frame bounds the wait. Not when another write or a
    // received batch waits behind this one: those would wait with it.
    if (this.#queued <= 1) await new Promise<void>((resolve) => nextFrame(resolve))
    await this.#persist([])
  }

  #adopt(member: MemberId, built: UpdateCheck & { doc: Y.Doc }): UpdateCheck {
    this.#docs.adopt(member, built.doc)
    return built
  }

  get #ownFeed(): string {
    return toHex(this.#options.keys.device.publicKey)
  }

  /**
   * Writes these records together with any left from a failed write; only once the write succeeded
   * do they count in `heads()`, and received ones are passed on (this device's own already were).
   * On failure they all stay unsaved.
   */
  async #persist(records: EntryRecord[]): Promise<void> {
    const batch = [...this.#unsaved, ...records]
    this.#unsaved = batch
    if (batch.length === 0) return
    if (this.#noteAsSent) this.#noteUnstored()
    try {
      await this.#options.storage.entries.putEntries(batch)
    } catch (error) {
      // Sent and not stored, maybe for a while (a full disk): kept where a dying tab leaves them.
      this.#noteUnstored()
      throw error
    }
    const written = new Set(batch)
    this.#unsaved = this.#unsaved.filter((record) => !written.has(record))
    const own = batch.filter((record) => record.feed === this.#ownFeed)
    const noted = own.filter((record) => this.#noted.delete(record))
    if (noted.length > 0) this.#options.storage.journal.forget(noted)
    for (const record of batch) {
      // This device's own entries were in its doc before they were signed; a mark may cover them
      // once they are stored (received ones are reflected as they are applied, in ingest).
      if (record.feed === this.#ownFeed) this.#docs.reflect(record.feed, record.seq)
      this.#whenStored.get(record)?.()
      this.#whenStored.delete(record)
    }
    if (own.length > 0) this.#docs.saveSoon([this.me])
    for (const record of batch) if ((this.#stored.get(record.feed) ?? -1) < record.seq) this.#stored.set(record.feed, record.seq)
    for (const listener of this.#storedListeners) runReporting(listener)
    for (const record of batch) if (record.feed !== this.#ownFeed) this.#emitEntry(record)
  }

  /** Runs tasks one at a time, in order; with nothing queued, the task starts at once. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    let run: Promise<T>
    if (this.#queued === 0) {
      try {
        run = task()
      } catch (error) {
        run = Promise.reject(error)
      }
    } else {
      run = this.#queue.then(task, task)
    }
    this.#queued++
    this.#queue = run.then(
      () => void this.#queued--,
      () => void this.#queued--,
    )
    return run
  }

  #emitEntry(record: EntryRecord): void {
    const own = record.feed === this.#ownFeed
    const origin = this.#origins.get(record)
    // A listener's failure is its own: the entry is signed and on its way to storage regardless.
    for (const listener of this.#entryListeners) runReporting(() => listener(record, own, origin))
  }

  /** After a local edit: the page shows it at its next frame, once its peers had the CPU to show it. */
  #releaseNotify(): void {
    if (!this.#notifyHeld) return
    this.#notifyHeld = false
    if (this.#notifyPending) {
      this.#notifyPending = false
      nextFrame(() => this.#scheduleNotify())
    }
  }

  #scheduleNotify(): void {
    if (this.#notifyHeld) {
      this.#notifyPending = true
      return
    }
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
