import { describe, expect, it } from 'vitest'
import { addDays, daysBetween, eachDay, isoDateAt } from '../../../src/core/booking-dates'
import { calendarMonth, monthStart } from '../../../src/core/calendar'
import { ANA, BEN, answer, derive, docs, offerOf, request } from './booking-fixtures'

describe('calendar days', () => {
  it('does day arithmetic across months, leap days and years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3)
    expect(eachDay('2026-12-30', '2027-01-01')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01'])
    expect(eachDay('2026-12-02', '2026-12-01')).toEqual([])
    // 23:30 UTC is already the next day one hour east of Greenwich.
    expect(isoDateAt(Date.UTC(2026, 11, 1, 23, 30), 60)).toBe('2026-12-02')
    expect(monthStart('2026-12-15', 1)).toBe('2027-01-01')
    expect(monthStart('2026-01-15', -1)).toBe('2025-12-01')
  })

  it('lays a month out in Monday-first weeks with booked, blocked, past and selected days', () => {
    const drill = offerOf('thing', { blockedDates: ['2026-12-10'] })
    const bookings = derive(docs([BEN, 'b1', request(drill, '2026-12-03', '2026-12-04')], [ANA, 'b1', answer(BEN, drill, 1)]), [drill])
    const weeks = calendarMonth({ month: '2026-12-01', today: '2026-12-02', capacity: 1, blockedDates: drill.blockedDates, bookings, selection: { from: '2026-12-08', to: '2026-12-09' } })
    expect(weeks.every((week) => week.length === 7)).toBe(true)
    // 1 December 2026 is a Tuesday: the first week starts on Monday 30 November.
    expect(weeks[0]![0]).toMatchObject({ date: '2026-11-30', inMonth: false, past: true })
    const day = (date: string) => weeks.flat().find((d) => d.date === date)!
    expect(day('2026-12-02')).toMatchObject({ today: true, past: false, full: false })
    expect(day('2026-12-03')).toMatchObject({ used: 1, full: true })
    expect(day('2026-12-05')).toMatchObject({ used: 0, full: false })
    expect(day('2026-12-10').blocked).toBe(true)
    expect([day('2026-12-08').selected, day('2026-12-09').selected, day('2026-12-10').selected]).toEqual([true, true, false])
    expect(weeks.flat().at(-1)!.date).toBe('2027-01-03')
  })
})
