/**
 * The circle view: a read model over all member docs (DESIGN, "Member docs"). Each member's part is
 * read and validated on its own and cached until that member's doc changes, so one member's edit
 * costs one member's read, and one member's garbage costs nobody anything. The circle-wide lists are
 * carried over too: a change merges the changed members' records into the previous order instead of
 * sorting the whole circle again, and a record read again unchanged stays the very same object, so
 * whatever is keyed or cached by record (the search index, the cards on screen) keeps its work.
 * Within a member, a change that says what it touched (doc-changes.ts) re-reads only those parts
 * and records: an edit to one offer reads that offer, not the member's every offer and message.
 */
import * as Y from 'yjs'
import type { Id, MemberId, Offer, ReadProblem, Want } from '../core/model'
import { readMap, readOffer, readProfile, readWant } from '../core/validate'
import { type DocChange, EVERYTHING, mergeChanges } from './doc-changes'
import { DOC_KEYS, type RawDoc, readRawDoc } from './member-doc'
import type { RosterMember } from './roster'
import type { CircleView, MemberView } from './types'

interface RecordRead<T> {
  value: T | undefined
  problems: ReadProblem[]
}

/** One member's doc as last read, part by part and record by record. */
export interface MemberRead {
  view: MemberView
  problems: ReadProblem[]
  profileProblems: ReadProblem[]
  /** A collection that is not a map at all: its problem, not any record's. */
  collectionProblems: ReadProblem[]
  offers: Map<Id, RecordRead<Offer>>
  wants: Map<Id, RecordRead<Want>>
}

/**
 * Reads one member's doc. With the previous read and a change that names what it touched, only that
 * is read again; records that read the same as before are the previous objects.
 */
export function readMember(doc: Y.Doc, member: RosterMember, previous?: MemberRead, change: DocChange = EVERYTHING): MemberRead {
  if (!previous || change === EVERYTHING) return readWhole(doc, member, previous)
  try {
    const raw = { ...previous.view.raw }
    for (const part of change.parts) if (part in raw) raw[part as keyof typeof raw] = readPart(doc, part)
    const offers = change.parts.has(DOC_KEYS.offers)
      ? rereadRecords(doc, member.id, DOC_KEYS.offers, previous.offers, change.records.get(DOC_KEYS.offers), readOffer)
      : previous.offers
    const wants = change.parts.has(DOC_KEYS.wants)
      ? rereadRecords(doc, member.id, DOC_KEYS.wants, previous.wants, change.records.get(DOC_KEYS.wants), readWant)
      : previous.wants
    const profileProblems: ReadProblem[] = change.parts.has(DOC_KEYS.profile) ? [] : previous.profileProblems
    const profile = change.parts.has(DOC_KEYS.profile) ? profileOf(member, readPart(doc, DOC_KEYS.profile), profileProblems) : previous.view.profile
    return assemble(member, raw, profile, profileProblems, previous.collectionProblems, offers, wants)
  } catch {
    // The doc's layout is not what the change said (a type of another kind under a part's name):
    // read it whole, which reports that as a problem instead.
    return readWhole(doc, member, previous)
  }
}

function readWhole(doc: Y.Doc, member: RosterMember, previous: MemberRead | undefined): MemberRead {
  const raw = readRawDoc(doc)
  const profileProblems: ReadProblem[] = []
  const profile = profileOf(member, raw.profile, profileProblems)
  const collectionProblems: ReadProblem[] = []
  const offers = readRecords(member.id, DOC_KEYS.offers, raw.offers, collectionProblems, readOffer, previous?.offers)
  const wants = readRecords(member.id, DOC_KEYS.wants, raw.wants, collectionProblems, readWant, previous?.wants)
  const rest = { bookings: raw.bookings, messages: raw.messages, attestations: raw.attestations }
  return assemble(member, rest, profile, profileProblems, collectionProblems, offers, wants)
}

