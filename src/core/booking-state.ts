/**
 * A booking's state as a pure function of its two sides, the offer and the day (DESIGN, "Bookings").
 *
 * Each side speaks only for its own steps: the borrower requests, cancels, confirms receipt, marks the
 * return and asks to extend; the owner accepts or declines, hands over, confirms the return (with a
 * condition note) and answers extensions. An owner's answer counts only if it comes from the doc of
 * the owner the request names and names that borrower and that offer. Steps out of order (a return
 * before any acceptance) change nothing.
 *
 * An acceptance is bound to what was accepted: the owner's record copies the request's days and count,
 * and an acceptance whose copy no longer matches the request (the borrower rewrote it afterwards) is
 * not honoured: the booking is back to "requested", with the stale answer still shown to the owner
 * (`changedSinceAccepted`), until the owner accepts the request as it now stands. A decline stands
 * whatever the request says later. An answer written without terms is treated as changed.
 *
 * Extensions: the owner's `grantedTo` is the last day agreed so far; a later ask is a new question only
 * beyond it, and refusing that question leaves what was granted before.
 *
 * Capacity: the owner's acceptances of one offer are taken in order of (decision time, booking id,
 * borrower) and each stands only if it fits beside those that stood before it; one that does not is a
 * conflict, shown to the owner, and counts as not accepted. Every peer holding the same sides thus
 * computes the same bookings, whatever order the sides arrived in.
 */
import type { OwnerRecord } from './booking-read'
import { overlaps } from './booking-dates'
import type { Booking, BookingState, BorrowerSide, ExtensionState, IsoDate, Offer, OfferKind } from './model'

/** Kinds that come back: only these can be returned, extended or overdue. */
export const RETURNS: Readonly<Record<OfferKind, boolean>> = { thing: true, space: true, ride: false, skill: false, gift: false }
/** Kinds whose capacity is used up for good (a seat on the trip, an apple given), not for some days. */
const CONSUMED: Readonly<Record<OfferKind, boolean>> = { thing: false, space: false, ride: true, skill: false, gift: true }
/** A dated kind's booking without dates holds the offer for every day: never more than it asked for. */
const ALWAYS = { from: '0001-01-01', to: '9999-12-31' }

/** How many can be booked at once: one borrower of a thing or a skill, a space's places, seats, items. */
export function capacityOf(offer: Offer): number {
  switch (offer.kind) {
    case 'thing':
    case 'skill':
      return 1
    case 'space':
      return offer.capacity
    case 'ride':
      return offer.seats
    case 'gift':
      return offer.quantity
  }
}

/** How much of the capacity one booking takes: things and skills are one at a time whatever was asked. */
export function unitsOf(kind: OfferKind, count: number): number {
  return kind === 'thing' || kind === 'skill' ? 1 : count
}

/** The owner's side that answers this request, if the owner's doc holds one that matches it. */
export function answerOf(request: BorrowerSide, owners: ReadonlyMap<string, OwnerRecord>): OwnerRecord | undefined {
  const answer = owners.get(`${request.owner}/${request.id}`)
  if (!answer || answer.owner !== request.owner || answer.borrower !== request.borrower || answer.offer !== request.offer) return undefined
  return answer
}

/**
 * Whether the answer still answers the request as it stands: an acceptance only of the same days and
 * count, until the loan has started. From the handover (or the borrower's receipt) on, the accepted
 * terms stand whatever the request says now: rewriting it cannot undo a loan under way.
 */
export function isHonoured(request: BorrowerSide, answer: OwnerRecord): boolean {
  if (answer.decision !== 'accepted') return true
  if (answer.handedOver !== undefined || request.received !== undefined) return true
  const { terms } = answer
  return terms !== undefined && terms.from === request.from && terms.to === request.to && terms.count === request.count
}

/** The last day the owner agreed to through extensions (an answer from before `grantedTo` says it in `extensionFor`). */
export function grantedEnd(answer: OwnerRecord | undefined): IsoDate | undefined {
  if (!answer) return undefined
  return answer.grantedTo ?? (answer.extension === 'granted' ? answer.extensionFor : undefined)
}

/** The state the two sides describe, before capacity and the day are considered. */
export function stepState(kind: OfferKind, request: BorrowerSide, answer: OwnerRecord | undefined): BookingState {
  const started = answer?.handedOver !== undefined || request.received !== undefined
  if (request.cancelled !== undefined && !(answer?.decision === 'accepted' && started)) return 'cancelled'
  if (!answer) return 'requested'
  if (answer.decision === 'declined') return 'declined'
  if (answer.closed !== undefined) return 'closed'
  if (RETURNS[kind]) {
    if (request.returned !== undefined) return 'returned'
  } else if (answer.handedOver !== undefined && request.received !== undefined) {
    return 'closed'
  }
  if (request.received !== undefined) return 'received'
  if (answer.handedOver !== undefined) return 'handed-over'
  return 'accepted'
}

function extensionOf(request: BorrowerSide, answer: OwnerRecord | undefined): ExtensionState | undefined {
  if (request.extendTo === undefined) return undefined
  if (answer?.extensionFor === request.extendTo && answer.extension !== undefined) return answer.extension
  const granted = grantedEnd(answer)
  // Asking again for no more than was granted asks nothing new.
  return granted !== undefined && request.extendTo <= granted ? 'granted' : 'asked'
}

/** Whether a booking in this state holds capacity. */
function holds(kind: OfferKind, state: BookingState): boolean {
  if (state === 'accepted' || state === 'handed-over' || state === 'received') return true
  return CONSUMED[kind] && state === 'closed'
}

