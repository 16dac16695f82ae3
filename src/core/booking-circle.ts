/**
 * Every booking of a circle from every member's sides: requests are grouped by the offer they name and
 * each group is resolved on its own (booking-state.ts). The input is what the members' docs say, in any
 * order; the output is sorted, so two peers with the same docs hold equal lists.
 *
 * Booking ids are chosen by borrowers, and an owner keeps every answer, and their own requests as a
 * borrower, in one map keyed by booking id. So a request counts only if its id is unique for its owner.
 * A tagged id (booking-id.ts) is: the reader already dropped requests under another member's tag.
 * Untagged ids, written before tags, can collide: a request under an id the owner's doc uses for the
 * owner's own request is dropped, and of several requests to one owner under one id only one stands —
 * the one the owner's answer names, else the earliest requested, then the lower borrower id. Each
 * member is then a side of at most one booking per id, which is what lets a booking page, a thread and
 * an answer be found by the id alone.
 *
 * A loan under way outlives its request: an owner's handover under a bound id whose request is gone
 * (deleted, or no longer readable) still stands, on the owner's word alone and marked `withdrawn`, so
 * a borrower cannot free the offer or drop an overdue loan by taking their side back. Since an owner
 * could write such a handover naming anyone, it is the owner's record only (isPartyTo, isReviewable).
 */
import { isTaggedBookingId } from './booking-id'
import type { BookingSides, OwnerRecord } from './booking-read'
import { RETURNS, resolveOffer } from './booking-state'
import type { Booking, BorrowerSide, IsoDate, MemberId, Offer } from './model'

export function deriveBookings(members: Iterable<{ id: MemberId; sides: BookingSides }>, offers: readonly Offer[], today: IsoDate): Booking[] {
  const owners = new Map<string, OwnerRecord>()
  const ownRequests = new Set<string>()
  const candidates: BorrowerSide[] = []
  for (const { id, sides } of members) {
    // A side is trusted only in its author's doc; the readers already set owner and borrower to it.
    for (const answer of sides.asOwner) if (answer.owner === id) owners.set(`${id}/${answer.id}`, answer)
    for (const request of sides.asBorrower) {
      if (request.borrower !== id) continue
      ownRequests.add(`${id}/${request.id}`)
      candidates.push(request)
    }
  }
  const chosen = new Map<string, BorrowerSide>()
  for (const request of candidates) {
    const key = `${request.owner}/${request.id}`
    if (ownRequests.has(key)) continue
    const other = chosen.get(key)
    if (!other || stands(request, other, owners.get(key))) chosen.set(key, request)
  }
  const live = new Map(offers.map((offer) => [`${offer.owner}/${offer.id}`, offer]))
  const withdrawn = new Set<BorrowerSide>()
  for (const [key, answer] of owners) {
    if (chosen.has(key) || !isTaggedBookingId(answer.id) || answer.decision !== 'accepted' || answer.handedOver === undefined) continue
    // Of an offer that is gone, the answer does not say even the kind: nothing is left to hold.
    const offer = live.get(`${answer.owner}/${answer.offer}`)
    if (!offer) continue
    const request = standIn(answer, offer)
    withdrawn.add(request)
    chosen.set(key, request)
  }
  const groups = new Map<string, BorrowerSide[]>()
  for (const request of chosen.values()) {
    const key = `${request.owner}/${request.offer}`
    const group = groups.get(key)
    if (group) group.push(request)
    else groups.set(key, [request])
  }
  const bookings: Booking[] = []
  for (const [key, requests] of groups) bookings.push(...resolveOffer(live.get(key), requests, owners, today, withdrawn))
  return bookings.sort(newestFirst)
}

/**
 * The request a handover answered, as the owner's answer recorded it: its terms, and no borrower's
 * steps, except that what does not come back (a lift, a lesson, a gift) is done once handed over.
 */
function standIn(answer: OwnerRecord, offer: Offer): BorrowerSide {
  return {
    id: answer.id,
    borrower: answer.borrower,
    owner: answer.owner,
    offer: answer.offer,
    kind: offer.kind,
    from: answer.terms?.from,
    to: answer.terms?.to,
    count: answer.terms?.count ?? 1,
    message: '',
    requested: answer.decided,
    cancelled: undefined,
    received: RETURNS[offer.kind] ? undefined : answer.handedOver,
    returned: undefined,
    extendTo: undefined,
    extendAsked: undefined,
  }
}

/** Whether `request` rather than `other` holds an owner's booking id they share. */
function stands(request: BorrowerSide, other: BorrowerSide, answer: OwnerRecord | undefined): boolean {
  // The owner's answer names its borrower and offer: the request it answers keeps the id.
  const answers = (side: BorrowerSide) => answer !== undefined && answer.borrower === side.borrower && answer.offer === side.offer
  if (answers(request) !== answers(other)) return answers(request)
  if (request.requested !== other.requested) return request.requested < other.requested
  return request.borrower < other.borrower
}

function newestFirst(a: Booking, b: Booking): number {
  if (a.requested !== b.requested) return b.requested - a.requested
  if (a.id !== b.id) return a.id < b.id ? -1 : 1
  return a.borrower < b.borrower ? -1 : a.borrower > b.borrower ? 1 : 0
}
