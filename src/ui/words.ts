/** The words the screens use for the domain's values, and small formatting helpers. No Svelte. */
import { isoDateAt } from '../core/booking-dates'
import type { NextActor, RequestCheck } from '../core/booking-rules'
import type { Booking, BookingState, Condition, IsoDate, MemberId, OfferKind, WantKind } from '../core/model'
import type { ReminderKind } from '../core/reminders'
import type { CircleView } from '../circle/types'

export const OFFER_KIND_WORDS: Record<OfferKind, { label: string; plural: string; hint: string; example: string }> = {
  thing: { label: 'Thing', plural: 'Things', hint: 'Lend something and get it back', example: 'a drill, a tent, a pasta machine' },
  space: { label: 'Space', plural: 'Spaces', hint: 'Share a room, a parking space or a plot', example: 'a spare room, a driveway' },
  ride: { label: 'Ride', plural: 'Rides', hint: 'Offer seats on a trip', example: 'to the market on Saturday' },
  skill: { label: 'Skill', plural: 'Skills', hint: 'Help with something you are good at', example: 'bike repairs, baking' },
  gift: { label: 'Gift', plural: 'Gifts', hint: 'Give something away to keep', example: 'surplus apples, kids’ clothes' },
}

export const WANT_KIND_WORDS: Record<WantKind, { label: string; hint: string }> = {
  borrow: { label: 'Borrow', hint: 'Something to use for a while' },
  errand: { label: 'Errand', hint: 'A hand with a task or a trip' },
  repair: { label: 'Repair', hint: 'Someone to fix something' },
  other: { label: 'Other', hint: 'Anything else' },
}

export const CONDITION_WORDS: Record<Condition, string> = {
  new: 'New',
  good: 'Good',
  fair: 'Fair',
  worn: 'Worn',
}

/** A member's name as shown; someone who has not named themselves is still a neighbour. */
export function memberName(view: CircleView, id: MemberId): string {
  const name = view.members.get(id)?.profile.name.trim()
  return name ? name : 'A neighbour'
}

/** The map `ownerNames` last returned. */
let lastNames: ReadonlyMap<MemberId, string> | undefined

/**
 * Every member's display name: the same map as last time while none of them changed, so that
 * whatever depends on the names (every card on screen) is not redone when an edit changed something
 * else.
 */
export function ownerNames(view: CircleView): ReadonlyMap<MemberId, string> {
  const names = new Map([...view.members.keys()].map((id) => [id, memberName(view, id)]))
  if (!lastNames || !sameEntries(lastNames, names)) lastNames = names
  return lastNames
}

function sameEntries<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false
  for (const [key, value] of a) if (b.get(key) !== value) return false
  return true
}

const dateTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
const dateOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' })

export function formatDateTime(millis: number): string {
  return Number.isFinite(millis) ? dateTime.format(millis) : ''
}

export function formatDate(millis: number): string {
  return Number.isFinite(millis) ? dateOnly.format(millis) : ''
}

/** `YYYY-MM-DD` as a local calendar date (not UTC midnight, which shifts the day west of Greenwich). */
export function formatIsoDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number)
  if (!y || !m || !d) return iso
  return dateOnly.format(new Date(y, m - 1, d))
}

/** Millis → the value of an `<input type="datetime-local">`, in local time. */
export function toDateTimeLocal(millis: number | undefined): string {
  if (millis === undefined || !Number.isFinite(millis)) return ''
  const date = new Date(millis)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** The value of an `<input type="datetime-local">` → millis (NaN when empty or invalid). */
export function fromDateTimeLocal(value: string): number {
  return value ? new Date(value).getTime() : Number.NaN
}

export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes <= 0) return ''
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h === 0) return `${m} min`
  return m === 0 ? `${h} h` : `${h} h ${m} min`
}

/** A safe file name part from something a person typed. */
export function fileSafe(text: string): string {
  const safe = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
  return safe.slice(0, 40) || 'me'
}