function profileOf(member: RosterMember, raw: unknown, problems: ReadProblem[]) {
  const profile = readProfile(member.id, raw, problems)
  if (!hasOwn(raw, 'name') && member.joinName) profile.name = member.joinName
  if (!profile.boxPublicKey) profile.boxPublicKey = member.boxPublicKey
  return profile
}

function assemble(
  member: RosterMember,
  raw: MemberView['raw'],
  profile: MemberView['profile'],
  profileProblems: ReadProblem[],
  collectionProblems: ReadProblem[],
  offers: Map<Id, RecordRead<Offer>>,
  wants: Map<Id, RecordRead<Want>>,
): MemberRead {
  const values = <T>(records: Map<Id, RecordRead<T>>) => [...records.values()].flatMap((record) => (record.value === undefined ? [] : [record.value]))
  const problems = [...profileProblems, ...collectionProblems]
  for (const records of [offers, wants] as Array<Map<Id, RecordRead<unknown>>>) for (const record of records.values()) problems.push(...record.problems)
  const view: MemberView = {
    id: member.id,
    fingerprint: member.fingerprint,
    profile,
    offers: values(offers),
    wants: values(wants),
    joined: member.joined,
    raw,
  }
  return { view, problems, profileProblems, collectionProblems, offers, wants }
}

type ReadOne<T> = (member: MemberId, id: Id, raw: unknown, problems: ReadProblem[]) => T | undefined

/**
 * Every record of a collection's JSON, in its order; each one the previous object if it reads the
 * same. A collection that is not a map at all is reported in `problems` (readMap's rules).
 */
function readRecords<T extends Offer | Want>(
  member: MemberId,
  path: string,
  raw: unknown,
  problems: ReadProblem[],
  readOne: ReadOne<T>,
  previous: Map<Id, RecordRead<T>> | undefined,
): Map<Id, RecordRead<T>> {
  const records = new Map<Id, RecordRead<T>>()
  const ids = readMap(member, path, raw, problems, (_member, id) => id)
  for (const id of ids) records.set(id, readRecord(member, path, id, (raw as Record<string, unknown>)[id], readOne, previous?.get(id)))
  return records
}

/** The collection with the records in `ids` read again from the doc (all of them when ids is unknown). */
function rereadRecords<T extends Offer | Want>(
  doc: Y.Doc,
  member: MemberId,
  path: typeof DOC_KEYS.offers | typeof DOC_KEYS.wants,
  previous: Map<Id, RecordRead<T>>,
  ids: Set<string> | undefined,
  readOne: ReadOne<T>,
): Map<Id, RecordRead<T>> {
  const map = doc.getMap(path)
  const records = new Map<Id, RecordRead<T>>()
  // The map's own order, as a whole read has it.
  for (const id of map.keys()) {
    const kept = previous.get(id)
    if (kept && ids && !ids.has(id)) records.set(id, kept)
    else records.set(id, readRecord(member, path, id, toJson(map.get(id)), readOne, kept))
  }
  return records
}

function readRecord<T extends Offer | Want>(member: MemberId, path: string, id: Id, raw: unknown, readOne: ReadOne<T>, previous: RecordRead<T> | undefined): RecordRead<T> {
  const problems: ReadProblem[] = []
  // readMap's guard: a record whose reading throws is a problem, never a crash.
  const [value] = readMap(member, path, { [id]: raw }, problems, readOne)
  const old = previous?.value
  return { value: old && value && sameFields(old, value) ? old : value, problems }
}

/**
 * A reading of one of a member's raw collections, cached by the collection's object (which
 * `readMember` keeps as long as the collection is unchanged), or by the member's view when the
 * collection is not an object.
 */
export function cachedRead<T>(cache: WeakMap<object, T>, member: MemberView, raw: unknown, read: () => T): T {
  const key = typeof raw === 'object' && raw !== null ? raw : member
  let value = cache.get(key)
  if (value === undefined) {
    value = read()
    cache.set(key, value)
  }
  return value
}

