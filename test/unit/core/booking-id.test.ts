import { describe, expect, it } from 'vitest'
import { fitsBookingId, isTaggedBookingId, newBookingId } from '../../../src/core/booking-id'
import { readBorrowerSide, readOwnerSide } from '../../../src/core/booking-read'
import type { ReadProblem } from '../../../src/core/model'
import { newId, seededRandom } from '../../../src/core/random'

const ben = 'a1b2c3d4e5f60718' + '9'.repeat(48)
const cleo = 'a1b2c3d4e5f60719' + '9'.repeat(48)
const ana = 'f'.repeat(64)
const drill = { borrower: ben, owner: ana, offer: 'drill' }

describe('the readers', () => {
  const id = newBookingId(drill, newId(seededRandom(4)))
  const asked = { owner: ana, offer: 'drill', kind: 'thing', from: null, to: null, count: 1, message: '', requested: 5 }
  const answered = { borrower: ben, offer: 'drill', decision: 'accepted', decided: 6 }

  it('take a request or an answer whose parties fit its id', () => {
    const problems: ReadProblem[] = []
    expect(readBorrowerSide(ben, id, asked, problems)).toMatchObject({ borrower: ben, owner: ana, offer: 'drill' })
    expect(readOwnerSide(ana, id, answered, problems)).toMatchObject({ borrower: ben, owner: ana, offer: 'drill' })
    expect(problems).toEqual([])
  })

  it('refuse, as malformed, one written by or naming anyone else', () => {
    const cases: Array<[string, () => unknown]> = [
      ['another borrower', () => readBorrowerSide(cleo, id, asked, problems)],
      ['another owner named', () => readBorrowerSide(ben, id, { ...asked, owner: cleo }, problems)],
      ['another offer named', () => readBorrowerSide(ben, id, { ...asked, offer: 'tent' }, problems)],
      ['another owner answering', () => readOwnerSide(cleo, id, answered, problems)],
      ['another borrower answered', () => readOwnerSide(ana, id, { ...answered, borrower: cleo }, problems)],
      ['another offer answered', () => readOwnerSide(ana, id, { ...answered, offer: 'tent' }, problems)],
    ]
    const problems: ReadProblem[] = []
    for (const [what, read] of cases) expect(read(), what).toBeUndefined()
    expect(problems.map((problem) => problem.reason)).toEqual(Array(cases.length).fill('malformed'))
  })
})

describe('booking ids', () => {
  it('are bound to their borrower, owner and offer', () => {
    const id = newBookingId(drill, newId(seededRandom(1)))
    expect(id).toHaveLength(48)
    expect(isTaggedBookingId(id)).toBe(true)
    expect(fitsBookingId(id, drill)).toBe(true)
    // One hex digit apart in the tag is another member.
    expect(fitsBookingId(id, { ...drill, borrower: cleo })).toBe(false)
    expect(fitsBookingId(id, { ...drill, owner: cleo })).toBe(false)
    expect(fitsBookingId(id, { ...drill, offer: 'tent' })).toBe(false)
    // The random part is covered too: it cannot be swapped to make another binding fit.
    const other = newBookingId(drill, newId(seededRandom(2)))
    expect(fitsBookingId(id.slice(0, 32) + other.slice(32), drill)).toBe(false)
    expect(newBookingId(drill, newId(seededRandom(1)))).toBe(id)
  })

  it('leave untagged ids, as written before, to anyone', () => {
    const old = newId(seededRandom(2))
    expect(isTaggedBookingId(old)).toBe(false)
    expect(fitsBookingId(old, { ...drill, borrower: cleo })).toBe(true)
    // The bound form is exactly: 16 lowercase hex digits, then 32 id characters.
    const id = newBookingId(drill, old)
    expect(isTaggedBookingId(id.slice(0, 16).toUpperCase() + id.slice(16))).toBe(false)
    expect(isTaggedBookingId(id + 'x')).toBe(false)
  })

  it('are never made untagged by a bad member id or random part', () => {
    expect(() => newBookingId({ ...drill, borrower: 'not hex' }, newId(seededRandom(3)))).toThrow(TypeError)
    expect(() => newBookingId(drill, 'short')).toThrow(TypeError)
  })
})
