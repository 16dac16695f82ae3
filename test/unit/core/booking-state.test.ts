import { describe, expect, it } from 'vitest'
import { newBookingId } from '../../../src/core/booking-id'
import { acceptBlock, bookingActions, checkRequest, extendBlock, isPartyTo, isReviewable, nextActor } from '../../../src/core/booking-rules'
import { remindersFor } from '../../../src/core/reminders'
import { readBorrowerSide, readOwnerSide } from '../../../src/core/booking-read'
import type { ReadProblem } from '../../../src/core/model'
import { ANA, BEN, CLEO, DAN, answer, derive, docs, offerOf, one, request } from './booking-fixtures'

const drill = offerOf('thing')

describe('a thing, every step of the way', () => {
  it('requested → accepted → handed over → received → returned → closed', () => {
    const steps: Array<[typeof ANA, Record<string, unknown>, string]> = [
      [BEN, request(drill, '2026-12-02', '2026-12-04'), 'requested'],
      [ANA, answer(BEN, drill, 200), 'accepted'],
      [ANA, { handedOver: 300 }, 'handed-over'],
      [BEN, { received: 310 }, 'received'],
      [BEN, { returned: 400 }, 'returned'],
      [ANA, { closed: 500, condition: 'Clean, as lent' }, 'closed'],
    ]
    const records: Array<[typeof ANA, string, Record<string, unknown>]> = []
    for (const [member, fields, state] of steps) {
      records.push([member, 'b1', fields])
      expect(one(docs(...records), [drill], 'b1').state).toBe(state)
    }
    expect(one(docs(...records), [drill], 'b1')).toMatchObject({ condition: 'Clean, as lent', conflict: false })
  })

  it('the borrower may confirm receipt before the owner marks the handover, in either order', () => {
    const all = docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-04', { received: 250 })], [ANA, 'b1', answer(BEN, drill, 200)])
    expect(one(all, [drill], 'b1').state).toBe('received')
  })

  it('declined, and cancelled by the borrower before and after acceptance', () => {
    expect(one(docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-02')], [ANA, 'b1', answer(BEN, drill, 200, { decision: 'declined' })]), [drill], 'b1').state).toBe('declined')
    expect(one(docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-02', { cancelled: 150 })]), [drill], 'b1').state).toBe('cancelled')
    expect(one(docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-02', { cancelled: 250 })], [ANA, 'b1', answer(BEN, drill, 200)]), [drill], 'b1').state).toBe('cancelled')
    // Once it changed hands a cancel is too late: the thing must come back.
    const late = docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-02', { cancelled: 350 })], [ANA, 'b1', answer(BEN, drill, 200, { handedOver: 300 })])
    expect(one(late, [drill], 'b1').state).toBe('handed-over')
  })

  it('a loan under way keeps the accepted days: the borrower rewriting the request undoes nothing', () => {
    // Accepted for 2–4 December, handed over and received; then Ben writes other days into his side.
    const records: Array<[typeof ANA, string, Record<string, unknown>]> = [
      [BEN, 'b1', request(drill, '2026-12-02', '2026-12-04')],
      [ANA, 'b1', answer(BEN, drill, 200, { handedOver: 300 })],
      [BEN, 'b1', { received: 310 }],
      [BEN, 'b1', { to: '2026-12-03' }],
      [CLEO, 'c1', request(drill, '2026-12-09', '2026-12-10')],
    ]
    const all = docs(...records)
    const loan = one(all, [drill], 'b1', '2026-12-09')
    expect(loan).toMatchObject({ state: 'overdue', from: '2026-12-02', to: '2026-12-04' })
    // It still holds the drill: a later request for days after it does not get the drill too.
    const later = docs(...records, [ANA, 'c1', answer(CLEO, drill, 400)])
    expect(one(later, [drill], 'b1', '2026-12-09').state).toBe('overdue')
    expect(one(later, [drill], 'c1', '2026-12-09').state).toBe('accepted')
  })

  it('is overdue past its last day while out, not before and not once returned', () => {
    const all = docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-04')], [ANA, 'b1', answer(BEN, drill, 200, { handedOver: 300 })])
    expect(one(all, [drill], 'b1', '2026-12-04').state).toBe('handed-over')
    expect(one(all, [drill], 'b1', '2026-12-05').state).toBe('overdue')
    const back = docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-04', { received: 1, returned: 400 })], [ANA, 'b1', answer(BEN, drill, 200, { handedOver: 300 })])
    expect(one(back, [drill], 'b1', '2026-12-09').state).toBe('returned')
  })

  it('an extension is asked, then granted (the last day moves) or refused (it does not)', () => {
    const asked = request(drill, '2026-12-02', '2026-12-04', { extendTo: '2026-12-06', extendAsked: 350 })
    const base = answer(BEN, drill, 200, { handedOver: 300 })
    expect(one(docs([BEN, 'b1', asked], [ANA, 'b1', base]), [drill], 'b1')).toMatchObject({ extension: 'asked', to: '2026-12-04' })
    const granted = docs([BEN, 'b1', asked], [ANA, 'b1', { ...base, extension: 'granted', extensionFor: '2026-12-06', extensionAt: 360 }])
    expect(one(granted, [drill], 'b1', '2026-12-06')).toMatchObject({ extension: 'granted', to: '2026-12-06', state: 'handed-over' })
    const refused = docs([BEN, 'b1', asked], [ANA, 'b1', { ...base, extension: 'refused', extensionFor: '2026-12-06', extensionAt: 360 }])
    expect(one(refused, [drill], 'b1', '2026-12-06')).toMatchObject({ extension: 'refused', to: '2026-12-04', state: 'overdue' })
    // An answer to an older ask does not answer a new one, and what it granted still stands.
    const stale = docs([BEN, 'b1', { ...asked, extendTo: '2026-12-08' }], [ANA, 'b1', { ...base, extension: 'granted', extensionFor: '2026-12-06' }])
    expect(one(stale, [drill], 'b1')).toMatchObject({ extension: 'asked', to: '2026-12-06' })
  })

  it('a granted extension that would clash with a later booking does not push it out', () => {
    const asked = request(drill, '2026-12-02', '2026-12-04', { extendTo: '2026-12-06', extendAsked: 350 })
    const all = docs(
      [BEN, 'b1', asked],
      [ANA, 'b1', answer(BEN, drill, 200, { handedOver: 300, extension: 'granted', extensionFor: '2026-12-06', extensionAt: 400 })],
      [CLEO, 'c1', request(drill, '2026-12-05', '2026-12-05')],
      [ANA, 'c1', answer(CLEO, drill, 250)],
    )
    expect(one(all, [drill], 'b1')).toMatchObject({ extension: 'clash', to: '2026-12-04' })
    expect(one(all, [drill], 'c1')).toMatchObject({ state: 'accepted', conflict: false })
  })
})

describe('conflicting acceptances', () => {
  it('the earlier acceptance stands, then the lower booking id; the other is flagged to the owner', () => {
    const req = (who: string, id: string): [string, string, Record<string, unknown>] => [who, id, request(drill, '2026-12-02', '2026-12-04')]
    const earlierWins = derive(docs(req(BEN, 'zz'), req(CLEO, 'aa'), [ANA, 'zz', answer(BEN, drill, 200)], [ANA, 'aa', answer(CLEO, drill, 201)]), [drill])
    expect(earlierWins.map((b) => [b.id, b.state, b.conflict])).toEqual(expect.arrayContaining([['zz', 'accepted', false], ['aa', 'requested', true]]))
    const tieOnTime = derive(docs(req(BEN, 'zz'), req(CLEO, 'aa'), [ANA, 'zz', answer(BEN, drill, 200)], [ANA, 'aa', answer(CLEO, drill, 200)]), [drill])
    expect(tieOnTime.map((b) => [b.id, b.state, b.conflict])).toEqual(expect.arrayContaining([['aa', 'accepted', false], ['zz', 'requested', true]]))
    // Days that do not overlap do not clash.
    const apart = derive(docs(req(BEN, 'zz'), [CLEO, 'aa', request(drill, '2026-12-05', '2026-12-06')], [ANA, 'zz', answer(BEN, drill, 200)], [ANA, 'aa', answer(CLEO, drill, 200)]), [drill])
    expect(apart.every((b) => b.state === 'accepted' && !b.conflict)).toBe(true)
  })
})

describe('other kinds', () => {
  it('a gift: claims, the giver picks one, both confirm the pickup', () => {
    const apples = offerOf('gift', { quantity: 1 })
    const records: Array<[typeof ANA, string, Record<string, unknown>]> = [
      [BEN, 'b1', request(apples)],
      [CLEO, 'c1', request(apples)],
    ]
    expect(derive(docs(...records), [apples]).map((b) => b.state)).toEqual(['requested', 'requested'])
    records.push([ANA, 'c1', answer(CLEO, apples, 200)])
    expect(one(docs(...records), [apples], 'c1').state).toBe('accepted')
    // The other claim can no longer be met.
    expect(checkRequest(apples, derive(docs(...records), [apples]), { from: undefined, to: undefined, count: 1 }, BEN, '2026-12-01')).toEqual({ ok: false, reason: 'taken' })
    records.push([ANA, 'c1', { handedOver: 300 }])
    expect(one(docs(...records), [apples], 'c1').state).toBe('handed-over')
    records.push([CLEO, 'c1', { received: 310 }])
    expect(one(docs(...records), [apples], 'c1').state).toBe('closed')
  })

  it('a ride with 3 seats takes three one-seat bookings and refuses the fourth', () => {
    const ride = offerOf('ride', { seats: 3 })
    const ids = ['r1', 'r2', 'r3', 'r4']
    const records: Array<[typeof ANA, string, Record<string, unknown>]> = []
    ids.forEach((id, i) => records.push([BEN, id, request(ride, undefined, undefined, { requested: 100 + i })]))
    ids.slice(0, 3).forEach((id, i) => records.push([ANA, id, answer(BEN, ride, 200 + i)]))
    const bookings = derive(docs(...records), [ride])
    expect(bookings.filter((b) => b.state === 'accepted')).toHaveLength(3)
    const fourth = bookings.find((b) => b.id === 'r4')!
    expect(checkRequest(ride, bookings, { from: undefined, to: undefined, count: 1 }, BEN, '2026-12-01')).toEqual({ ok: false, reason: 'taken' })
    // Even if the owner accepts the fourth, it does not stand.
    records.push([ANA, 'r4', answer(BEN, ride, 300)])
    expect(one(docs(...records), [ride], 'r4')).toMatchObject({ state: 'requested', conflict: true })
    expect(fourth.state).toBe('requested')
  })

  it('a space holds its capacity per day', () => {
    const room = offerOf('space', { capacity: 2 })
    const all = docs(
      [BEN, 'b1', request(room, '2026-12-02', '2026-12-05', { count: 1 })],
      [CLEO, 'c1', request(room, '2026-12-04', '2026-12-06', { count: 1 })],
      [ANA, 'b1', answer(BEN, room, 200)],
      [ANA, 'c1', answer(CLEO, room, 210)],
    )
    const bookings = derive(all, [room])
    expect(checkRequest(room, bookings, { from: '2026-12-06', to: '2026-12-06', count: 1 }, BEN, '2026-12-01')).toEqual({ ok: true })
    expect(checkRequest(room, bookings, { from: '2026-12-03', to: '2026-12-04', count: 1 }, BEN, '2026-12-01')).toEqual({ ok: false, reason: 'taken', days: ['2026-12-04'] })
  })

  it('a ride or a skill is done when handed over and received; neither is ever overdue', () => {
    const lesson = offerOf('skill')
    const all = docs([BEN, 'b1', request(lesson, '2026-12-02', '2026-12-02', { received: 310 })], [ANA, 'b1', answer(BEN, lesson, 200, { handedOver: 300 })])
    expect(one(all, [lesson], 'b1', '2027-01-01').state).toBe('closed')
    const half = docs([BEN, 'b1', request(lesson, '2026-12-02', '2026-12-02')], [ANA, 'b1', answer(BEN, lesson, 200, { handedOver: 300 })])
    expect(one(half, [lesson], 'b1', '2027-01-01').state).toBe('handed-over')
  })
})

describe('a field written by the wrong side is ignored', () => {
  const borrowerFields = { cancelled: 900, received: 900, returned: 900, extendTo: '2026-12-30', extendAsked: 900 }
  const ownerFields = { decision: 'accepted', decided: 150, handedOver: 900, closed: 900, condition: 'x', extension: 'granted', extensionFor: '2026-12-30', extensionAt: 900 }

  it('owner fields in the borrower’s own request are never read', () => {
    const problems: ReadProblem[] = []
    const side = readBorrowerSide(BEN, 'b1', { ...request(drill, '2026-12-02', '2026-12-04'), ...ownerFields }, problems)
    expect(Object.keys(side!)).not.toContain('decision')
    expect(one(docs([BEN, 'b1', { ...request(drill, '2026-12-02', '2026-12-04'), ...ownerFields }]), [drill], 'b1')).toMatchObject({ state: 'requested', ownerSide: undefined })
  })

  it('each owner-only step written by the borrower alone leaves the state where it was', () => {
    for (const [field, value] of Object.entries(ownerFields)) {
      const all = docs([BEN, 'b1', { ...request(drill, '2026-12-02', '2026-12-04'), [field]: value }])
      expect(one(all, [drill], 'b1').state, field).toBe('requested')
    }
  })

  it('borrower fields in the owner’s answer are never read', () => {
    const side = readOwnerSide(ANA, 'b1', { ...answer(BEN, drill, 200), ...borrowerFields }, [])
    expect(Object.keys(side!)).not.toContain('received')
    for (const [field, value] of Object.entries(borrowerFields)) {
      const all = docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-04')], [ANA, 'b1', { ...answer(BEN, drill, 200), [field]: value }])
      expect(one(all, [drill], 'b1').state, field).toBe('accepted')
      expect(one(all, [drill], 'b1').extension, field).toBeUndefined()
    }
  })

  it('an answer from anyone but the named owner, or naming another borrower or offer, is no answer', () => {
    const req = request(drill, '2026-12-02', '2026-12-04')
    expect(one(docs([BEN, 'b1', req], [CLEO, 'b1', answer(BEN, drill, 200)]), [drill], 'b1').state).toBe('requested')
    expect(one(docs([BEN, 'b1', req], [ANA, 'b1', answer(CLEO, drill, 200)]), [drill], 'b1').state).toBe('requested')
    expect(one(docs([BEN, 'b1', req], [ANA, 'b1', { ...answer(BEN, drill, 200), offer: 'other' }]), [drill], 'b1').state).toBe('requested')
  })

  it('the borrower cannot answer their own request by naming themselves as owner', () => {
    const all = docs([BEN, 'b1', { ...request(drill, '2026-12-02', '2026-12-04'), owner: BEN }])
    expect(derive(all, [drill])).toEqual([])
  })

  it('steps out of order change nothing: a return before acceptance, a handover after a decline', () => {
    expect(one(docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-04', { received: 1, returned: 2 })]), [drill], 'b1').state).toBe('requested')
    const declined = docs([BEN, 'b1', request(drill, '2026-12-02', '2026-12-04')], [ANA, 'b1', answer(BEN, drill, 200, { decision: 'declined', handedOver: 300, closed: 400 })])
    expect(one(declined, [drill], 'b1').state).toBe('declined')
  })
})

describe('who acts next, and what each side may do', () => {
  it('names the side the booking waits for at each step', () => {
    const records: Array<[typeof ANA, string, Record<string, unknown>]> = [[BEN, 'b1', request(drill, '2026-12-02', '2026-12-04')]]
    const at = () => one(docs(...records), [drill], 'b1')
    expect(nextActor(at())).toBe('owner')
    expect(bookingActions(at(), BEN)).toEqual(['cancel'])
    expect(bookingActions(at(), ANA)).toEqual(['accept', 'decline'])
    expect(bookingActions(at(), CLEO)).toEqual([])
    records.push([ANA, 'b1', answer(BEN, drill, 200)])
    expect(nextActor(at())).toBe('both')
    records.push([ANA, 'b1', { handedOver: 300 }])
    expect(nextActor(at())).toBe('borrower')
    records.push([BEN, 'b1', { received: 310 }])
    expect(bookingActions(at(), BEN)).toEqual(['return', 'ask-extension'])
    records.push([BEN, 'b1', { returned: 400 }])
    expect(nextActor(at())).toBe('owner')
    expect(bookingActions(at(), ANA)).toEqual(['close'])
    records.push([ANA, 'b1', { closed: 500 }])
    expect(nextActor(at())).toBe('nobody')
  })

  it('says why the owner cannot say yes: the offer removed, more than it has now, or a clash', () => {
    const room = offerOf('space', { capacity: 2 })
    const records: Array<[typeof ANA, string, Record<string, unknown>]> = [
      [BEN, 'b1', request(room, '2026-12-02', '2026-12-04', { count: 2 })],
      [CLEO, 'c1', request(room, '2026-12-03', '2026-12-03')],
    ]
    const bookingsWith = (offer: typeof room, ...more: typeof records) => derive(docs(...records, ...more), [offer])
    const at = (bookings: ReturnType<typeof derive>, id: string) => bookings.find((booking) => booking.id === id)!
    let bookings = bookingsWith(room)
    expect([acceptBlock(room, bookings, at(bookings, 'b1')), acceptBlock(undefined, bookings, at(bookings, 'b1'))]).toEqual([undefined, 'removed'])
    const smaller = offerOf('space', { capacity: 1 })
    bookings = bookingsWith(smaller)
    expect(acceptBlock(smaller, bookings, at(bookings, 'b1'))).toBe('too-many')
    bookings = bookingsWith(room, [ANA, 'b1', answer(BEN, room, 200)])
    expect(acceptBlock(room, bookings, at(bookings, 'c1'))).toBe('taken')
    // Ben asks for a day more, which Cleo's request does not stand in the way of until it is accepted.
    bookings = bookingsWith(room, [ANA, 'b1', answer(BEN, room, 200)], [BEN, 'b1', { extendTo: '2026-12-05', extendAsked: 300 }])
    expect(extendBlock(room, bookings, at(bookings, 'b1'))).toBeUndefined()
    expect(extendBlock(undefined, bookings, at(bookings, 'b1'))).toBe('removed')
  })

  it('refuses requests that cannot be met, with the reason', () => {
    const blocked = offerOf('thing', { blockedDates: ['2026-12-03'] })
    const check = (draft: { from?: string; to?: string; count?: number }, offer = blocked, who = BEN) =>
      checkRequest(offer, [], { from: draft.from, to: draft.to, count: draft.count ?? 1 }, who, '2026-12-01')
    expect(check({ from: '2026-12-02', to: '2026-12-02' })).toEqual({ ok: true })
    expect(check({ from: '2026-12-02', to: '2026-12-04' })).toEqual({ ok: false, reason: 'blocked', days: ['2026-12-03'] })
    expect(check({ from: '2026-11-30', to: '2026-12-02' })).toEqual({ ok: false, reason: 'past' })
    expect(check({ from: '2026-12-04', to: '2026-12-02' })).toEqual({ ok: false, reason: 'dates' })
    expect(check({})).toEqual({ ok: false, reason: 'dates' })
    expect(check({ from: '2026-12-02', to: '2026-12-02' }, blocked, ANA)).toEqual({ ok: false, reason: 'own' })
    expect(check({ from: '2026-12-02', to: '2026-12-02' }, { ...blocked, availability: 'paused' })).toEqual({ ok: false, reason: 'paused' })
    expect(check({ count: 4 }, offerOf('ride', { seats: 3 }))).toEqual({ ok: false, reason: 'too-many' })
    expect(check({}, offerOf('gift', { bestBefore: '2026-11-30' }))).toEqual({ ok: false, reason: 'expired' })
  })
})

describe('a handover whose request is gone', () => {
  const id = newBookingId({ borrower: BEN, owner: ANA, offer: drill.id }, 'R'.repeat(22))
  const handed: Array<[typeof ANA, string, Record<string, unknown>]> = [
    [BEN, id, request(drill, '2026-12-02', '2026-12-04')],
    [ANA, id, answer(BEN, drill, 200)],
    [ANA, id, { handedOver: 300 }],
  ]
  /** The records, with the borrower's request deleted at the end. */
  const withoutRequest = (...records: typeof handed) => docs(...records).set(BEN, {})

  it('stands on the owner’s answer, withdrawn: it holds the offer, goes overdue, waits for the owner only', () => {
    const loan = one(withoutRequest(...handed), [drill], id, '2026-12-06')
    expect(loan).toMatchObject({ borrower: BEN, owner: ANA, offer: drill.id, from: '2026-12-02', to: '2026-12-04', state: 'overdue', withdrawn: true, message: '' })
    expect(checkRequest(drill, [loan], { from: '2026-12-03', to: '2026-12-03', count: 1 }, CLEO, '2026-12-01')).toMatchObject({ ok: false, reason: 'taken' })
    expect(bookingActions(loan, BEN)).toEqual([])
    expect(bookingActions(loan, ANA)).toEqual(['close'])
    expect(nextActor(loan)).toBe('owner')
    // It is the owner's record alone: an owner could write one naming anyone, so it is nothing to Ben.
    expect([isPartyTo(loan, ANA), isPartyTo(loan, BEN)]).toEqual([true, false])
    expect(remindersFor([loan], BEN, '2026-12-06', 1_000).map((r) => r.kind)).toEqual([])
    expect(remindersFor([loan], ANA, '2026-12-06', 1_000).map((r) => r.kind)).toEqual(['overdue'])
    const closed = one(withoutRequest(...handed, [ANA, id, { closed: 500 }]), [drill], id)
    expect(closed).toMatchObject({ state: 'closed', withdrawn: true })
    expect(nextActor(closed)).toBe('nobody')
    // On the owner's word alone it backs no review; with both sides, it does.
    expect(isReviewable(closed)).toBe(false)
    expect(isReviewable(one(docs(...handed, [ANA, id, { closed: 500 }]), [drill], id))).toBe(true)
  })

  it('is done at the handover for what does not come back, and is nothing once its offer is gone', () => {
    for (const kind of ['ride', 'skill', 'gift'] as const) {
      const offer = offerOf(kind)
      const bound = newBookingId({ borrower: BEN, owner: ANA, offer: offer.id }, 'S'.repeat(22))
      const all = docs([BEN, bound, request(offer, kind === 'skill' ? '2026-12-02' : undefined, kind === 'skill' ? '2026-12-02' : undefined)], [ANA, bound, answer(BEN, offer, 200, { handedOver: 300 })]).set(BEN, {})
      const loan = one(all, [offer], bound)
      expect(loan, kind).toMatchObject({ kind, state: 'closed', withdrawn: true })
      expect(nextActor(loan)).toBe('nobody')
      expect(bookingActions(loan, ANA)).toEqual([])
    }
    expect(derive(withoutRequest(...handed), [])).toEqual([])
  })

  it('that clashes with another handover can be declined by the owner, which ends it', () => {
    const other = newBookingId({ borrower: CLEO, owner: ANA, offer: drill.id }, 'T'.repeat(22))
    // Cleo's handover was decided first, so Ben's stand-in is the one that does not fit.
    const clash: typeof handed = [...handed, [CLEO, other, request(drill, '2026-12-03', '2026-12-03')], [ANA, other, answer(CLEO, drill, 100, { handedOver: 110 })]]
    const loan = one(withoutRequest(...clash), [drill], id)
    expect(loan).toMatchObject({ withdrawn: true, conflict: true, state: 'requested' })
    expect(bookingActions(loan, ANA)).toEqual(['decline'])
    expect(derive(withoutRequest(...clash, [ANA, id, { decision: 'declined', decided: 400 }]), [drill]).map((b) => b.id)).toEqual([other])
  })

  it('only after a handover, and only under a bound id', () => {
    // Accepted but not handed over: taking the request back is cancelling it.
    expect(derive(withoutRequest(...handed.slice(0, 2)), [drill])).toEqual([])
    // An untagged id (from before ids were bound) binds nothing to the answer.
    const old: Array<[typeof ANA, string, Record<string, unknown>]> = [[ANA, 'b1', answer(BEN, drill, 200, { handedOver: 300 })]]
    expect(derive(docs(...old), [drill])).toEqual([])
    expect(one(docs(...handed), [drill], id)).toMatchObject({ state: 'handed-over', withdrawn: false, message: 'Hi' })
  })
})

describe('an acceptance is bound to what was accepted', () => {
  type Row = [string, string, Record<string, unknown>]

  it('days rewritten after acceptance are no longer accepted, and push out no booking accepted for its own days', () => {
    const records: Row[] = [
      [BEN, 'b1', request(drill, '2026-12-01', '2026-12-03')],
      [ANA, 'b1', answer(BEN, drill, 200)],
      [CLEO, 'c1', request(drill, '2026-12-05', '2026-12-06')],
      [ANA, 'c1', answer(CLEO, drill, 300)],
    ]
    expect(derive(docs(...records), [drill]).map((b) => [b.id, b.state])).toEqual(expect.arrayContaining([['b1', 'accepted'], ['c1', 'accepted']]))
    records.push([BEN, 'b1', { to: '2026-12-10' }])
    expect(one(docs(...records), [drill], 'c1')).toMatchObject({ state: 'accepted', conflict: false })
    expect(one(docs(...records), [drill], 'b1')).toMatchObject({ state: 'requested', conflict: false, to: '2026-12-10', ownerSide: { decision: 'accepted' } })
    // Accepting the new days is a new decision, taken after Cleo's: it is the one that clashes.
    records.push([ANA, 'b1', { decided: 400, from: '2026-12-01', to: '2026-12-10', count: 1 }])
    expect(one(docs(...records), [drill], 'b1')).toMatchObject({ state: 'requested', conflict: true })
    expect(one(docs(...records), [drill], 'c1')).toMatchObject({ state: 'accepted', conflict: false })
  })

  it('seats rewritten after acceptance are no longer accepted either', () => {
    const ride = offerOf('ride', { seats: 3 })
    const records: Row[] = [
      [BEN, 'b1', request(ride, undefined, undefined, { count: 1 })],
      [ANA, 'b1', answer(BEN, ride, 200)],
      [CLEO, 'c1', request(ride, undefined, undefined, { count: 2 })],
      [ANA, 'c1', answer(CLEO, ride, 300)],
      [BEN, 'b1', { count: 3 }],
    ]
    expect(one(docs(...records), [ride], 'c1')).toMatchObject({ state: 'accepted', conflict: false })
    expect(one(docs(...records), [ride], 'b1')).toMatchObject({ state: 'requested', count: 3 })
  })

  it('an acceptance that names no terms, or other ones, accepts nothing; a decline stands whatever', () => {
    const req = request(drill, '2026-12-02', '2026-12-04')
    // `count: undefined` keeps the fixture from copying the terms in, as an answer written without them.
    const bare = { borrower: BEN, offer: drill.id, decision: 'accepted', decided: 200, count: undefined }
    expect(one(docs([BEN, 'b1', req], [ANA, 'b1', bare]), [drill], 'b1').state).toBe('requested')
    expect(one(docs([BEN, 'b1', req], [ANA, 'b1', { ...bare, from: '2026-12-02', to: '2026-12-05', count: 1 }]), [drill], 'b1').state).toBe('requested')
    expect(one(docs([BEN, 'b1', req], [ANA, 'b1', { ...bare, from: '2026-12-02', to: '2026-12-04', count: 1 }]), [drill], 'b1').state).toBe('accepted')
    expect(one(docs([BEN, 'b1', req], [ANA, 'b1', { ...bare, decision: 'declined' }]), [drill], 'b1').state).toBe('declined')
  })
})

describe('a booking id names one booking of its owner', () => {
  const tent = offerOf('thing', { id: 'tent', title: 'Tent' })

  it('a request under another borrower’s booking id to the same owner is dropped, even backdated', () => {
    const bens: Array<[string, string, Record<string, unknown>]> = [
      [BEN, 'x1', request(drill, '2026-12-02', '2026-12-03', { requested: 100 })],
      [ANA, 'x1', answer(BEN, drill, 200, { handedOver: 300 })],
    ]
    for (const requested of [500, 50]) {
      const bookings = derive(docs(...bens, [CLEO, 'x1', request(tent, '2026-12-02', '2026-12-03', { requested })]), [drill, tent])
      expect(bookings.map((b) => [b.borrower, b.offer, b.state]), `requested ${requested}`).toEqual([[BEN, drill.id, 'handed-over']])
    }
  })

  it('of unanswered requests under one id, the earliest stands, then the lower borrower id', () => {
    const winner = (ben: number, cleo: number) =>
      derive(docs([CLEO, 'x1', request(tent, '2026-12-02', '2026-12-03', { requested: cleo })], [BEN, 'x1', request(drill, '2026-12-02', '2026-12-03', { requested: ben })]), [drill, tent]).map((b) => b.borrower)
    expect(winner(100, 90)).toEqual([CLEO])
    expect(winner(90, 100)).toEqual([BEN])
    expect(winner(100, 100)).toEqual([BEN])
  })

  it('a request under the id of the owner’s own request as a borrower is dropped', () => {
    const bike = offerOf('thing', { id: 'bike', owner: DAN })
    const bookings = derive(docs([ANA, 'y1', request(bike, '2026-12-02', '2026-12-03')], [BEN, 'y1', request(drill, '2026-12-02', '2026-12-03')]), [drill, bike])
    expect(bookings.map((b) => [b.borrower, b.owner])).toEqual([[ANA, DAN]])
  })
})

describe('extensions one after another', () => {
  it('a second ask does not undo a granted first one, and refusing it keeps the first', () => {
    const records: Array<[string, string, Record<string, unknown>]> = [
      [BEN, 'b1', request(drill, '2026-12-02', '2026-12-04', { extendTo: '2026-12-06', extendAsked: 350 })],
      [ANA, 'b1', answer(BEN, drill, 200, { handedOver: 300 })],
      [ANA, 'b1', { extension: 'granted', extensionFor: '2026-12-06', extensionAt: 360, grantedTo: '2026-12-06' }],
    ]
    expect(one(docs(...records), [drill], 'b1')).toMatchObject({ extension: 'granted', to: '2026-12-06' })
    records.push([BEN, 'b1', { extendTo: '2026-12-08', extendAsked: 370 }])
    expect(one(docs(...records), [drill], 'b1', '2026-12-05')).toMatchObject({ extension: 'asked', to: '2026-12-06', state: 'handed-over' })
    expect(bookingActions(one(docs(...records), [drill], 'b1'), ANA)).toEqual(['close', 'grant-extension', 'refuse-extension'])
    const refused = docs(...records, [ANA, 'b1', { extension: 'refused', extensionFor: '2026-12-08', extensionAt: 380 }])
    expect(one(refused, [drill], 'b1', '2026-12-06')).toMatchObject({ extension: 'refused', to: '2026-12-06', state: 'handed-over' })
    expect(one(refused, [drill], 'b1', '2026-12-07').state).toBe('overdue')
    const granted = docs(...records, [ANA, 'b1', { extension: 'granted', extensionFor: '2026-12-08', extensionAt: 380, grantedTo: '2026-12-08' }])
    expect(one(granted, [drill], 'b1', '2026-12-08')).toMatchObject({ extension: 'granted', to: '2026-12-08', state: 'handed-over' })
  })
})

describe('long ranges', () => {
  it('refuses a range longer than the resolver is checked for, by name', () => {
    const check = (to: string) => checkRequest(drill, [], { from: '2026-12-02', to, count: 1 }, BEN, '2026-12-01')
    // 2026-12-02 + 399 days is the 400th day.
    expect(check('2028-01-05')).toEqual({ ok: true })
    expect(check('2028-01-06')).toEqual({ ok: false, reason: 'too-long' })
    const blockedLate = offerOf('thing', { blockedDates: ['2028-03-01'] })
    expect(checkRequest(blockedLate, [], { from: '2026-12-02', to: '2028-03-01', count: 1 }, BEN, '2026-12-01')).toEqual({ ok: false, reason: 'too-long' })
  })
})
