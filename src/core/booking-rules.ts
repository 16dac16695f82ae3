/**
 * What can happen next to a booking, and whether a new request fits: the rules the screens show and
 * the circle layer enforces before it writes. Pure: the bookings, the offer, who is asking and the day
 * come in; nothing is looked up.
 */
import { addDays, daysBetween, eachDay, overlaps } from './booking-dates'
import { RETURNS, capacityOf, unitsOf } from './booking-state'
import type { Booking, BookingState, IsoDate, MemberId, Offer } from './model'

export const BOOKING_ACTIONS = [
  'cancel',
  'receive',
  'return',
  'ask-extension',
  'accept',
  'decline',
  'hand-over',
  'close',
  'grant-extension',
  'refuse-extension',
] as const
export type BookingAction = (typeof BOOKING_ACTIONS)[number]

const IN_HAND: readonly BookingState[] = ['handed-over', 'received', 'overdue']

/** The actions `member` may take on this booking now; none for anyone who is not one of its two sides. */
export function bookingActions(booking: Booking, member: MemberId): BookingAction[] {
  const returns = RETURNS[booking.kind]
  const { state } = booking
  const actions: BookingAction[] = []
  // A withdrawn booking has no borrower's side left to write steps into: the owner can only take it
  // back, or, should it clash with another (two handovers of one item), decline it, which ends it.
  if (booking.withdrawn) {
    if (member !== booking.owner) return actions
    if (returns && IN_HAND.includes(state)) actions.push('close')
    if (booking.conflict) actions.push('decline')
    return actions
  }
  if (member === booking.borrower) {
    if (state === 'requested' || state === 'accepted') actions.push('cancel')
    if ((state === 'accepted' || state === 'handed-over' || state === 'overdue') && booking.borrowerSide.received === undefined) actions.push('receive')
    if (returns && IN_HAND.includes(state) && booking.borrowerSide.received !== undefined) actions.push('return')
    if (returns && (state === 'accepted' || IN_HAND.includes(state)) && booking.extension !== 'asked' && booking.to !== undefined) actions.push('ask-extension')
  } else if (member === booking.owner) {
    if (state === 'requested') actions.push('accept', 'decline')
    if (state === 'accepted') actions.push('decline')
    // Also once the borrower said they received it: the owner's record of the handover is what keeps
    // a loan standing (booking-circle.ts) should the request go.
    if ((state === 'accepted' || IN_HAND.includes(state)) && booking.ownerSide?.handedOver === undefined) actions.push('hand-over')
    // A loan brought back closes even if the owner never said it left (the close says so then).
    if (returns && (state === 'returned' || (IN_HAND.includes(state) && booking.ownerSide?.handedOver !== undefined))) actions.push('close')
    if (booking.extension === 'asked' && state !== 'closed' && state !== 'cancelled') actions.push('grant-extension', 'refuse-extension')
  }
  return actions
}

/**
 * Whether `member` is a side of this booking, to see it among their bookings and be reminded of it.
 * A withdrawn booking is the owner's record of a handover alone: an owner can write one naming any
 * member (the id binding has no secret), so it is nothing to its borrower.
 */
export function isPartyTo(booking: Booking, member: MemberId): boolean {
  return booking.owner === member || (booking.borrower === member && !booking.withdrawn)
}

/**
 * Whether the two sides may review each other over this booking, and a review of it counts: once it
 * is closed, and only if both sides still stand behind it. A withdrawn booking stands on the owner's
 * word alone, which an owner could write about anyone.
 */
export function isReviewable(booking: Booking): boolean {
  return booking.state === 'closed' && !booking.withdrawn
}

export type NextActor = 'owner' | 'borrower' | 'both' | 'nobody'