function readPart(doc: Y.Doc, part: keyof RawDoc): unknown {
  return doc.getMap(part).toJSON()
}

function toJson(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.toJSON() : value
}

export class CircleReadModel {
  readonly #members = new Map<MemberId, MemberRead>()
  /** Members to read again, with what changed in their doc since their last read. */
  readonly #dirty = new Map<MemberId, DocChange>()
  #view: CircleView | undefined
  /** The last view built, kept while a newer one is pending: its lists are merged into, not rebuilt. */
  #last: CircleView | undefined

  constructor(
    private readonly docOf: (member: MemberId) => Y.Doc | undefined,
    private readonly rosterOf: (member: MemberId) => RosterMember | undefined,
  ) {}

  /** Marks a member's part stale (only what `change` names, when it is known); the next `view()` reads it again. */
  invalidate(member: MemberId, change: DocChange = EVERYTHING): void {
    this.#dirty.set(member, mergeChanges(this.#dirty.get(member), change))
    this.#view = undefined
  }

  view(): CircleView {
    if (this.#view) return this.#view
    const changed = new Set<MemberId>()
    for (const [member, change] of this.#dirty) {
      const doc = this.docOf(member)
      const roster = this.rosterOf(member)
      if (!doc || !roster) continue
      this.#members.set(member, readMember(doc, roster, this.#members.get(member), change))
      changed.add(member)
    }
    this.#dirty.clear()
    const members = new Map<MemberId, MemberView>()
    const problems: ReadProblem[] = []
    // Arrival order differs between devices; the view must not.
    const ordered = [...this.#members].sort(([a, x], [b, y]) => x.view.joined - y.view.joined || (a < b ? -1 : 1))
    for (const [id, part] of ordered) {
      members.set(id, part.view)
      problems.push(...part.problems)
    }
    // Two members may use the same record id at the same moment: the earlier member comes first.
    const rank = new Map(ordered.map(([id], position) => [id, position]))
    const order = (a: Offer | Want, b: Offer | Want) => newestFirst(a, b) || rank.get(a.owner)! - rank.get(b.owner)!
    const fresh = ordered.filter(([id]) => this.#last === undefined || changed.has(id)).map(([, part]) => part.view)
    const kept = <T extends Offer | Want>(list: readonly T[] | undefined) => (list ?? []).filter((record) => !changed.has(record.owner))
    const offers = mergeSorted(kept(this.#last?.offers), fresh.flatMap((member) => member.offers).sort(order), order)
    const wants = mergeSorted(kept(this.#last?.wants), fresh.flatMap((member) => member.wants).sort(order), order)
    this.#view = this.#last = { members, offers, wants, problems }
    return this.#view
  }
}

function newestFirst(a: { created: number; id: string }, b: { created: number; id: string }): number {
  return b.created - a.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** One list in `order` from two lists already in it; on a tie the first list's record comes first. */
function mergeSorted<T>(first: readonly T[], second: readonly T[], order: (a: T, b: T) => number): T[] {
  if (second.length === 0) return [...first]
  if (first.length === 0) return [...second]
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < first.length && j < second.length) out.push(order(second[j]!, first[i]!) < 0 ? second[j++]! : first[i++]!)
  while (i < first.length) out.push(first[i++]!)
  while (j < second.length) out.push(second[j++]!)
  return out
}

/** Records hold plain values and arrays of them (tags, photos, dates, answers). */
function sameFields(a: object, b: object): boolean {
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) {
    const x: unknown = (a as Record<string, unknown>)[key]
    const y: unknown = (b as Record<string, unknown>)[key]
    if (x === y && (x !== undefined || Object.hasOwn(b, key))) continue
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.some((item, i) => item !== y[i])) return false
  }
  return true
}

function hasOwn(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
}
