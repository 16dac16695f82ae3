/**
 * The circle view: a read model over all member docs (DESIGN, "Member docs"). Each member's part is
 * read and validated on its own and cached until that member's doc changes, so one member's edit
 * costs one member's read, and one member's garbage costs nobody anything. The circle-wide lists are
 * carried over too: a change merges the changed members' records into the previous order instead of
 * sorting the whole circle again, and a record read again unchanged stays the very same object, so
 * whatever is keyed or cached by record (the search index, the cards on screen) keeps its work.
 */
import type * as Y from 'yjs'
import type { MemberId, Offer, ReadProblem, Want } from '../core/model'
import { readOffers, readProfile, readWants } from '../core/validate'
import { readRawDoc } from './member-doc'
import type { RosterMember } from './roster'
import type { CircleView, MemberView } from './types'

/** Reads one member's doc; records equal to those in `previous` (their last read) are taken from it. */
export function readMember(doc: Y.Doc, member: RosterMember, previous?: MemberView): { view: MemberView; problems: ReadProblem[] } {
  const problems: ReadProblem[] = []
  const raw = readRawDoc(doc)
  const profile = readProfile(member.id, raw.profile, problems)
  if (!hasOwn(raw.profile, 'name') && member.joinName) profile.name = member.joinName
  if (!profile.boxPublicKey) profile.boxPublicKey = member.boxPublicKey
  const view: MemberView = {
    id: member.id,
    fingerprint: member.fingerprint,
    profile,
    offers: keepUnchanged(readOffers(member.id, raw.offers, problems), previous?.offers),
    wants: keepUnchanged(readWants(member.id, raw.wants, problems), previous?.wants),
    joined: member.joined,
    raw: { bookings: raw.bookings, messages: raw.messages, attestations: raw.attestations },
  }
  return { view, problems }
}

export class CircleReadModel {
  readonly #members = new Map<MemberId, { view: MemberView; problems: ReadProblem[] }>()
  readonly #dirty = new Set<MemberId>()
  #view: CircleView | undefined
  /** The last view built, kept while a newer one is pending: its lists are merged into, not rebuilt. */
  #last: CircleView | undefined

  constructor(
    private readonly docOf: (member: MemberId) => Y.Doc | undefined,
    private readonly rosterOf: (member: MemberId) => RosterMember | undefined,
  ) {}

  /** Marks a member's part stale; the next `view()` reads it again. */
  invalidate(member: MemberId): void {
    this.#dirty.add(member)
    this.#view = undefined
  }

  view(): CircleView {
    if (this.#view) return this.#view
    const changed = new Set<MemberId>()
    for (const member of this.#dirty) {
      const doc = this.docOf(member)
      const roster = this.rosterOf(member)
      if (!doc || !roster) continue
      this.#members.set(member, readMember(doc, roster, this.#members.get(member)?.view))
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

/** `read`, with each record equal to its previous read replaced by that previous object. */
function keepUnchanged<T extends Offer | Want>(read: T[], previous: readonly T[] | undefined): T[] {
  if (!previous || previous.length === 0) return read
  const before = new Map(previous.map((record) => [record.id, record]))
  return read.map((record) => {
    const old = before.get(record.id)
    return old && sameFields(old, record) ? old : record
  })
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