/** Who the booking waits for: shown on every booking so both sides know where they stand. */
export function nextActor(booking: Booking): NextActor {
  const handed = booking.ownerSide?.handedOver !== undefined
  const received = booking.borrowerSide.received !== undefined
  if (booking.extension === 'asked' && ['accepted', 'handed-over', 'received', 'overdue'].includes(booking.state)) return 'owner'
  // Only the owner's side is left: they confirm the return, or nothing more happens.
  if (booking.withdrawn) return RETURNS[booking.kind] && booking.state !== 'closed' ? 'owner' : 'nobody'
  switch (booking.state) {
    case 'requested':
    case 'returned':
      return 'owner'
    case 'accepted':
      return 'both'
    case 'handed-over':
      return 'borrower'
    case 'received':
      return handed ? 'borrower' : 'owner'
    case 'overdue':
      return received ? 'borrower' : 'both'
    default:
      return 'nobody'
  }
}

export interface RequestDraft {
  from: IsoDate | undefined
  to: IsoDate | undefined
  count: number
}

/** The longest range one request may ask for, in days; the longest any check looks at. */
export const MAX_BOOKING_DAYS = 400

export type RequestCheck =
  | { ok: true }
  | { ok: false; reason: 'own' | 'paused' | 'expired' | 'dates' | 'past' | 'blocked' | 'too-many' | 'taken'; days?: IsoDate[] }

/** What `checkRequest` answers: a RequestCheck, or a range longer than MAX_BOOKING_DAYS. */
export type RequestResult = RequestCheck | { ok: false; reason: 'too-long'; days?: undefined }

/** Whether an offer should still be shown: a food gift past its best-before day leaves the catalogue. */
export function isExpired(offer: Offer, today: IsoDate): boolean {
  return offer.kind === 'gift' && offer.bestBefore !== undefined && offer.bestBefore < today
}

/** Whether the kind is booked for days (things, spaces, skills) rather than as a count (rides, gifts). */
export function isDated(offer: Offer): boolean {
  return offer.kind === 'thing' || offer.kind === 'space' || offer.kind === 'skill'
}

/** Bookings that hold some of the offer's capacity right now. */
export function holding(bookings: readonly Booking[]): Booking[] {
  return bookings.filter((booking) => {
    if (booking.conflict) return false
    if (booking.state === 'accepted' || IN_HAND.includes(booking.state)) return true
    // A seat taken or a gift given stays taken once the booking is done (booking-state.ts, CONSUMED).
    return booking.state === 'closed' && (booking.kind === 'ride' || booking.kind === 'gift')
  })
}

/**
 * Whether `borrower` may ask for this, and if not why, for instant feedback in the request form.
 * `bookings` are the offer's bookings; `except` leaves one out (when checking whether to accept it).
 */
export function checkRequest(offer: Offer, bookings: readonly Booking[], draft: RequestDraft, borrower: MemberId, today: IsoDate, except?: Booking): RequestResult {
  if (offer.owner === borrower) return { ok: false, reason: 'own' }
  if (offer.availability === 'paused') return { ok: false, reason: 'paused' }
  if (isExpired(offer, today)) return { ok: false, reason: 'expired' }
  const capacity = capacityOf(offer)
  const units = unitsOf(offer.kind, draft.count)
  if (!Number.isInteger(draft.count) || draft.count < 1 || units > capacity) return { ok: false, reason: 'too-many' }
  const held = holding(bookings).filter((booking) => booking !== except)
  if (!isDated(offer)) {
    const used = held.reduce((sum, booking) => sum + unitsOf(booking.kind, booking.count), 0)
    return used + units <= capacity ? { ok: true } : { ok: false, reason: 'taken' }
  }
  const { from, to } = draft
  if (from === undefined || to === undefined || to < from) return { ok: false, reason: 'dates' }
  if (from < today) return { ok: false, reason: 'past' }
  // Every day of the range is checked below, and the resolver holds every day of it: no endless ranges.
  if (daysBetween(from, to) + 1 > MAX_BOOKING_DAYS) return { ok: false, reason: 'too-long' }
  const days = eachDay(from, to, MAX_BOOKING_DAYS)
  const blocked = days.filter((day) => offer.blockedDates.includes(day))
  if (blocked.length > 0) return { ok: false, reason: 'blocked', days: blocked }
  const taken = days.filter((day) => {
    const used = held.filter((booking) => booking.from !== undefined && booking.to !== undefined && overlaps(booking as { from: IsoDate; to: IsoDate }, { from: day, to: day }))
    return used.reduce((sum, booking) => sum + unitsOf(booking.kind, booking.count), units) > capacity
  })
  return taken.length > 0 ? { ok: false, reason: 'taken', days: taken } : { ok: true }
}

