/**
 * The circle view: a read model over all member docs (DESIGN, "Member docs"). Each member's part is
 * read and validated on its own and cached until that member's doc changes, so one member's edit
 * costs one member's read, and one member's garbage costs nobody anything.
 */
import type * as Y from 'yjs'
import type { MemberId, Offer, ReadProblem, Want } from '../core/model'
import { readOffers, readProfile, readWants } from '../core/validate'
import { readRawDoc } from './member-doc'
import type { RosterMember } from './roster'
import type { CircleView, MemberView } from './types'

export function readMember(doc: Y.Doc, member: RosterMember): { view: MemberView; problems: ReadProblem[] } {
  const problems: ReadProblem[] = []
  const raw = readRawDoc(doc)
  const profile = readProfile(member.id, raw.profile, problems)
  if (!hasOwn(raw.profile, 'name') && member.joinName) profile.name = member.joinName
  if (!profile.boxPublicKey) profile.boxPublicKey = member.boxPublicKey
  const view: MemberView = {
    id: member.id,
    fingerprint: member.fingerprint,
    profile,
    offers: readOffers(member.id, raw.offers, problems),
    wants: readWants(member.id, raw.wants, problems),
    joined: member.joined,
    raw: { bookings: raw.bookings, messages: raw.messages, attestations: raw.attestations },
  }
  return { view, problems }
}

export class CircleReadModel {
  readonly #members = new Map<MemberId, { view: MemberView; problems: ReadProblem[] }>()
  readonly #dirty = new Set<MemberId>()
  #view: CircleView | undefined

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
    for (const member of this.#dirty) {
      const doc = this.docOf(member)
      const roster = this.rosterOf(member)
      if (doc && roster) this.#members.set(member, readMember(doc, roster))
    }
    this.#dirty.clear()
    const members = new Map<MemberId, MemberView>()
    const offers: Offer[] = []
    const wants: Want[] = []
    const problems: ReadProblem[] = []
    // Arrival order differs between devices; the view must not.
    const ordered = [...this.#members].sort(([a, x], [b, y]) => x.view.joined - y.view.joined || (a < b ? -1 : 1))
    for (const [id, part] of ordered) {
      members.set(id, part.view)
      offers.push(...part.view.offers)
      wants.push(...part.view.wants)
      problems.push(...part.problems)
    }
    offers.sort(newestFirst)
    wants.sort(newestFirst)
    this.#view = { members, offers, wants, problems }
    return this.#view
  }
}

function newestFirst(a: { created: number; id: string }, b: { created: number; id: string }): number {
  return b.created - a.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

function hasOwn(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
}
