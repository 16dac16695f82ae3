import { describe, expect, it } from 'vitest'
import { remindersFor } from '../../../src/core/reminders'
import { ANA, BEN, answer, derive, docs, offerOf, request } from './booking-fixtures'

const drill = offerOf('thing')
const NOW = 1_000_000

function kinds(records: Parameters<typeof docs>, me: string, today: string) {
  return remindersFor(derive(docs(...records), [drill], today), me, today, NOW).map((r) => r.kind)
}

describe('reminders', () => {
  it('follow a loan: request, decision, pickup tomorrow, handover, due soon, overdue, return', () => {
    const req: [string, string, Record<string, unknown>] = [BEN, 'b1', request(drill, '2026-12-05', '2026-12-07')]
    expect(kinds([req], ANA, '2026-12-01')).toEqual(['request'])
    expect(kinds([req], BEN, '2026-12-01')).toEqual([])
    const accepted: [string, string, Record<string, unknown>] = [ANA, 'b1', answer(BEN, drill, NOW - 1000)]
    expect(kinds([req, accepted], BEN, '2026-12-01')).toEqual(['accepted'])
    expect(kinds([req, accepted], ANA, '2026-12-04')).toEqual(['pickup-tomorrow'])
    expect(kinds([req, accepted], BEN, '2026-12-04')).toEqual(['pickup-tomorrow'])
    const handed: [string, string, Record<string, unknown>] = [ANA, 'b1', { handedOver: NOW }]
    expect(kinds([req, accepted, handed], BEN, '2026-12-05')).toEqual(['handed-over'])
    expect(kinds([req, accepted, handed], ANA, '2026-12-06')).toEqual(['due-soon'])
    expect(kinds([req, accepted, handed], ANA, '2026-12-08')).toEqual(['overdue'])
    expect(kinds([req, accepted, handed], BEN, '2026-12-08')).toEqual(['overdue'])
    const returned: [string, string, Record<string, unknown>] = [BEN, 'b1', { received: NOW, returned: NOW }]
    expect(kinds([req, accepted, handed, returned], ANA, '2026-12-08')).toEqual(['returned'])
    expect(kinds([req, accepted, handed, returned, [ANA, 'b1', { closed: NOW }]], ANA, '2026-12-08')).toEqual([])
  })

  it('asks the owner about an extension and tells the borrower the answer; ids are stable', () => {
    const req: [string, string, Record<string, unknown>] = [BEN, 'b1', request(drill, '2026-12-05', '2026-12-07', { received: NOW, extendTo: '2026-12-09', extendAsked: NOW })]
    const accepted: [string, string, Record<string, unknown>] = [ANA, 'b1', answer(BEN, drill, 1, { handedOver: 2 })]
    const asked = remindersFor(derive(docs(req, accepted), [drill], '2026-12-05'), ANA, '2026-12-05', NOW)
    expect(asked.map((r) => r.id)).toEqual([`extension-asked:${BEN}/b1:2026-12-09`])
    const granted: [string, string, Record<string, unknown>] = [ANA, 'b1', { extension: 'granted', extensionFor: '2026-12-09', extensionAt: NOW }]
    expect(kinds([req, accepted, granted], BEN, '2026-12-05')).toEqual(['extension-answered'])
    // Old news fades: three days later the answer is no longer a reminder.
    expect(remindersFor(derive(docs(req, accepted, granted), [drill], '2026-12-05'), BEN, '2026-12-05', NOW + 4 * 86_400_000).map((r) => r.kind)).toEqual([])
  })

  it('says "due back soon" only of what comes back: not of a lesson or a lift', () => {
    const lesson = offerOf('skill')
    const records: Parameters<typeof docs> = [[BEN, 'b1', request(lesson, '2026-12-05', '2026-12-05')], [ANA, 'b1', answer(BEN, lesson, 1, { handedOver: 2 })]]
    const at = (me: string) => remindersFor(derive(docs(...records), [lesson], '2026-12-05'), me, '2026-12-05', NOW).map((r) => r.kind)
    expect(at(BEN)).toEqual(['handed-over'])
    expect(at(ANA)).toEqual([])
  })

  it('asks the owner again, as news, about a request changed after acceptance', () => {
    const records: Parameters<typeof docs> = [[BEN, 'b1', request(drill, '2026-12-05', '2026-12-07')]]
    const ids = () => remindersFor(derive(docs(...records), [drill], '2026-12-01'), ANA, '2026-12-01', NOW).map((r) => r.id)
    expect(ids()).toEqual([`request:${BEN}/b1`])
    records.push([ANA, 'b1', answer(BEN, drill, NOW - 1000)])
    expect(ids()).toEqual([])
    records.push([BEN, 'b1', { to: '2026-12-09' }])
    expect(ids()).toEqual([`request:${BEN}/b1:2026-12-05..2026-12-09x1`])
  })
})