/**
 * Whether an owner's device may accept this request by itself: it fits, and everything a borrower is
 * told before asking holds too (not paused, no blocked day, nothing already past).
 */
export function canAutoAccept(offer: Offer, bookings: readonly Booking[], booking: Booking, today: IsoDate): boolean {
  const { from, to, count } = booking.borrowerSide
  const draft = { from, to, count }
  return checkRequest(offer, bookings, draft, booking.borrower, today, booking).ok
}

/** The borrower rewrote the request after the owner accepted it: it waits for the owner again. */
export function changedSinceAccepted(booking: Booking): boolean {
  return booking.state === 'requested' && !booking.conflict && booking.ownerSide?.decision === 'accepted'
}

/** States in which the borrower has been accepted: only then do they learn where to pick it up. */
const HANDOVER_SHOWN: readonly BookingState[] = ['accepted', 'handed-over', 'received', 'overdue', 'returned', 'closed']

/** Whether `member` may see the offer's handover point on this booking: the owner always, the borrower once accepted. */
export function showsHandover(booking: Booking, member: MemberId): boolean {
  if (member === booking.owner) return true
  return member === booking.borrower && HANDOVER_SHOWN.includes(booking.state)
}

/**
 * Why an owner cannot say yes now (to a request, or to more days), for the words shown before they
 * try: the offer was removed, it asks more than the offer has now, it clashes with another booking,
 * or it no longer fits otherwise.
 */
export type AnswerBlock = 'removed' | 'too-many' | 'taken' | 'other'

/** What keeps the owner from accepting this request, if anything. */
export function acceptBlock(offer: Offer | undefined, bookings: readonly Booking[], booking: Booking): AnswerBlock | undefined {
  if (!offer) return 'removed'
  const draft = { from: booking.from, to: booking.to, count: booking.count }
  // Today does not matter to the owner: a request for days already begun may still be accepted.
  return blockOf(checkRequest({ ...offer, availability: 'available', blockedDates: [] }, bookings, draft, booking.borrower, '0001-01-01', booking))
}

/** What keeps the owner from granting the extension's extra days beside every other booking, if anything. */
export function extendBlock(offer: Offer | undefined, bookings: readonly Booking[], booking: Booking): AnswerBlock | undefined {
  if (!offer) return 'removed'
  if (booking.to === undefined || booking.extendTo === undefined) return 'other'
  const draft = { from: addDays(booking.to, 1), to: booking.extendTo, count: booking.count }
  return blockOf(checkRequest({ ...offer, availability: 'available', blockedDates: [] }, bookings, draft, booking.borrower, '0001-01-01', booking))
}

function blockOf(check: RequestResult): AnswerBlock | undefined {
  if (check.ok) return undefined
  return check.reason === 'too-many' || check.reason === 'taken' ? check.reason : 'other'
}

/** Whether the owner can accept this request without a clash (shown before they try). */
export function canAccept(offer: Offer | undefined, bookings: readonly Booking[], booking: Booking): boolean {
  return acceptBlock(offer, bookings, booking) === undefined
}

/** The extension's extra days fit beside every other booking of the offer. */
export function canExtend(offer: Offer | undefined, bookings: readonly Booking[], booking: Booking): boolean {
  return extendBlock(offer, bookings, booking) === undefined
}
