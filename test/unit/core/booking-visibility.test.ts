import { describe, expect, it } from 'vitest'
import { changedSinceAccepted, showsHandover } from '../../../src/core/booking-rules'
import type { Booking } from '../../../src/core/model'
import { ANA, BEN, CLEO, answer, docs, offerOf, one, request } from './booking-fixtures'

const drill = offerOf('thing')
const req = request(drill, '2026-12-02', '2026-12-04')

/** The booking after these records, seen on 2026-12-10 so that a loan still out is overdue. */
function at(...records: Array<[string, Record<string, unknown>]>): Booking {
  return one(docs(...records.map(([member, fields]): [string, string, Record<string, unknown>] => [member, 'b1', fields])), [drill], 'b1', '2026-12-10')
}

describe('who learns the handover point', () => {
  it('the owner always; the borrower only once accepted; nobody else ever', () => {
    const cases: Array<[Booking, boolean]> = [
      [at([BEN, req]), false],
      [at([BEN, { ...req, cancelled: 150 }]), false],
      [at([BEN, req], [ANA, answer(BEN, drill, 200, { decision: 'declined' })]), false],
      [at([BEN, req], [ANA, answer(BEN, drill, 200)]), true],
      [at([BEN, req], [ANA, answer(BEN, drill, 200, { handedOver: 300 })]), true],
      [at([BEN, { ...req, received: 310 }], [ANA, answer(BEN, drill, 200)]), true],
      [at([BEN, { ...req, received: 310, returned: 400 }], [ANA, answer(BEN, drill, 200, { handedOver: 300 })]), true],
      [at([BEN, { ...req, received: 310, returned: 400 }], [ANA, answer(BEN, drill, 200, { handedOver: 300, closed: 500 })]), true],
    ]
    expect(cases.map(([booking]) => booking.state)).toEqual(['requested', 'cancelled', 'declined', 'accepted', 'overdue', 'overdue', 'returned', 'closed'])
    for (const [booking, shown] of cases) {
      expect(showsHandover(booking, ANA), booking.state).toBe(true)
      expect(showsHandover(booking, BEN), booking.state).toBe(shown)
      expect(showsHandover(booking, CLEO), booking.state).toBe(false)
    }
  })

  it('not to a borrower who rewrote an accepted request, which is flagged as changed', () => {
    const changed = at([BEN, req], [ANA, answer(BEN, drill, 200)], [BEN, { to: '2026-12-09' }])
    expect(changedSinceAccepted(changed)).toBe(true)
    expect(showsHandover(changed, BEN)).toBe(false)
    expect(changedSinceAccepted(at([BEN, req], [ANA, answer(BEN, drill, 200)]))).toBe(false)
    expect(changedSinceAccepted(at([BEN, req]))).toBe(false)
  })
})
