/**
 * Reading member data defensively, and checking what the editor is about to write. Member docs arrive
 * as plain JSON that any member, malicious ones included, may have filled with anything: the readers
 * here never throw, skip a record whose kind, title or created is unusable, replace a bad optional
 * field by its default, and report each flaw as a ReadProblem. The editor's checks and normalisers run
 * the very same field rules (`validate-records.ts`, built on `validate-fields.ts`), so what a member
 * can save is exactly what every peer will accept. Pure: imports only its sibling core modules.
 */
import type { Id, MemberId, Offer, OfferDraft, Profile, ReadProblem, Want, WantDraft } from './model'
import { isHex32, isRecord, isSafeId, own } from './validate-fields'
import {
  OFFER,
  PROFILE,
  WANT,
  getter,
  readCommonFields,
  readEssentials,
  readKindFields,
  readOfferDraftFields,
  readUpdated,
  readWantDraftFields,
  type FieldReport,
  type Get,
} from './validate-records'

export { MAX_ANSWERS } from './validate-records'

/** Field name → what is wrong with it, in words for the editor. Empty when the draft can be saved. */
export type FieldErrors = Partial<Record<string, string>>

export function problemsAt(member: MemberId, at: string, problems: ReadProblem[]): FieldReport {
  return (field, reason, _message, sub) =>
    problems.push({ member, path: sub === undefined ? `${at}/${field}` : `${at}/${field}/${sub}`, reason })
}

function errorsInto(errors: FieldErrors): FieldReport {
  return (field, _reason, message) => {
    errors[field] ??= message
  }
}

const ignore: FieldReport = () => {}

/** A path segment for an id that failed the id check: shown, but never long or odd enough to mislead. */
export function pathId(id: unknown): string {
  if (typeof id !== 'string') return '?'
  return id.slice(0, 64).replace(/[^A-Za-z0-9_-]/g, '?') || '?'
}

/**
 * Any input shape is allowed in, including objects with throwing getters or revoked proxies that no
 * JSON could produce, so each public reader has a last-resort guard: a crash skips the record.
 */
export function guarded<T>(problems: ReadProblem[], member: MemberId, path: string, fallback: T, read: () => T): T {
  try {
    return read()
  } catch {
    problems.push({ member, path, reason: 'malformed' })
    return fallback
  }
}

export function readOffer(member: MemberId, id: Id, raw: unknown, problems: ReadProblem[]): Offer | undefined {
  const at = `offers/${pathId(id)}`
  return guarded(problems, member, at, undefined, () => {
    if (!isRecord(raw)) {
      problems.push({ member, path: at, reason: 'wrong-type' })
      return undefined
    }
    // Removal wins over everything else: a removed offer is gone, whatever is left of its fields.
    const removed = own(raw, 'removed')
    if (removed !== undefined && removed !== null) {
      if (typeof removed !== 'number' || !Number.isFinite(removed) || removed < 0) {
        const reason = typeof removed === 'number' ? 'malformed' : 'wrong-type'
        problems.push({ member, path: `${at}/removed`, reason })
      }
      return undefined
    }
    if (!isSafeId(id)) {
      problems.push({ member, path: at, reason: 'malformed' })
      return undefined
    }
    const report = problemsAt(member, at, problems)
    const essentials = readEssentials(raw, report, OFFER.kind, OFFER.title)
    if (!essentials) return undefined
    const { kind, title, created } = essentials
    const get = getter(raw, report)
    const updated = readUpdated(get, created)
    return { id, owner: member, created, updated, ...readOfferDraftFields(kind, title, get) }
  })
}

export function readWant(member: MemberId, id: Id, raw: unknown, problems: ReadProblem[]): Want | undefined {
  const at = `wants/${pathId(id)}`
  return guarded(problems, member, at, undefined, () => {
    if (!isRecord(raw)) {
      problems.push({ member, path: at, reason: 'wrong-type' })
      return undefined
    }
    if (!isSafeId(id)) {
      problems.push({ member, path: at, reason: 'malformed' })
      return undefined
    }
    const report = problemsAt(member, at, problems)
    const essentials = readEssentials(raw, report, WANT.kind, WANT.title)
    if (!essentials) return undefined
    const { kind, title, created } = essentials
    const get = getter(raw, report)
    const updated = readUpdated(get, created)
    const answers = get('answers', WANT.answers)
    return { id, owner: member, created, updated, answers, ...readWantDraftFields(kind, title, get) }
  })
}

