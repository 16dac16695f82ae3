/**
 * The database layout: object store names, row shapes, keys, and the upgrade path. A shipped
 * migration is never edited; a change to the layout is a new step at the end of `MIGRATIONS`.
 *
 * Version 1:
 * - `entries`  key [topic, feed, seq] → EntryRow. Key order is topic, then feed, then seq (numbers
 *              sort numerically), so a feed's range and a topic's "feed then seq" listing are each
 *              one key-range read.
 * - `heads`    key [topic, feed] → HeadRow, the highest seq stored for that feed; written in the same
 *              transaction as the entries, so `heads(topic)` is one range read, not a scan.
 * - `forks`    key [topic, feed, seq] → ForkRow, the conflicting entries kept as evidence.
 * - `records`  out-of-line keys: ['device'] → DeviceRow, ['circle', id] → CircleRow.
 * - `blobs`    out-of-line key: hex content hash → the bytes.
 * - `docs`     out-of-line key: doc name → DocRow, so `destroy()` can find every y-indexeddb database.
 *
 * Version 2:
 * - `snapshots` key name → SnapshotRow: other members' docs as last saved, all of a circle in one
 *              range read (a y-indexeddb database per member made a 100-member circle open in ~1 s).
 */

export const DEFAULT_NAME = 'sharecircle'

export const STORES = {
  entries: 'entries',
  heads: 'heads',
  forks: 'forks',
  records: 'records',
  blobs: 'blobs',
  docs: 'docs',
  snapshots: 'snapshots',
} as const

export interface EntryRow {
  topic: string
  feed: string
  seq: number
  hash: Uint8Array
  bytes: Uint8Array
}

export interface HeadRow {
  topic: string
  feed: string
  seq: number
  hash: Uint8Array
}

export interface ForkRow {
  topic: string
  feed: string
  seq: number
  entries: Uint8Array[]
}

export interface DocRow {
  name: string
}

export interface SnapshotRow {
  name: string
  state: Uint8Array
  covers: Record<string, number>
}

type Migration = (db: IDBDatabase, transaction: IDBTransaction) => void

const MIGRATIONS: Migration[] = [
  (db) => {
    db.createObjectStore(STORES.entries, { keyPath: ['topic', 'feed', 'seq'] })
    db.createObjectStore(STORES.heads, { keyPath: ['topic', 'feed'] })
    db.createObjectStore(STORES.forks, { keyPath: ['topic', 'feed', 'seq'] })
    db.createObjectStore(STORES.records)
    db.createObjectStore(STORES.blobs)
    db.createObjectStore(STORES.docs)
  },
  (db) => {
    db.createObjectStore(STORES.snapshots, { keyPath: 'name' })
  },
]

export const SCHEMA_VERSION = MIGRATIONS.length

/** Runs the steps from the stored version up to SCHEMA_VERSION, inside the upgrade transaction. */
export function upgradeSchema(db: IDBDatabase, oldVersion: number, transaction: IDBTransaction): void {
  for (let version = oldVersion; version < MIGRATIONS.length; version++) MIGRATIONS[version]?.(db, transaction)
}

export const DEVICE_KEY: IDBValidKey = ['device']

export function circleKey(id: string): IDBValidKey {
  return ['circle', id]
}

// Key ranges are built on demand: `IDBKeyRange` is a global that does not exist in Node until a
// polyfill installs it, and importing this module must not need it.

/** Every circle key: arrays sort after strings, so ['circle', []] is above any ['circle', id]. */
export function circlesRange(): IDBKeyRange {
  return IDBKeyRange.bound(['circle'], ['circle', []])
}

/** Every string key that starts with `prefix`. */
export function prefixRange(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound(prefix, `${prefix}\uffff`)
}

/** Every [topic, …] key of one topic. */
export function topicRange(topic: string): IDBKeyRange {
  return IDBKeyRange.bound([topic], [topic, []])
}

/** One feed's keys with from ≤ seq ≤ to. */
export function seqRange(topic: string, feed: string, from: number, to: number): IDBKeyRange {
  return IDBKeyRange.bound([topic, feed, from], [topic, feed, to])
}
