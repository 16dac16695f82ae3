/** The words the screens use for the domain's values, and small formatting helpers. No Svelte. */
import type { Condition, MemberId, OfferKind, WantKind } from '../core/model'
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

export function ownerNames(view: CircleView): Map<MemberId, string> {
  return new Map([...view.members.keys()].map((id) => [id, memberName(view, id)]))
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
