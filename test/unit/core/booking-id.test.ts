import { describe, expect, it } from 'vitest'
import { isTaggedBookingId, mayAskUnder, newBookingId } from '../../../src/core/booking-id'
import { newId, seededRandom } from '../../../src/core/random'

const ben = 'a1b2c3d4e5f60718' + '9'.repeat(48)
const cleo = 'a1b2c3d4e5f60719' + '9'.repeat(48)

describe('booking ids', () => {
  it('carry their borrower’s tag and only the borrower may ask under them', () => {
    const id = newBookingId(ben, newId(seededRandom(1)))
    expect(id).toHaveLength(38)
    expect(isTaggedBookingId(id)).toBe(true)
    expect(mayAskUnder(id, ben)).toBe(true)
    // One hex digit apart in the tag is another member.
    expect(mayAskUnder(id, cleo)).toBe(false)
  })

  it('leave untagged ids, as written before tags, to anyone', () => {
    const old = newId(seededRandom(2))
    expect(isTaggedBookingId(old)).toBe(false)
    expect(mayAskUnder(old, cleo)).toBe(true)
    // Tagged form means exactly: 16 lowercase hex digits, then 22 id characters.
    expect(isTaggedBookingId(ben.slice(0, 16).toUpperCase() + old)).toBe(false)
    expect(isTaggedBookingId(ben.slice(0, 16) + old + 'x')).toBe(false)
  })
})
