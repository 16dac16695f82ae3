/**
 * What one Yjs transaction changed in a member doc, in the terms the read model reads it: which
 * top-level parts (profile, offers, …), and which records of the record collections. Anything that
 * does not fit the layout member-doc.ts writes (a peer may write any shape) is EVERYTHING, and the
 * reader then reads the whole doc again, as it would without this.
 */
import * as Y from 'yjs'
import { DOC_KEYS, type RecordCollection } from './member-doc'

export type DocPart = (typeof DOC_KEYS)[keyof typeof DOC_KEYS]

export interface PartialChange {
  parts: Set<DocPart>
  /** Per record collection in `parts`, the ids of the records added, changed or removed. */
  records: Map<RecordCollection, Set<string>>
}

export const EVERYTHING = 'everything'
export type DocChange = PartialChange | typeof EVERYTHING

const PARTS: ReadonlySet<string> = new Set(Object.values(DOC_KEYS))

function isPart(name: string | undefined): name is DocPart {
  return name !== undefined && PARTS.has(name)
}

export function changeOf(transaction: Y.Transaction): DocChange {
  const names = new Map<Y.AbstractType<Y.YEvent<any>>, string>()
  for (const [name, type] of transaction.doc.share) names.set(type, name)
  const change: PartialChange = { parts: new Set(), records: new Map() }
  const touch = (part: DocPart, id: string | null) => {
    change.parts.add(part)
    if (part === DOC_KEYS.profile) return true
    if (id === null) return false
    const ids = change.records.get(part) ?? new Set<string>()
    ids.add(id)
    change.records.set(part, ids)
    return true
  }
  for (const [type, keys] of transaction.changed) {
    const top = names.get(type)
    if (top !== undefined) {
      // A top-level type nobody reads may change freely; a part is a map whose keys changed.
      if (!isPart(top)) continue
      for (const key of keys.size > 0 ? keys : [null]) if (!touch(top, key)) return EVERYTHING
      continue
    }
    // A record: a map directly under a part, under its id.
    const item = type._item
    const parent = item?.parent instanceof Y.AbstractType ? names.get(item.parent as Y.AbstractType<Y.YEvent<any>>) : undefined
    if (!item || !isPart(parent) || (parent !== DOC_KEYS.profile && typeof item.parentSub !== 'string')) return EVERYTHING
    if (!touch(parent, item.parentSub)) return EVERYTHING
  }
  return change
}

/** Both changes together (for reads that happen once after several transactions). */
export function mergeChanges(a: DocChange | undefined, b: DocChange): DocChange {
  if (a === undefined) return b
  if (a === EVERYTHING || b === EVERYTHING) return EVERYTHING
  const records = new Map<RecordCollection, Set<string>>()
  for (const source of [a.records, b.records]) {
    for (const [collection, ids] of source) records.set(collection, new Set([...(records.get(collection) ?? []), ...ids]))
  }
  return { parts: new Set([...a.parts, ...b.parts]), records }
}