interface Draft {
  request: BorrowerSide
  /** The days and count the booking holds: the accepted terms once an acceptance stands, else the request's. */
  agreed: { from: IsoDate | undefined; to: IsoDate | undefined; count: number }
  /** The owner's answer if it is honoured; `found` is whatever answer the owner's doc holds. */
  answer: OwnerRecord | undefined
  found: OwnerRecord | undefined
  kind: OfferKind
  state: BookingState
  conflict: boolean
  withdrawn: boolean
  extension: ExtensionState | undefined
  range: { from: IsoDate; to: IsoDate }
}

/** Whether `units` more fit beside `held` over `range` (all days, for kinds that are consumed). */
function fits(kind: OfferKind, capacity: number, held: readonly Draft[], range: { from: IsoDate; to: IsoDate }, units: number): boolean {
  if (CONSUMED[kind]) return held.reduce((sum, other) => sum + unitsOf(kind, other.agreed.count), units) <= capacity
  const overlapping = held.filter((other) => overlaps(other.range, range))
  // The busiest day in the range starts one of the overlapping bookings, or the range itself.
  const points = [range.from, ...overlapping.map((other) => other.range.from).filter((day) => day >= range.from)]
  return points.every((day) => {
    const used = overlapping.filter((other) => other.range.from <= day && day <= other.range.to)
    return used.reduce((sum, other) => sum + unitsOf(kind, other.agreed.count), units) <= capacity
  })
}

function byDecision(a: Draft, b: Draft): number {
  const [x, y] = [a.answer!.decided, b.answer!.decided]
  if (x !== y) return x - y
  if (a.request.id !== b.request.id) return a.request.id < b.request.id ? -1 : 1
  return a.request.borrower < b.request.borrower ? -1 : a.request.borrower > b.request.borrower ? 1 : 0
}

/**
 * The bookings of one offer. `offer` is undefined once it was removed: its bookings keep their states,
 * and with nothing left to book nothing more can clash.
 */
export function resolveOffer(
  offer: Offer | undefined,
  requests: readonly BorrowerSide[],
  owners: ReadonlyMap<string, OwnerRecord>,
  today: IsoDate,
  withdrawn: ReadonlySet<BorrowerSide>,
): Booking[] {
  const drafts: Draft[] = requests.map((request) => {
    const found = answerOf(request, owners)
    const answer = found && isHonoured(request, found) ? found : undefined
    const kind = offer?.kind ?? request.kind
    const terms = answer?.decision === 'accepted' ? answer.terms : undefined
    const agreed = terms ?? { from: request.from, to: request.to, count: request.count }
    const range = agreed.from !== undefined && agreed.to !== undefined ? { from: agreed.from, to: agreed.to } : ALWAYS
    const state = stepState(kind, request, answer)
    return { request, agreed, answer, found, kind, state, conflict: false, withdrawn: withdrawn.has(request), extension: extensionOf(request, answer), range }
  })
  if (offer) {
    const capacity = capacityOf(offer)
    const held: Draft[] = []
    for (const draft of drafts.filter((d) => holds(d.kind, d.state)).sort(byDecision)) {
      if (fits(draft.kind, capacity, held, draft.range, unitsOf(draft.kind, draft.agreed.count))) held.push(draft)
      else Object.assign(draft, { state: 'requested', conflict: true })
    }
    // Extensions come after every acceptance: a later yes to more days never pushes out a booking.
    const granted = held.filter((d) => extendsTo(d) !== undefined).sort((a, b) => (a.answer!.extensionAt ?? 0) - (b.answer!.extensionAt ?? 0) || byDecision(a, b))
    for (const draft of granted) {
      const more = { from: draft.range.to, to: extendsTo(draft)! }
      const others = held.filter((other) => other !== draft)
      if (fits(draft.kind, capacity, others, more, unitsOf(draft.kind, draft.agreed.count))) draft.range = { from: draft.range.from, to: more.to }
      else draft.extension = 'clash'
    }
  } else {
    for (const draft of drafts) {
      const to = extendsTo(draft)
      if (to !== undefined) draft.range = { from: draft.range.from, to }
    }
  }
  return drafts.map((draft) => toBooking(draft, today))
}

/** The later last day an extension granted gives a dated booking, if any. */
function extendsTo(draft: Draft): IsoDate | undefined {
  const granted = grantedEnd(draft.answer)
  return draft.agreed.to !== undefined && granted !== undefined && granted > draft.agreed.to ? granted : undefined
}

function toBooking(draft: Draft, today: IsoDate): Booking {
  const { request, answer, kind } = draft
  const to = draft.agreed.to === undefined ? undefined : draft.range.to
  const inHand = draft.state === 'handed-over' || draft.state === 'received'
  const overdue = RETURNS[kind] && inHand && to !== undefined && today > to
  return {
    id: request.id,
    borrower: request.borrower,
    owner: request.owner,
    offer: request.offer,
    kind,
    from: draft.agreed.from,
    to,
    count: draft.agreed.count,
    message: request.message,
    requested: request.requested,
    state: overdue ? 'overdue' : draft.state,
    conflict: draft.conflict,
    withdrawn: draft.withdrawn,
    extension: draft.extension,
    extendTo: request.extendTo,
    condition: answer?.closed !== undefined ? answer.condition : '',
    borrowerSide: request,
    ownerSide: draft.found,
  }
}
