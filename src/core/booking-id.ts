/**
 * Booking ids. A borrower chooses the id of their request, and the owner answers under it in the one
 * map that also holds the owner's own requests. A malicious member may write only to its own feed
 * (DESIGN.md, "Threat model"), but with free-form ids and fields, one could:
 * - ask under another member's pending request id, with an earlier `requested`, and hide it;
 * - as a borrower, point a loan under way at another offer or owner, freeing the item they still hold;
 * - as an owner, answer a request with another offer, pinning a loan on the borrower they never asked for.
 *
 * So an id is bound to its booking: the borrower's tag (the first 16 hex digits of their member id),
 * 16 random id characters, and 16 characters of SHA-256 over the owner, the offer and that random
 * part. A request whose borrower, owner or offer does not match its id reads as malformed, and so does
 * an answer whose owner, borrower or offer does not; both sides of one id thus always speak of one
 * booking. Forging a match means finding a key whose first 64 bits are another member's, or a
 * 96-bit second preimage.
 *
 * Untagged ids, as written before this rule (22 characters), still read: those can collide, and
 * booking-circle.ts settles who holds one.
 */
import { sha256, toBase64Url, utf8 } from './bytes'
import type { Id, MemberId } from './model'

const TAG = 16
const RANDOM = 16
const BINDING = 16
const TAGGED = /^[0-9a-f]{16}[A-Za-z0-9_-]{32}$/

export interface BookingParties {
  borrower: MemberId
  owner: MemberId
  offer: Id
}

/** The id of a new request; `random` is a fresh id of at least 16 characters (random.ts's newId). */
export function newBookingId(parties: BookingParties, random: Id): Id {
  const part = random.slice(0, RANDOM)
  const id = parties.borrower.slice(0, TAG) + part + binding(parties, part)
  if (!isTaggedBookingId(id)) throw new TypeError('A booking id needs a hex member id and 16 random id characters')
  return id
}

/** Whether `id` has the bound form (and so names its borrower, owner and offer). */
export function isTaggedBookingId(id: Id): boolean {
  return TAGGED.test(id)
}

/** Whether a record under `id` may speak for these parties: any untagged id, a tagged one only for its own. */
export function fitsBookingId(id: Id, parties: BookingParties): boolean {
  if (!isTaggedBookingId(id)) return true
  const part = id.slice(TAG, TAG + RANDOM)
  return id.slice(0, TAG) === parties.borrower.slice(0, TAG) && id.slice(TAG + RANDOM) === binding(parties, part)
}

function binding({ owner, offer }: BookingParties, part: string): string {
  return toBase64Url(sha256(utf8(`sharecircle/booking-id\n${owner}\n${offer}\n${part}`))).slice(0, BINDING)
}
