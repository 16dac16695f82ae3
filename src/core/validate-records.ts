/**
 * The field rules of each record type (offer, want, profile) and how a record is assembled from them,
 * for `validate.ts`. A record is read through a `Get` that decides where flaws go, so reading member
 * docs, checking drafts and normalising drafts all assemble records with the same code.
 */
import {
  AUTO_ACCEPT,
  AVAILABILITY,
  CONDITIONS,
  DECISIONS,
  EXTENSION_ANSWERS,
  LIMITS,
  OFFER_KINDS,
  WANT_KINDS,
  WANT_STATUSES,
  type Millis,
  type Offer,
  type OfferDraft,
  type OfferFields,
  type OfferKind,
  type WantDraft,
  type WantKind,
} from './model'
import {
  category,
  choice,
  count,
  dateEntry,
  hashEntry,
  idEntry,
  isoDate,
  memberId,
  optionalChoice,
  optionalId,
  optionalMillis,
  safeId,
  list,
  millis,
  own,
  requiredChoice,
  requiredText,
  tagEntry,
  text,
  type FieldReader,
  type Reason,
} from './validate-fields'

/** Not in LIMITS because members never type answers; bounds what one want can drag into the view. */
export const MAX_ANSWERS = 100

export const OFFER = {
  kind: requiredChoice(OFFER_KINDS, 'Choose what you are offering'),
  title: requiredText(LIMITS.title, 'Give it a title'),
  description: text(LIMITS.description, { multiline: true }),
  category: category(LIMITS.category),
  tags: list({ max: LIMITS.tags, tooMany: `At most ${LIMITS.tags} tags`, entry: tagEntry(LIMITS.tag) }),
  photos: list({ max: LIMITS.photos, tooMany: `At most ${LIMITS.photos} photos`, entry: hashEntry }),
  availability: choice(AVAILABILITY, 'available', 'Choose available or paused'),
  handover: text(LIMITS.place),
  contribution: text(LIMITS.money),
  condition: choice(CONDITIONS, 'good', 'Choose a condition'),
  money: text(LIMITS.money),
  place: text(LIMITS.place),
  capacity: count(1, 1000, 1),
  departure: millis('Pick a departure time'),
  seats: count(1, 50, 1),
  sessionMinutes: count(5, 1440, 60),
  quantity: count(1, 10_000, 1),
  bestBefore: isoDate,
  autoAccept: choice(AUTO_ACCEPT, 'off', 'Choose who is accepted automatically'),
  blockedDates: list({ max: LIMITS.blockedDates, tooMany: `At most ${LIMITS.blockedDates} blocked days`, entry: dateEntry }),
}

/** The borrower's fields of a booking; nothing else is ever read from the borrower's record. */
export const BORROWER = {
  owner: memberId('Missing owner'),
  offer: safeId('Missing offer'),
  kind: requiredChoice(OFFER_KINDS, 'Missing kind'),
  requested: millis('Missing request time'),
  from: isoDate,
  to: isoDate,
  count: count(1, 10_000, 1),
  message: text(LIMITS.message, { multiline: true }),
  cancelled: optionalMillis,
  received: optionalMillis,
  returned: optionalMillis,
  extendTo: isoDate,
  extendAsked: optionalMillis,
}

/** The owner's fields of a booking; nothing else is ever read from the owner's record. */
export const OWNER = {
  borrower: memberId('Missing borrower'),
  offer: safeId('Missing offer'),
  decision: requiredChoice(DECISIONS, 'Missing decision'),
  decided: millis('Missing decision time'),
  handedOver: optionalMillis,
  closed: optionalMillis,
  condition: text(LIMITS.note),
  extension: optionalChoice(EXTENSION_ANSWERS, 'Not an answer'),
  extensionFor: isoDate,
  extensionAt: optionalMillis,
}

/** One message: its thread (a booking or a want), when, what, and an offer given in answer. */
export const MESSAGE = {
  thread: safeId('Missing thread'),
  at: millis('Missing time'),
  text: text(LIMITS.message, { multiline: true }),
  offer: optionalId,
}

export const WANT = {
  kind: requiredChoice(WANT_KINDS, 'Choose what you need'),
  title: requiredText(LIMITS.title, 'Give it a title'),
  description: text(LIMITS.description, { multiline: true }),
  neededFrom: isoDate,
  neededTo: isoDate,
  status: choice(WANT_STATUSES, 'open', 'Choose open or closed'),
  answers: list({ max: MAX_ANSWERS, tooMany: `At most ${MAX_ANSWERS} answers`, entry: idEntry }),
}

