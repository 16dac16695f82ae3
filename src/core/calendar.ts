/**
 * An offer's availability calendar as data: one month in weeks (Monday first), each day saying
 * whether it is past, blocked by the owner, partly or fully taken by accepted bookings, or inside the
 * range a member is about to request. The screen only draws it.
 */
import { addDays, eachDay } from './booking-dates'
import { holding } from './booking-rules'
import { unitsOf } from './booking-state'
import type { Booking, IsoDate } from './model'

export interface CalendarDay {
  date: IsoDate
  /** Day of the month, 1–31. */
  day: number
  inMonth: boolean
  past: boolean
  today: boolean
  blocked: boolean
  /** Units of capacity taken by accepted bookings that day. */
  used: number
  full: boolean
  selected: boolean
}

export interface CalendarInput {
  /** Any day of the month to show. */
  month: IsoDate
  today: IsoDate
  capacity: number
  blockedDates: readonly IsoDate[]
  bookings: readonly Booking[]
  selection?: { from: IsoDate | undefined; to: IsoDate | undefined }
}

function weekday(date: IsoDate): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  // Monday 0 … Sunday 6.
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7
}

/** The first day of the month `date` is in, moved by `months`. */
export function monthStart(date: IsoDate, months = 0): IsoDate {
  const [y, m] = date.split('-').map(Number) as [number, number]
  const index = y * 12 + (m - 1) + months
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`
}

export function calendarMonth(input: CalendarInput): CalendarDay[][] {
  const first = monthStart(input.month)
  const last = addDays(monthStart(input.month, 1), -1)
  const start = addDays(first, -weekday(first))
  const end = addDays(last, 6 - weekday(last))
  const blocked = new Set(input.blockedDates)
  const held = holding(input.bookings).filter((booking) => booking.from !== undefined && booking.to !== undefined)
  const { from, to } = input.selection ?? { from: undefined, to: undefined }
  const weeks: CalendarDay[][] = []
  for (const date of eachDay(start, end)) {
    const used = held
      .filter((booking) => booking.from! <= date && date <= booking.to!)
      .reduce((sum, booking) => sum + unitsOf(booking.kind, booking.count), 0)
    const day: CalendarDay = {
      date,
      day: Number(date.slice(8)),
      inMonth: date >= first && date <= last,
      past: date < input.today,
      today: date === input.today,
      blocked: blocked.has(date),
      used,
      full: used >= input.capacity,
      selected: from !== undefined && date >= from && date <= (to ?? from),
    }
    if (weekday(date) === 0) weeks.push([])
    weeks[weeks.length - 1]!.push(day)
  }
  return weeks
}