/** "just now", "2 min ago", "3 h ago", else the date and time. */
export function formatAgo(millis: number, now: number): string {
  const minutes = Math.floor((now - millis) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ago`
  return formatDateTime(millis)
}

/** The member's own calendar day at this moment. */
export function localToday(now: number): IsoDate {
  return isoDateAt(now, -new Date(now).getTimezoneOffset())
}

/** A booking state as a short label, the same for both sides. */
export const BOOKING_STATE_WORDS: Record<BookingState, string> = {
  requested: 'Requested',
  accepted: 'Accepted',
  declined: 'Declined',
  cancelled: 'Cancelled',
  'handed-over': 'Handed over',
  received: 'Received',
  returned: 'Returned',
  closed: 'Closed',
  overdue: 'Overdue',
}

/** What "handed over", "received", "returned" mean for each kind, in the words of the field. */
export const STEP_WORDS: Record<OfferKind, { handOver: string; receive: string; ask: string; accept: string }> = {
  thing: { handOver: 'I handed it over', receive: 'I have it', ask: 'Ask to borrow', accept: 'Accept' },
  space: { handOver: 'I let them in', receive: 'I am in', ask: 'Ask to book', accept: 'Accept' },
  ride: { handOver: 'They rode along', receive: 'I had the ride', ask: 'Ask for a seat', accept: 'Accept' },
  skill: { handOver: 'Session given', receive: 'Session done', ask: 'Ask for a session', accept: 'Accept' },
  gift: { handOver: 'They picked it up', receive: 'I picked it up', ask: 'Ask for it', accept: 'Pick them' },
}

/** Who acts next, from the viewer's point of view. */
export function nextWords(next: NextActor, booking: Booking, me: MemberId, ownerName: string, borrowerName: string): string {
  const mine = (side: 'owner' | 'borrower') => (side === 'owner' ? booking.owner === me : booking.borrower === me)
  switch (next) {
    case 'owner':
      return mine('owner') ? 'Your turn' : `Waiting for ${ownerName}`
    case 'borrower':
      return mine('borrower') ? 'Your turn' : `Waiting for ${borrowerName}`
    case 'both':
      return 'Meet for the handover, then each of you confirms'
    case 'nobody':
      return 'Nothing more to do'
  }
}

/** Why a request cannot be made, as instant feedback in the request form. */
export function requestCheckWords(check: Exclude<RequestCheck, { ok: true }>, kind: OfferKind): string {
  const days = check.days?.slice(0, 3).map(formatIsoDate).join(', ') ?? ''
  switch (check.reason) {
    case 'own':
      return 'This is your own offer.'
    case 'paused':
      return 'Its owner has paused this offer for now.'
    case 'expired':
      return 'Past its best-before day, so it is no longer offered.'
    case 'dates':
      return 'Pick the first and the last day.'
    case 'past':
      return 'That day has already gone. Pick one from today on.'
    case 'blocked':
      return `The owner keeps ${days} free. Pick other days.`
    case 'too-many':
      return kind === 'ride' ? 'More seats than the ride has.' : 'More than there is.'
    case 'taken':
      if (kind === 'ride') return 'No seats left for that many.'
      if (kind === 'gift') return 'Already promised to someone else.'
      return days ? `Already booked on ${days}.` : 'Already booked then.'
  }
}

/** A booking's dates or count, short. */
export function bookingWhen(booking: { kind: OfferKind; from?: IsoDate; to?: IsoDate; count: number }): string {
  if (booking.from !== undefined && booking.to !== undefined) {
    return booking.from === booking.to ? formatIsoDate(booking.from) : `${formatIsoDate(booking.from)} – ${formatIsoDate(booking.to)}`
  }
  if (booking.kind === 'ride') return booking.count === 1 ? '1 seat' : `${booking.count} seats`
  return booking.count === 1 ? '1 item' : `${booking.count} items`
}

/** A reminder in one line, from the reader's side. */
export function reminderWords(kind: ReminderKind, title: string, other: string): string {
  switch (kind) {
    case 'request':
      return `${other} asks for “${title}”`
    case 'conflict':
      return `Two acceptances clash for “${title}”: ${other}’s cannot stand`
    case 'accepted':
      return `${other} accepted your request for “${title}”`
    case 'declined':
      return `${other} declined your request for “${title}”`
    case 'handed-over':
      return `${other} says you have “${title}”: confirm`
    case 'pickup-tomorrow':
      return `Handover of “${title}” is coming up`
    case 'due-soon':
      return `“${title}” is due back soon`
    case 'overdue':
      return `“${title}” is overdue`
    case 'returned':
      return `${other} returned “${title}”: confirm`
    case 'extension-asked':
      return `${other} asks to keep “${title}” longer`
    case 'extension-answered':
      return `${other} answered your ask to keep “${title}” longer`
  }
}
