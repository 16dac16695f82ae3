/**
 * Booking ids. A borrower chooses the id of their request and the owner answers under it, in the one
 * map that also holds the owner's own requests. If any member could ask under any id, one who copied
 * a pending request's id, with an earlier `requested`, would hide that request until it was answered
 * (a malicious member may write only to its own feed; DESIGN.md, "Threat model").
 *
 * So an id begins with its borrower's tag, the first 16 hex digits of their member id, then 22 random
 * id characters. A request under a tagged id that is not its borrower's reads as malformed; taking
 * another member's id would need an identity key whose first 64 bits match theirs. Untagged ids, as
 * written before this rule, still read: those can collide, and booking-circle.ts settles who holds one.
 */
import type { Id, MemberId } from './model'

const TAG_LENGTH = 16
const TAGGED = /^[0-9a-f]{16}[A-Za-z0-9_-]{22}$/

/** A new booking id for a request by `borrower`; `random` is a fresh 22-character id (random.ts). */
export function newBookingId(borrower: MemberId, random: Id): Id {
  return borrower.slice(0, TAG_LENGTH) + random
}

/** Whether `id` has the tagged form, and so names the one member who may ask under it. */
export function isTaggedBookingId(id: Id): boolean {
  return TAGGED.test(id)
}

/** Whether `borrower` may ask under `id`: an untagged id is anyone's, a tagged one only its borrower's. */
export function mayAskUnder(id: Id, borrower: MemberId): boolean {
  return !isTaggedBookingId(id) || id.slice(0, TAG_LENGTH) === borrower.slice(0, TAG_LENGTH)
}
