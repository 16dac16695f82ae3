/**
 * Reading the booking records and messages of one member's doc. A member's `bookings` map holds two
 * kinds of record under booking ids: their side as a borrower (it has `requested`) and their answers
 * as an owner (it has `decision`). Each is read through its own field table only (BORROWER, OWNER in
 * validate-records.ts), so a field of the other side written into a record is never even looked at:
 * a borrower who writes `decision: 'accepted'` into their own request has written nothing anyone reads.
 * A request or an answer whose parties do not match its bound booking id is malformed (booking-id.ts).
 * Beyond the OWNER table, an answer also carries the request's terms as the owner accepted them (read
 * with the borrower's rules) and `grantedTo`; a message may name the borrower of its booking.
 * Like every reader in core, these never throw and report each flaw as a ReadProblem.
 */
import { fitsBookingId } from './booking-id'
import type { ThreadMessage } from './messages'
import type { BorrowerSide, Id, IsoDate, MemberId, OwnerSide, ReadProblem } from './model'
import { getter, BORROWER, MESSAGE, OWNER, type Get } from './validate-records'
import { isoDate, isRecord, isSafeId, memberId, own, type FieldReader } from './validate-fields'
import { guarded, pathId, problemsAt, readMap } from './validate'

/** What a borrower asked for: an acceptance is an answer to exactly these. */
export interface BookingTerms {
  from: IsoDate | undefined
  to: IsoDate | undefined
  count: number
}

/** The owner's record as the booking rules read it: the model's OwnerSide and what binds it. */
export interface OwnerRecord extends OwnerSide {
  /** The request's terms as the owner saw them when answering; undefined in an answer written without. */
  terms: BookingTerms | undefined
  /** The last day the owner has agreed to through extensions; a later refusal never takes it back. */
  grantedTo: IsoDate | undefined
}

/** A member's booking records, split by the side they speak for. */
export interface BookingSides {
  asBorrower: BorrowerSide[]
  asOwner: OwnerRecord[]
}

const optionalMember: FieldReader<MemberId | undefined> = (raw, report) =>
  raw === undefined || raw === null ? undefined : memberId('Not a member')(raw, report)

/**
 * The part every record reader shares: a guard against hostile shapes, a record under a safe id, and
 * a field getter that reports flaws at the record's path.
 */
function readRecord<T>(
  member: MemberId,
  collection: 'bookings' | 'messages',
  id: Id,
  raw: unknown,
  problems: ReadProblem[],
  read: (get: Get, record: Record<string, unknown>, at: string) => T | undefined,
): T | undefined {
  const at = `${collection}/${pathId(id)}`
  return guarded(problems, member, at, undefined, () => {
    if (!isRecord(raw) || !isSafeId(id)) {
      problems.push({ member, path: at, reason: isRecord(raw) ? 'malformed' : 'wrong-type' })
      return undefined
    }
    return read(getter(raw, problemsAt(member, at, problems)), raw, at)
  })
}

export function readBorrowerSide(member: MemberId, id: Id, raw: unknown, problems: ReadProblem[]): BorrowerSide | undefined {
  return readRecord(member, 'bookings', id, raw, problems, (get, _record, at) => {
    const owner = get('owner', BORROWER.owner)
    const offer = get('offer', BORROWER.offer)
    const kind = get('kind', BORROWER.kind)
    const requested = get('requested', BORROWER.requested)
    if (owner === undefined || offer === undefined || kind === undefined || requested === undefined) return undefined
    // Booking one's own offer is not a booking: nobody else would ever answer it.
    if (owner === member) {
      problems.push({ member, path: `${at}/owner`, reason: 'out-of-range' })
      return undefined
    }
    // A bound id speaks of one borrower, owner and offer (booking-id.ts).
    if (!fitsBookingId(id, { borrower: member, owner, offer })) {
      problems.push({ member, path: at, reason: 'malformed' })
      return undefined
    }
    const from = get('from', BORROWER.from)
    const to = get('to', BORROWER.to)
    if ((from === undefined) !== (to === undefined) || (from !== undefined && to !== undefined && to < from)) {
      problems.push({ member, path: `${at}/to`, reason: 'out-of-range' })
      return undefined
    }
    const extendTo = get('extendTo', BORROWER.extendTo)
    return {
      id,
      borrower: member,
      owner,
      offer,
      kind,
      from,
      to,
      count: get('count', BORROWER.count),
      message: get('message', BORROWER.message),
      requested,
      cancelled: get('cancelled', BORROWER.cancelled),
      received: get('received', BORROWER.received),
      returned: get('returned', BORROWER.returned),
      // An extension must lengthen a dated booking; anything else is no question at all.
      extendTo: extendTo !== undefined && to !== undefined && extendTo > to ? extendTo : undefined,
      extendAsked: get('extendAsked', BORROWER.extendAsked),
    }
  })
}

