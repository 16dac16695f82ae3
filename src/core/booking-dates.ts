/**
 * Calendar-day arithmetic on ISO dates (`YYYY-MM-DD`), for bookings, the calendar and reminders.
 * Days are counted in UTC so that arithmetic never meets a daylight-saving hour; which day "today"
 * is belongs to the caller (the member's local date), so every function here is pure.
 */
import type { IsoDate } from './model'

const DAY = 86_400_000

function toDayNumber(date: IsoDate): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const utc = new Date(0)
  utc.setUTCFullYear(y, m - 1, d)
  return Math.floor(utc.getTime() / DAY)
}

function fromDayNumber(day: number): IsoDate {
  const date = new Date(day * DAY)
  const year = String(date.getUTCFullYear()).padStart(4, '0')
  return `${year}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days)
}

/** Days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(b) - toDayNumber(a)
}

/** Every day from `from` to `to`, both included; empty when `to` is earlier. Capped at `limit` days. */
export function eachDay(from: IsoDate, to: IsoDate, limit = 3660): IsoDate[] {
  const days: IsoDate[] = []
  const first = toDayNumber(from)
  const last = Math.min(toDayNumber(to), first + limit - 1)
  for (let day = first; day <= last; day++) days.push(fromDayNumber(day))
  return days
}

/** Whether two day ranges (both ends included) share a day. */
export function overlaps(a: { from: IsoDate; to: IsoDate }, b: { from: IsoDate; to: IsoDate }): boolean {
  return a.from <= b.to && b.from <= a.to
}

/** The local calendar day of a moment, given the local offset in minutes east of UTC. */
export function isoDateAt(millis: number, offsetMinutes: number): IsoDate {
  return fromDayNumber(Math.floor((millis + offsetMinutes * 60_000) / DAY))
}
