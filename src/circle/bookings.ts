/**
 * Bookings and their messages over a circle: reading every member's sides into bookings (cached per
 * MemberView, which is replaced exactly when that member's doc changes), and writing this member's own
 * side of a step after checking that the step is theirs to take now. Each write is one signed entry
 * in the author's own doc; nothing here ever writes into another member's record, because a member
 * doc holds only its author's data (DESIGN, "Bookings").
 *
 * Works over the small structural interface BookingCircle, which CircleReplica satisfies.
 */
import type * as Y from 'yjs'
import { deriveBookings } from '../core/booking-circle'
import { newBookingId } from '../core/booking-id'
import { readBookingSides, readMessages, type BookingSides } from '../core/booking-read'
import { RETURNS } from '../core/booking-state'
import {
  bookingActions,
  canAccept,
  canAutoAccept,
  canExtend,
  checkRequest,
  isPartyTo,
  type BookingAction,
  type RequestDraft,
} from '../core/booking-rules'
import type { ThreadMessage } from '../core/messages'
import type { Booking, Id, IsoDate, MemberId, Offer, Want } from '../core/model'
import { LIMITS } from '../core/model'
import { cleanText } from '../core/text'
import { isIsoDate, isRecord, own } from '../core/validate-fields'
import { BookingActionError, BookingIdTakenError, RequestRefusedError, UnknownBookingError } from './bookings-errors'
import { cachedRead } from './read-model'
import { writeRecord, type FieldValue } from './member-doc'
import type { CircleView, MemberView } from './types'

/** What booking writes need of a circle; CircleReplica has all of it. */
export interface BookingCircle {
  readonly me: MemberId
  view(): CircleView
  writeOwn(write: (doc: Y.Doc) => void): Promise<void>
  readonly clock: { now(): number; newId(): Id }
}

// Keyed by the member's raw collection: the read model keeps that object while the collection is
// unchanged, so an edit to an offer does not read every booking and message again.
const sidesCache = new WeakMap<object, BookingSides>()
const messagesCache = new WeakMap<object, ThreadMessage[]>()
const bookingsCache = new WeakMap<CircleView, { today: IsoDate; bookings: Booking[] }>()
const allMessagesCache = new WeakMap<CircleView, ThreadMessage[]>()

function sidesOf(member: MemberView): BookingSides {
  // Problems in booking records are this module's to skip; the view's problem list is the offers'.
  return cachedRead(sidesCache, member, member.raw.bookings, () => readBookingSides(member.id, member.raw.bookings, []))
}

function messagesOf(member: MemberView): ThreadMessage[] {
  return cachedRead(messagesCache, member, member.raw.messages, () => readMessages(member.id, member.raw.messages, []))
}

/** Every booking of the circle as of `today`, newest request first. */
export function circleBookings(view: CircleView, today: IsoDate): Booking[] {
  const cached = bookingsCache.get(view)
  if (cached && cached.today === today) return cached.bookings
  const members = [...view.members.values()].map((member) => ({ id: member.id, sides: sidesOf(member) }))
  const bookings = deriveBookings(members, view.offers, today)
  bookingsCache.set(view, { today, bookings })
  return bookings
}

/** Every message of every member. */
export function circleMessages(view: CircleView): ThreadMessage[] {
  let messages = allMessagesCache.get(view)
  if (!messages) {
    messages = [...view.members.values()].flatMap(messagesOf)
    allMessagesCache.set(view, messages)
  }
  return messages
}

/**
 * The booking with this id where `me` is a side (there is at most one: booking-circle.ts), else the
 * first of others' bookings under that id.
 */
export function findBooking(bookings: readonly Booking[], id: Id, me: MemberId): Booking | undefined {
  const matches = bookings.filter((booking) => booking.id === id)
  return matches.find((booking) => isPartyTo(booking, me)) ?? matches[0]
}

export function offerBookings(bookings: readonly Booking[], offer: { owner: MemberId; id: Id }): Booking[] {
  return bookings.filter((booking) => booking.owner === offer.owner && booking.offer === offer.id)
}

export function findOffer(view: CircleView, owner: MemberId, id: Id): Offer | undefined {
  return view.offers.find((offer) => offer.owner === owner && offer.id === id)
}

export interface RequestInput extends RequestDraft {
  message: string
}