/** Reads a whole `offers` map; removed and broken offers are left out. Order is the map's. */
export function readOffers(member: MemberId, raw: unknown, problems: ReadProblem[]): Offer[] {
  return readMap(member, 'offers', raw, problems, readOffer)
}

/** Reads a whole `wants` map; broken wants are left out. Order is the map's. */
export function readWants(member: MemberId, raw: unknown, problems: ReadProblem[]): Want[] {
  return readMap(member, 'wants', raw, problems, readWant)
}

export function readMap<T>(
  member: MemberId,
  path: string,
  raw: unknown,
  problems: ReadProblem[],
  readOne: (member: MemberId, id: Id, raw: unknown, problems: ReadProblem[]) => T | undefined,
): T[] {
  return guarded(problems, member, path, [] as T[], () => {
    // A member who never wrote an offer has no map at all; that is not a problem.
    if (raw === undefined || raw === null) return []
    if (!isRecord(raw)) {
      problems.push({ member, path, reason: 'wrong-type' })
      return []
    }
    const out: T[] = []
    for (const id of Object.keys(raw)) {
      const value = readOne(member, id, own(raw, id), problems)
      if (value !== undefined) out.push(value)
    }
    return out
  })
}

/** The name shown for a member who has not (validly) named themselves. */
export function fallbackName(member: MemberId): string {
  return `Member ${String(member).slice(0, 6)}`
}

/**
 * Reads a member's profile; never fails, since every member must be shown somehow. A missing name or
 * box key is reported (seq 0 always carries them); a missing area or bio is not.
 */
export function readProfile(member: MemberId, raw: unknown, problems: ReadProblem[]): Profile {
  const fallback: Profile = { name: fallbackName(member), area: '', bio: '', boxPublicKey: '' }
  return guarded(problems, member, 'profile', fallback, () => {
    if (!isRecord(raw)) {
      problems.push({ member, path: 'profile', reason: raw === undefined || raw === null ? 'missing' : 'wrong-type' })
      return fallback
    }
    const get = getter(raw, problemsAt(member, 'profile', problems))
    return {
      name: get('name', PROFILE.name) ?? fallback.name,
      area: get('area', PROFILE.area),
      bio: get('bio', PROFILE.bio),
      boxPublicKey: get('boxPublicKey', (value, report) => {
        if (isHex32(value)) return value
        if (value === undefined || value === null) report('missing', 'Missing box key')
        else report(typeof value === 'string' ? 'malformed' : 'wrong-type', 'Not a box key')
        return ''
      }),
    }
  })
}

/** What is wrong with an offer draft, per field, in words; `{}` when it can be saved. */
export function checkOfferDraft(draft: unknown): FieldErrors {
  return checkDraft(draft, (get) => {
    const kind = get('kind', OFFER.kind)
    get('title', OFFER.title)
    readCommonFields(get)
    // Without a kind there are no kind fields to check; the kind error says what to do first.
    if (kind !== undefined) readKindFields(kind, get)
  })
}

/** What is wrong with a want draft, per field, in words; `{}` when it can be saved. */
export function checkWantDraft(draft: unknown): FieldErrors {
  return checkDraft(draft, (get) => {
    readWantDraftFields(get('kind', WANT.kind) ?? 'other', get('title', WANT.title) ?? '', get)
  })
}

function checkDraft(draft: unknown, check: (get: Get) => void): FieldErrors {
  const errors: FieldErrors = {}
  try {
    if (!isRecord(draft)) return { form: 'Nothing to save' }
    check(getter(draft, errorsInto(errors)))
  } catch {
    // Only a hostile object (a throwing getter) gets here; the editor never builds one.
    errors.form = 'This cannot be saved'
  }
  return errors
}

/**
 * The draft as it will be stored: trimmed, NFC, tags lowercased and deduplicated, numbers clamped,
 * text cut to its limit, and only the fields of its kind. Run `checkOfferDraft` first to tell the
 * member; this is the last line, so it corrects rather than refuses.
 */
export function normalizeOfferDraft(draft: OfferDraft): OfferDraft {
  const source: Record<string, unknown> = isRecord(draft) ? draft : {}
  const get = getter(source, ignore)
  const kind = get('kind', OFFER.kind) ?? 'thing'
  return readOfferDraftFields(kind, get('title', OFFER.title) ?? '', get)
}

export function normalizeWantDraft(draft: WantDraft): WantDraft {
  const source: Record<string, unknown> = isRecord(draft) ? draft : {}
  const get = getter(source, ignore)
  return readWantDraftFields(get('kind', WANT.kind) ?? 'other', get('title', WANT.title) ?? '', get)
}
