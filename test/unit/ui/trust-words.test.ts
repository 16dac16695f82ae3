/** The words of trust, and the catalogue ordered by it. */
import { describe, expect, it } from 'vitest'
import type { Standing } from '../../../src/circle/trust-view'
import type { Offer } from '../../../src/core/model'
import { formatRating, formatScore, orderByTrust, trustSentence } from '../../../src/ui/trust-words'

const names: Record<string, string> = { me: 'you', ana: 'Ana', ben: 'Ben', cleo: 'Cleo', dan: 'Dan' }
const nameOf = (id: string) => names[id] ?? id

function standing(vouchers: string[], byViewer = false): Standing {
  return {
    score: vouchers.length > 0 ? 0.1 : 0,
    vouchers: vouchers.map((member, i) => ({ member, trust: 1 / (i + 2) })),
    vouchedByViewer: byViewer ? { strength: 2, scope: 'tools' } : undefined,
    rating: { average: undefined, count: 0, total: 0 },
  }
}

describe('trust in words', () => {
  it('names the most trusted voucher and counts the rest', () => {
    expect(trustSentence(standing([]), 'me', 'Ben', nameOf)).toBe('No one you trust has vouched for Ben yet.')
    expect(trustSentence(standing(['ana']), 'me', 'Ben', nameOf)).toBe('Vouched for by Ana.')
    expect(trustSentence(standing(['ana', 'cleo']), 'me', 'Ben', nameOf)).toBe('Vouched for by Ana and 1 other you trust.')
    expect(trustSentence(standing(['ana', 'cleo', 'dan']), 'me', 'Ben', nameOf)).toBe('Vouched for by Ana and 2 others you trust.')
    expect(trustSentence(standing(['me', 'ana'], true), 'me', 'Ben', nameOf)).toBe('Vouched for by you, Ana.')
    expect(trustSentence(standing(['me'], true), 'me', 'Ben', nameOf)).toBe('Vouched for by you.')
  })

  it('puts the number second, and says whose reviews count', () => {
    expect(formatScore(0)).toBe('0')
    expect(formatScore(0.1234)).toBe('12.3')
    expect(formatRating({ average: undefined, count: 0, total: 0 })).toBe('no reviews yet')
    expect(formatRating({ average: undefined, count: 0, total: 2 })).toBe('2 reviews, none from people you trust')
    expect(formatRating({ average: 4.5, count: 2, total: 3 })).toBe('★ 4.5 from 2 reviews by people you trust')
  })
})

describe('the catalogue by trust', () => {
  const offer = (id: string, owner: string) => ({ id, owner }) as Offer
  const offers = [offer('1', 'ben'), offer('2', 'ana'), offer('3', 'me'), offer('4', 'dan'), offer('5', 'ana')]
  const trust = new Map([
    ['me', 0.5],
    ['ana', 0.3],
    ['ben', 0.1],
  ])

  it('sorts most trusted owners first, own offers on top, keeping order among equals', () => {
    expect(orderByTrust(offers, trust, 'me', false, true).map((o) => o.id)).toEqual(['3', '2', '5', '1', '4'])
  })

  it('leaves out owners the viewer does not reach, but never their own', () => {
    expect(orderByTrust(offers, trust, 'me', true, false).map((o) => o.id)).toEqual(['1', '2', '3', '5'])
  })
})