export const PROFILE = {
  name: requiredText(LIMITS.name, 'Give your name'),
  area: text(LIMITS.area),
  bio: text(LIMITS.bio, { multiline: true }),
}

const CREATED = millis('Missing creation time')

/** Where a flaw in one field of a record goes. */
export type FieldReport = (field: string, reason: Reason, message: string, sub?: string) => void
/** Reads one named field of a record, sending its flaws to the getter's FieldReport. */
export type Get = <T>(field: string, read: FieldReader<T>) => T

export function getter(record: Record<string, unknown>, report: FieldReport): Get {
  return (field, read) => read(own(record, field), (reason, message, sub) => report(field, reason, message, sub))
}

type OfferCommon = Omit<Offer, 'kind'>
type KindFields = Offer extends infer O ? (O extends Offer ? Omit<O, keyof OfferCommon> : never) : never

export function readKindFields(kind: OfferKind, get: Get): KindFields {
  switch (kind) {
    case 'thing':
      return {
        kind,
        condition: get('condition', OFFER.condition),
        value: get('value', OFFER.money),
        deposit: get('deposit', OFFER.money),
      }
    case 'space':
      return { kind, slot: get('slot', OFFER.place), capacity: get('capacity', OFFER.capacity) }
    case 'ride':
      return {
        kind,
        // 0 stands for "not given": the ride is still worth showing, with its time to be agreed.
        departure: get('departure', OFFER.departure) ?? 0,
        from: get('from', OFFER.place),
        to: get('to', OFFER.place),
        seats: get('seats', OFFER.seats),
      }
    case 'skill':
      return { kind, sessionMinutes: get('sessionMinutes', OFFER.sessionMinutes) }
    case 'gift':
      return {
        kind,
        quantity: get('quantity', OFFER.quantity),
        bestBefore: get('bestBefore', OFFER.bestBefore),
        pickupWindow: get('pickupWindow', OFFER.place),
      }
  }
}

export function readCommonFields(get: Get) {
  return {
    description: get('description', OFFER.description),
    category: get('category', OFFER.category),
    tags: get('tags', OFFER.tags),
    photos: get('photos', OFFER.photos),
    availability: get('availability', OFFER.availability),
    handover: get('handover', OFFER.handover),
    contribution: get('contribution', OFFER.contribution),
    autoAccept: get('autoAccept', OFFER.autoAccept),
    blockedDates: get('blockedDates', OFFER.blockedDates).sort(),
  }
}

export function readOfferDraftFields(kind: OfferKind, title: string, get: Get): OfferFields {
  return { title, ...readCommonFields(get), ...readKindFields(kind, get) }
}

export function readWantDraftFields(kind: WantKind, title: string, get: Get): WantDraft {
  const neededFrom = get('neededFrom', WANT.neededFrom)
  const neededTo = get('neededTo', (raw, report) => {
    const to = WANT.neededTo(raw, report)
    // ISO dates compare correctly as strings.
    if (to === undefined || neededFrom === undefined || to >= neededFrom) return to
    report('out-of-range', 'Ends before it starts')
    return undefined
  })
  return {
    kind,
    title,
    description: get('description', WANT.description),
    neededFrom,
    neededTo,
    status: get('status', WANT.status),
  }
}

/**
 * Reads the three fields without which a record cannot be shown. Their flaws are held back so that a
 * skipped record is reported once, by the first essential field that failed.
 */
export function readEssentials<K extends string>(
  record: Record<string, unknown>,
  report: FieldReport,
  kindReader: FieldReader<K | undefined>,
  titleReader: FieldReader<string | undefined>,
): { kind: K; title: string; created: Millis } | undefined {
  const held: Parameters<FieldReport>[] = []
  const hold = getter(record, (...flaw) => held.push(flaw))
  const kind = hold('kind', kindReader)
  const title = hold('title', titleReader)
  const created = hold('created', CREATED)
  if (kind !== undefined && title !== undefined && created !== undefined) {
    for (const flaw of held) report(...flaw)
    return { kind, title, created }
  }
  const failure = held.find(([, reason]) => reason !== 'too-long')
  if (failure) report(...failure)
  return undefined
}

/** `updated` defaults to `created`; an edit before the record existed is a clock error, not news. */
export function readUpdated(get: Get, created: Millis): Millis {
  return get('updated', (raw, report) => {
    if (raw === undefined || raw === null) return created
    const updated = CREATED(raw, report) ?? created
    if (updated >= created) return updated
    report('out-of-range', 'Updated before it was created')
    return created
  })
}