/** Asks for an offer; refused with a RequestRefusedError when it cannot be met. Returns the booking id. */
export async function requestBooking(circle: BookingCircle, offer: { owner: MemberId; id: Id }, input: RequestInput, today: IsoDate): Promise<Id> {
  const view = circle.view()
  const live = findOffer(view, offer.owner, offer.id)
  if (!live) throw new RequestRefusedError('unknown-offer')
  const dated = live.kind === 'thing' || live.kind === 'space' || live.kind === 'skill'
  const draft: RequestDraft = { from: dated ? input.from : undefined, to: dated ? input.to : undefined, count: input.count }
  const check = checkRequest(live, offerBookings(circleBookings(view, today), live), draft, circle.me, today)
  if (!check.ok) throw new RequestRefusedError(check.reason)
  const id = newBookingId({ borrower: circle.me, owner: live.owner, offer: live.id }, circle.clock.newId())
  const fields: Record<string, FieldValue> = {
    owner: live.owner,
    offer: live.id,
    kind: live.kind,
    from: draft.from ?? null,
    to: draft.to ?? null,
    count: draft.count,
    message: cleanText(input.message, LIMITS.message, { multiline: true }).text,
    requested: circle.clock.now(),
  }
  await circle.writeOwn((doc) => writeRecord(doc, 'bookings', id, fields))
  return id
}

export interface ActionDetail {
  /** The condition note when confirming a return. */
  condition?: string
  /** The new last day when asking for an extension. */
  extendTo?: IsoDate
}

/** Takes one step of a booking on this member's side, after checking it is theirs to take now. */
export async function actOnBooking(circle: BookingCircle, id: Id, action: BookingAction, today: IsoDate, detail: ActionDetail = {}): Promise<void> {
  const view = circle.view()
  const bookings = circleBookings(view, today)
  const booking = findBooking(bookings, id, circle.me)
  if (!booking || !isPartyTo(booking, circle.me)) throw new UnknownBookingError()
  if (!bookingActions(booking, circle.me).includes(action)) throw new BookingActionError(action, 'not-allowed')
  const offer = findOffer(view, booking.owner, booking.offer)
  const siblings = offerBookings(bookings, { owner: booking.owner, id: booking.offer })
  if (action === 'accept' && !canAccept(offer, siblings, booking)) throw new BookingActionError(action, 'clash')
  if (action === 'grant-extension' && !canExtend(offer, siblings, booking)) throw new BookingActionError(action, 'clash')
  if (booking.owner === circle.me && !isOwnAnswerSlot(view, booking)) throw new BookingIdTakenError()
  const fields = stepFields(booking, action, circle.clock.now(), detail)
  await circle.writeOwn((doc) => writeRecord(doc, 'bookings', booking.id, fields))
}

/**
 * Whether the owner's own doc may take this booking's answer under its id: empty there, or already
 * this booking's answer. Writing over anything else would merge this answer into another record.
 */
function isOwnAnswerSlot(view: CircleView, booking: Booking): boolean {
  const records = view.members.get(booking.owner)?.raw.bookings
  const existing = isRecord(records) ? own(records, booking.id) : undefined
  if (existing === undefined) return true
  if (!isRecord(existing) || own(existing, 'requested') !== undefined) return false
  return own(existing, 'borrower') === booking.borrower && own(existing, 'offer') === booking.offer
}

function stepFields(booking: Booking, action: BookingAction, now: number, detail: ActionDetail): Record<string, FieldValue> {
  // An answer copies what it answers: an acceptance counts only while the request still says this.
  const { from, to, count } = booking.borrowerSide
  const answer = { borrower: booking.borrower, offer: booking.offer, from: from ?? null, to: to ?? null, count }
  switch (action) {
    case 'cancel':
      return { cancelled: now }
    case 'receive':
      return { received: now }
    case 'return':
      return { returned: now }
    case 'ask-extension': {
      const extendTo = detail.extendTo
      if (!isIsoDate(extendTo) || booking.to === undefined || extendTo <= booking.to) throw new BookingActionError(action, 'bad-date')
      return { extendTo, extendAsked: now }
    }
    case 'accept':
      return { ...answer, decision: 'accepted', decided: now }
    case 'decline':
      return { ...answer, decision: 'declined', decided: now }
    case 'hand-over':
      return { handedOver: now }
    case 'close': {
      const fields: Record<string, FieldValue> = { closed: now, condition: cleanText(detail.condition ?? '', LIMITS.note).text }
      // Brought back before the owner said it left: it did leave.
      if (booking.ownerSide?.handedOver === undefined) fields.handedOver = now
      return fields
    }
    case 'grant-extension':
      return { extension: 'granted', extensionFor: booking.extendTo ?? null, extensionAt: now, grantedTo: booking.extendTo ?? null }
    case 'refuse-extension': {
      // Saying no to more days does not take back days already agreed: they are written down again,
      // for answers from before `grantedTo` that kept them only in `extensionFor`.
      const fields: Record<string, FieldValue> = { extension: 'refused', extensionFor: booking.extendTo ?? null, extensionAt: now }
      const asked = booking.borrowerSide.to
      if (booking.to !== undefined && asked !== undefined && booking.to > asked) fields.grantedTo = booking.to
      return fields
    }
  }
}

