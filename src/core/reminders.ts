/**
 * What needs a member's attention in their bookings today: requests to answer, decisions and
 * extensions answered, pickups tomorrow, returns due soon, overdue returns. Derived from the bookings
 * and the day alone, so each reminder goes away by itself once its reason has; its id is stable, so
 * the app can notify about each one once.
 */
import { addDays, daysBetween } from './booking-dates'
import { changedSinceAccepted, isPartyTo } from './booking-rules'
import { RETURNS } from './booking-state'
import type { Booking, IsoDate, MemberId, Millis } from './model'

export const REMINDER_KINDS = [
  'request',
  'conflict',
  'accepted',
  'declined',
  'handed-over',
  'pickup-tomorrow',
  'due-soon',
  'overdue',
  'returned',
  'extension-asked',
  'extension-answered',
] as const
export type ReminderKind = (typeof REMINDER_KINDS)[number]

export interface Reminder {
  /** `<kind>:<borrower>/<booking id>`[`:<detail>`]; the same reminder has the same id on every run. */
  id: string
  kind: ReminderKind
  booking: Booking
  /** Whether the member is the owner (lending) or the borrower. */
  role: 'owner' | 'borrower'
}

/** How long news of a decision stays in the list. */
const NEWS_DAYS = 3
const DAY = 86_400_000

export function remindersFor(bookings: readonly Booking[], me: MemberId, today: IsoDate, now: Millis): Reminder[] {
  const reminders: Reminder[] = []
  for (const booking of bookings) {
    if (!isPartyTo(booking, me)) continue
    const role = booking.owner === me ? 'owner' : 'borrower'
    const add = (kind: ReminderKind, detail = '') =>
      reminders.push({ id: `${kind}:${booking.borrower}/${booking.id}${detail ? `:${detail}` : ''}`, kind, booking, role })
    const decided = booking.ownerSide?.decided ?? 0
    const recent = (at: number | undefined) => at !== undefined && now - at < NEWS_DAYS * DAY
    switch (booking.state) {
      case 'requested':
        // A request changed after acceptance asks again, under an id of its own so it is news again.
        if (role === 'owner') add(booking.conflict ? 'conflict' : 'request', changedSinceAccepted(booking) ? `${booking.from ?? ''}..${booking.to ?? ''}x${booking.count}` : '')
        break
      case 'declined':
        if (role === 'borrower' && recent(decided)) add('declined')
        break
      case 'accepted':
        if (booking.from !== undefined && daysBetween(today, booking.from) <= 1 && daysBetween(today, booking.from) >= 0) add('pickup-tomorrow', booking.from)
        else if (role === 'borrower' && recent(decided)) add('accepted')
        break
      case 'handed-over':
        if (role === 'borrower') add('handed-over')
        break
      case 'overdue':
        add('overdue', booking.to)
        break
      case 'returned':
        if (role === 'owner') add('returned')
        break
    }
    // Only what comes back is due back: a lesson or a lift has a day, not a return.
    const out = booking.state === 'handed-over' || booking.state === 'received'
    if (RETURNS[booking.kind] && out && booking.to !== undefined && booking.to <= addDays(today, 1)) {
      add('due-soon', booking.to)
    }
    if (booking.extension === 'asked' && role === 'owner' && booking.state !== 'closed' && booking.state !== 'cancelled') add('extension-asked', booking.extendTo)
    if ((booking.extension === 'granted' || booking.extension === 'refused') && role === 'borrower' && recent(booking.ownerSide?.extensionAt)) {
      add('extension-answered', booking.extendTo)
    }
  }
  return reminders
}
