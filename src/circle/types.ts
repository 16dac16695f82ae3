/**
 * The circle layer's public shapes: what the UI reads (a CircleView) and calls (a CircleHandle), and
 * what the circle layer needs from storage (structural interfaces the store implements; circle never
 * imports the store).
 */
import type * as Y from 'yjs'
import type { Id, MemberId, Offer, OfferDraft, Profile, ReadProblem, Want, WantDraft } from '../core/model'

/** Everything one member wrote to a circle, read and validated. */
export interface MemberView {
  id: MemberId
  /** Short, human-checkable form of the member id. */
  fingerprint: string
  profile: Profile
  offers: Offer[]
  wants: Want[]
  /** When this member joined (their first device certificate). */
  joined: number
  /**
   * The rest of the member's doc as unvalidated JSON: bookings, messages and attestations are read by
   * their own modules (`bookings.ts`, `attestations.ts`), which cache per MemberView object — a new
   * object exactly when this member's doc changed.
   */
  raw: { bookings: unknown; messages: unknown; attestations: unknown }
}

/** The read model over all member docs of one circle. Plain data; a new object after every change. */
export interface CircleView {
  /** In order of joining. */
  members: ReadonlyMap<MemberId, MemberView>
  /** Every live offer of every member, newest first. */
  offers: Offer[]
  /** Every want of every member, newest first (closed ones included; filter in the UI). */
  wants: Want[]
  /** What was skipped while reading member docs; never thrown. */
  problems: ReadProblem[]
}

/** One circle this device has joined, open for reading and writing. */
export interface CircleHandle {
  readonly id: string
  readonly me: MemberId
  view(): CircleView
  /** Called after every change (local or received); returns an unsubscribe function. */
  subscribe(listener: () => void): () => void
  setProfile(patch: Partial<Omit<Profile, 'boxPublicKey'>>): Promise<void>
  addOffer(draft: OfferDraft): Promise<Id>
  /** A patch given as a function is applied to the offer as it is when the write's turn comes. */
  updateOffer(id: Id, patch: Partial<OfferDraft> | ((current: Offer) => Partial<OfferDraft>)): Promise<void>
  removeOffer(id: Id): Promise<void>
  postWant(draft: WantDraft): Promise<Id>
  updateWant(id: Id, patch: Partial<WantDraft>): Promise<void>
  /** Encrypts and stores an (already resized) photo; returns its content hash for `Offer.photos`. */
  putPhoto(bytes: Uint8Array, mime: string): Promise<string>
  /** The decrypted photo, or undefined while this device does not hold it. */
  getPhoto(hash: string): Promise<{ bytes: Uint8Array; mime: string } | undefined>
  close(): Promise<void>
}

/** A circle as this device remembers it. The key never leaves the device except in invites and backups. */
export interface CircleRecord {
  /** Hex of the 16-byte circle id. */
  id: string
  /** The 32-byte circle key. */
  key: Uint8Array
  name: string
  description: string
  createdAt: number
  /** Relay multiaddrs of the circle: from its invite, or the relay that served the app where it was made. */
  relays: string[]
  /** Who invited this device's member (from the invite); trust is seen through them until one vouches. */
  invitedBy?: MemberId
}

/** What this device keeps about its owner: the identity key and this profile's own device key. */
export interface DeviceRecord {
  /** Ed25519 identity secret key, 64 bytes (tweetnacl layout: seed ‖ public key). */
  identitySecret: Uint8Array
  /** Ed25519 device secret key, 64 bytes; new on every restore. */
  deviceSecret: Uint8Array
  /** X25519 box secret key, 32 bytes. */
  boxSecret: Uint8Array
  name: string
  createdAt: number
  /** When the member last exported a backup or wrote down the phrase; undefined = never. */
  backedUpAt: number | undefined
}

/** Small records: the device record and the circles. */
export interface RecordStorage {
  getDevice(): Promise<DeviceRecord | undefined>
  putDevice(device: DeviceRecord): Promise<void>
  listCircles(): Promise<CircleRecord[]>
  putCircle(circle: CircleRecord): Promise<void>
  deleteCircle(id: string): Promise<void>
}

/** Content-addressed bytes (photos), stored encrypted; keyed by hex hash. */
export interface BlobStorage {
  putBlob(hash: string, bytes: Uint8Array): Promise<void>
  getBlob(hash: string): Promise<Uint8Array | undefined>
}