/** Adds a message to a booking's thread; only its two sides may write there, and nobody once it is withdrawn. */
export async function sendMessage(circle: BookingCircle, booking: Booking, text: string): Promise<Id> {
  if (!isPartyTo(booking, circle.me) || booking.withdrawn) throw new BookingActionError('message', 'not-allowed')
  return writeMessage(circle, booking.id, text, undefined, booking.borrower)
}

/** "I can help": answers a want with one of this member's own offers. */
export async function answerWant(circle: BookingCircle, want: Want, offer: Offer, text: string): Promise<Id> {
  if (offer.owner !== circle.me || want.owner === circle.me) throw new BookingActionError('message', 'not-allowed')
  return writeMessage(circle, want.id, text, offer.id, undefined)
}

async function writeMessage(circle: BookingCircle, thread: Id, text: string, offer: Id | undefined, borrower: MemberId | undefined): Promise<Id> {
  const clean = cleanText(text, LIMITS.message, { multiline: true }).text
  if (clean === '' && offer === undefined) throw new BookingActionError('message', 'empty')
  const id = circle.clock.newId()
  // The borrower with the id names the booking: another borrower's booking under the same id is another thread.
  const fields: Record<string, FieldValue> = { thread, at: circle.clock.now(), text: clean, offer: offer ?? null, borrower: borrower ?? null }
  await circle.writeOwn((doc) => writeRecord(doc, 'messages', id, fields))
  return id
}

/**
 * Whether the owner's device should write down the handover of this loan by itself (recordHandovers):
 * a thing or a space the borrower says they received, whose owner has not said it left. Not the kinds
 * that do not come back, where both saying so closes the booking: that stays the owner's own step.
 */
export function awaitsHandover(booking: Booking, me: MemberId): boolean {
  return (
    RETURNS[booking.kind] &&
    booking.owner === me &&
    booking.borrowerSide.received !== undefined &&
    booking.ownerSide?.handedOver === undefined &&
    bookingActions(booking, me).includes('hand-over')
  )
}

/**
 * Writes, on the owner's device, the handover of every loan its borrower says they received: both
 * speak of the same moment, and the owner's record of it keeps the loan standing should the request
 * go (booking-circle.ts). Each is checked against the circle as it is just before its write; one that
 * fails is left for the next pass. Returns the ids recorded.
 */
export async function recordHandovers(circle: BookingCircle, today: IsoDate): Promise<Id[]> {
  const recorded: Id[] = []
  const tried = new Set<string>()
  for (;;) {
    const waiting = (booking: Booking) => awaitsHandover(booking, circle.me) && !tried.has(`${booking.borrower}/${booking.id}`)
    const next = circleBookings(circle.view(), today).find(waiting)
    if (!next) return recorded
    tried.add(`${next.borrower}/${next.id}`)
    try {
      await actOnBooking(circle, next.id, 'hand-over', today)
      recorded.push(next.id)
    } catch {
      // Storage, or an answer slot taken: the booking still waits, and the watcher's next pass tries again.
    }
  }
}

/**
 * Accepts, on the owner's device, new requests on their offers set to auto-accept, when `eligible`
 * says so and the request meets everything a borrower is told before asking (canAutoAccept, as of
 * `today`). Passes over the circle again after each pass that accepted something, since a request may
 * have arrived while it was writing, until a pass finds nothing more. Idempotent: an accepted request
 * is no longer "requested", and should two devices both accept it, their answers are the same.
 * Returns the ids accepted.
 */
export async function autoAcceptRequests(circle: BookingCircle, eligible: (borrower: MemberId, offer: Offer) => boolean, today: IsoDate): Promise<Id[]> {
  const accepted: Id[] = []
  const tried = new Set<string>()
  for (;;) {
    const view = circle.view()
    const bookings = circleBookings(view, today)
    const before = accepted.length
    for (const booking of bookings) {
      const key = `${booking.borrower}/${booking.id}`
      if (tried.has(key) || booking.owner !== circle.me || booking.state !== 'requested' || booking.ownerSide !== undefined) continue
      const offer = findOffer(view, booking.owner, booking.offer)
      if (!offer || offer.autoAccept === 'off' || !eligible(booking.borrower, offer)) continue
      // Each acceptance changes the circle: check against the bookings as they are now.
      if (!canAutoAccept(offer, offerBookings(circleBookings(circle.view(), today), offer), booking, today)) continue
      tried.add(key)
      await actOnBooking(circle, booking.id, 'accept', today)
      accepted.push(booking.id)
    }
    if (accepted.length === before) return accepted
  }
}
