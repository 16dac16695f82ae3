/**
 * A member's Y.Doc: the only module that knows its keys (DESIGN, "Member docs"). Writes are
 * transactions that return the Yjs update they made, so the caller can sign it into the author's
 * feed; reads hand plain JSON to core's validators and never trust what they find.
 *
 * Layout: `profile` Y.Map of fields; `offers`, `wants`, `bookings` (this member's side of each
 * booking), `messages` and `attestations` are Y.Maps of id → Y.Map of fields, so two of a member's
 * devices editing different fields of one record merge instead of overwriting each other.
 */
import * as Y from 'yjs'

export const DOC_KEYS = {
  profile: 'profile',
  offers: 'offers',
  wants: 'wants',
  bookings: 'bookings',
  messages: 'messages',
  attestations: 'attestations',
} as const
export type RecordCollection = Exclude<(typeof DOC_KEYS)[keyof typeof DOC_KEYS], 'profile'>

/** A member doc's contents as unvalidated JSON, one entry per top-level type. */
export type RawDoc = Record<keyof typeof DOC_KEYS, unknown>

/** Field values are plain JSON; arrays are replaced whole (tags, photos), which is what an editor does. */
export type FieldValue = string | number | boolean | null | string[]

export function newMemberDoc(): Y.Doc {
  return new Y.Doc({ gc: true })
}

/** Runs `write` in one transaction and returns the update it produced (empty when nothing changed). */
export function transactUpdate(doc: Y.Doc, write: (doc: Y.Doc) => void): Uint8Array | undefined {
  let update: Uint8Array | undefined
  const origin = Symbol('local-write')
  const capture = (bytes: Uint8Array, from: unknown) => {
    if (from === origin) update = bytes
  }
  doc.on('update', capture)
  try {
    doc.transact(() => write(doc), origin)
  } finally {
    doc.off('update', capture)
  }
  return update
}

export function writeProfile(doc: Y.Doc, fields: Record<string, FieldValue>): void {
  const profile = doc.getMap<FieldValue>(DOC_KEYS.profile)
  for (const [key, value] of Object.entries(fields)) {
    if (profile.get(key) !== value) profile.set(key, value)
  }
}

/** Sets the given fields of one record, creating it if needed; unchanged fields are not rewritten. */
export function writeRecord(doc: Y.Doc, collection: RecordCollection, id: string, fields: Record<string, FieldValue>): void {
  const records = doc.getMap<Y.Map<FieldValue>>(collection)
  let record = records.get(id)
  if (!(record instanceof Y.Map)) {
    record = new Y.Map<FieldValue>()
    records.set(id, record)
  }
  for (const [key, value] of Object.entries(fields)) {
    if (!sameValue(record.get(key), value)) record.set(key, value)
  }
}

/** The raw contents, as plain JSON, for core's validators. Never throws, whatever the doc holds. */
export function readRawDoc(doc: Y.Doc): RawDoc {
  const read = (key: string): unknown => {
    try {
      return doc.getMap(key).toJSON()
    } catch {
      // A peer may have written another shared type under this name; reading must not break on it.
      return undefined
    }
  }
  return {
    profile: read(DOC_KEYS.profile),
    offers: read(DOC_KEYS.offers),
    wants: read(DOC_KEYS.wants),
    bookings: read(DOC_KEYS.bookings),
    messages: read(DOC_KEYS.messages),
    attestations: read(DOC_KEYS.attestations),
  }
}

function sameValue(a: unknown, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i])
  return a === b
}