export function readOwnerSide(member: MemberId, id: Id, raw: unknown, problems: ReadProblem[]): OwnerRecord | undefined {
  return readRecord(member, 'bookings', id, raw, problems, (get, record, at) => {
    const borrower = get('borrower', OWNER.borrower)
    const offer = get('offer', OWNER.offer)
    const decision = get('decision', OWNER.decision)
    const decided = get('decided', OWNER.decided)
    if (borrower === undefined || offer === undefined || decision === undefined || decided === undefined) return undefined
    if (!fitsBookingId(id, { borrower, owner: member, offer })) {
      problems.push({ member, path: at, reason: 'malformed' })
      return undefined
    }
    // The terms are the borrower's fields copied at the answer, so they are read by the borrower's rules.
    const terms = own(record, 'count') === undefined ? undefined : { from: get('from', BORROWER.from), to: get('to', BORROWER.to), count: get('count', BORROWER.count) }
    return {
      id,
      owner: member,
      borrower,
      offer,
      decision,
      decided,
      handedOver: get('handedOver', OWNER.handedOver),
      closed: get('closed', OWNER.closed),
      condition: get('condition', OWNER.condition),
      extension: get('extension', OWNER.extension),
      extensionFor: get('extensionFor', OWNER.extensionFor),
      extensionAt: get('extensionAt', OWNER.extensionAt),
      terms,
      grantedTo: get('grantedTo', isoDate),
    }
  })
}

/**
 * Reads a whole `bookings` map. A record with `requested` is the member's request; one with
 * `decision` (and no `requested`) is their answer as an owner; anything else is reported and skipped.
 */
export function readBookingSides(member: MemberId, raw: unknown, problems: ReadProblem[]): BookingSides {
  const sides: BookingSides = { asBorrower: [], asOwner: [] }
  readMap(member, 'bookings', raw, problems, (author, id, record, found) => {
    if (isRecord(record) && own(record, 'requested') !== undefined) {
      const side = readBorrowerSide(author, id, record, found)
      if (side) sides.asBorrower.push(side)
    } else if (isRecord(record) && own(record, 'decision') !== undefined) {
      const side = readOwnerSide(author, id, record, found)
      if (side) sides.asOwner.push(side)
    } else {
      found.push({ member: author, path: `bookings/${pathId(id)}`, reason: isRecord(record) ? 'missing' : 'wrong-type' })
    }
    return undefined
  })
  return sides
}

export function readMessage(member: MemberId, id: Id, raw: unknown, problems: ReadProblem[]): ThreadMessage | undefined {
  return readRecord(member, 'messages', id, raw, problems, (get) => {
    const thread = get('thread', MESSAGE.thread)
    const sent = get('at', MESSAGE.at)
    if (thread === undefined || sent === undefined) return undefined
    const text = get('text', MESSAGE.text)
    const offer = get('offer', MESSAGE.offer)
    // A message says something or points at an offer; an empty one is nothing to show.
    if (text === '' && offer === undefined) return undefined
    return { id, author: member, thread, at: sent, text, offer, borrower: get('borrower', optionalMember) }
  })
}

/** Reads a whole `messages` map; broken messages are left out. */
export function readMessages(member: MemberId, raw: unknown, problems: ReadProblem[]): ThreadMessage[] {
  return readMap(member, 'messages', raw, problems, readMessage)
}