/** Feed (hex) → the highest seq whose entry (and every one before it) a doc already includes. */
export type DocCovers = Record<string, number>

/**
 * Another member's doc as last saved: a cache of what their entries say, so a circle opens with one
 * read instead of replaying every entry. `covers` names the last seq of each feed already in `state`;
 * anything stored beyond it is replayed from entries on open.
 */
export interface DocSnapshot {
  /** `<circle id>:<member id>`. */
  name: string
  /** The doc's full Yjs state (Y.encodeStateAsUpdate). */
  state: Uint8Array
  covers: DocCovers
}

export interface SnapshotStorage {
  /** Stores all snapshots in one transaction, replacing earlier ones of the same name. */
  putSnapshots(snapshots: DocSnapshot[]): Promise<void>
  /** Every snapshot whose name starts with `prefix`, by name. */
  getSnapshots(prefix: string): Promise<DocSnapshot[]>
}

/**
 * This device's own signed entries that were sent and not stored when the page went away or a write
 * failed, kept where a synchronous write outlives the tab (store/journal.ts): what opening a circle
 * stores first.
 */
export interface EntryJournal {
  /** Notes an own entry that is sent and not stored; whether it could (it never throws). */
  note(record: EntryRecord): boolean
  /** Drops these once they are stored. */
  forget(records: Array<Pick<EntryRecord, 'topic' | 'feed' | 'seq'>>): void
  /** The entries of one feed still noted, by the seq each was noted at, oldest first. */
  noted(topic: string, feed: string): Array<{ seq: number; bytes: Uint8Array }>
}

/** Everything the circle layer persists, in one bundle the app passes in. */
export interface Storage {
  entries: EntryStorage
  records: RecordStorage
  blobs: BlobStorage
  snapshots: SnapshotStorage
  /** For this device's own member doc: every local edit is durable as it happens. */
  attachDoc: AttachDoc
  /** Starts the checks `attachDoc(name)` makes of what is saved, so that they overlap other work. */
  prepareDoc?(name: string): void
  journal: EntryJournal
}

/** A raw entry as stored: the signed bytes plus the coordinates needed to find it again. */
export interface EntryRecord {
  /** Hex of the circle's 32-byte topic. */
  topic: string
  /** Hex of the device public key that signs this feed. */
  feed: string
  seq: number
  /** SHA-256 of `bytes`. */
  hash: Uint8Array
  bytes: Uint8Array
}

export interface FeedHead {
  feed: string
  seq: number
  hash: Uint8Array
}

/** Raw entries of every circle on this device. Peers re-serve them, so they are kept verbatim. */
export interface EntryStorage {
  /** Stores all records in one transaction; a record already stored at (topic, feed, seq) is kept. */
  putEntries(records: EntryRecord[]): Promise<void>
  /** The records of one feed with from ≤ seq ≤ to, by seq. */
  getRange(topic: string, feed: string, from: number, to?: number): Promise<EntryRecord[]>
  /** Every record of a topic, ordered by feed then seq. */
  getAll(topic: string): Promise<EntryRecord[]>
  /** The newest record of each feed of a topic. */
  heads(topic: string): Promise<FeedHead[]>
  /** Keeps two validly signed entries at one (feed, seq) as evidence of a fork. */
  putFork(topic: string, feed: string, seq: number, entries: Uint8Array[]): Promise<void>
  /** Every fork kept for a topic: a forked feed stays frozen across restarts. */
  getForks(topic: string): Promise<Array<{ feed: string; seq: number; entries: Uint8Array[] }>>
}

/** Keeps a Y.Doc in durable storage (y-indexeddb in the app) and loads what was saved into it. */
export type AttachDoc = (name: string, doc: Y.Doc) => Promise<DocAttachment>

export interface DocAttachment {
  /** What the saved doc was last marked as including (`markCovered`); empty if never. */
  readonly covers: DocCovers
  /**
   * Holds the doc's saves: updates made until `release()` is called are saved then, in order. For a
   * local edit, until its entry is stored (a few milliseconds; longer only while writes fail).
   */
  hold(): () => void
  /**
   * Records that the saved doc includes `covers`, after every update made before this call (held
   * ones too) is saved. Resolves without writing if the attachment closes first, or if a save before
   * it failed in a way it cannot make good: a mark never claims more than the disk holds.
   */
  markCovered(covers: DocCovers): Promise<void>
  /** Stops persisting; saves still held back are dropped, never written. The saved data stays. */
  close(): Promise<void>
}
