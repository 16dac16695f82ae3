/**
 * Every booking of a circle from every member's sides: requests are grouped by the offer they name and
 * each group is resolved on its own (booking-state.ts). The input is what the members' docs say, in any
 * order; the output is sorted, so two peers with the same docs hold equal lists.
 */
import type { BookingSides } from './booking-read'
import { resolveOffer } from './booking-state'
import type { Booking, BorrowerSide, IsoDate, MemberId, Offer, OwnerSide } from './model'

export function deriveBookings(members: Iterable<{ id: MemberId; sides: BookingSides }>, offers: readonly Offer[], today: IsoDate): Booking[] {
  const owners = new Map<string, OwnerSide>()
  const groups = new Map<string, BorrowerSide[]>()
  for (const { id, sides } of members) {
    // A side is trusted only in its author's doc; the readers already set owner and borrower to it.
    for (const answer of sides.asOwner) if (answer.owner === id) owners.set(`${id}/${answer.id}`, answer)
    for (const request of sides.asBorrower) {
      if (request.borrower !== id) continue
      const key = `${request.owner}/${request.offer}`
      const group = groups.get(key)
      if (group) group.push(request)
      else groups.set(key, [request])
    }
  }
  const live = new Map(offers.map((offer) => [`${offer.owner}/${offer.id}`, offer]))
  const bookings: Booking[] = []
  for (const [key, requests] of groups) bookings.push(...resolveOffer(live.get(key), requests, owners, today))
  return bookings.sort(newestFirst)
}

function newestFirst(a: Booking, b: Booking): number {
  if (a.requested !== b.requested) return b.requested - a.requested
  if (a.id !== b.id) return a.id < b.id ? -1 : 1
  return a.borrower < b.borrower ? -1 : a.borrower > b.borrower ? 1 : 0
}
