/**
 * Trust in words a neighbour understands (DESIGN: "vouched for by Ana and 2 others you trust"), with
 * the number second. Pure, so the wording is tested without a browser.
 */
import type { MemberId, Offer } from '../core/model'
import type { Standing } from '../circle/trust-view'

export const STRENGTH_WORDS: Readonly<Record<1 | 2 | 3, string>> = {
  1: 'I know them',
  2: 'I would lend them my things',
  3: 'I would trust them with anything',
}

export const SCOPE_SUGGESTIONS = ['anything', 'tools', 'car', 'garden', 'kids', 'rooms', 'kitchen', 'electronics'] as const

/** "Vouched for by Ana and 2 others you trust." — the viewer first if they vouched too. */
export function trustSentence(standing: Standing, viewer: MemberId, name: string, nameOf: (id: MemberId) => string): string {
  const others = standing.vouchers.filter((voucher) => voucher.member !== viewer)
  const byYou = standing.vouchedByViewer !== undefined
  if (others.length === 0) return byYou ? 'Vouched for by you.' : `No one you trust has vouched for ${name} yet.`
  const rest = others.length - 1
  const who = rest === 0 ? nameOf(others[0]!.member) : `${nameOf(others[0]!.member)} and ${rest} other${rest === 1 ? '' : 's'} you trust`
  return `Vouched for by ${byYou ? 'you, ' : ''}${who}.`
}

/** Trust as a number out of 100, one decimal: the share of the viewer's trust walk that ends there. */
export function formatScore(score: number): string {
  return score <= 0 ? '0' : (score * 100).toFixed(score < 0.001 ? 3 : 1)
}

export function formatRating(rating: { average: number | undefined; count: number; total: number }): string {
  if (rating.total === 0) return 'no reviews yet'
  if (rating.average === undefined) return `${rating.total} review${rating.total === 1 ? '' : 's'}, none from people you trust`
  return `★ ${rating.average.toFixed(1)} from ${rating.count} review${rating.count === 1 ? '' : 's'} by people you trust`
}

/**
 * The catalogue by trust in each owner: with `onlyTrusted`, offers of members the viewer's trust
 * does not reach are left out (their own stay); with `sort`, most trusted owners first, keeping the
 * given order among equals.
 */
export function orderByTrust(offers: Offer[], trust: ReadonlyMap<MemberId, number>, me: MemberId, onlyTrusted: boolean, sort: boolean): Offer[] {
  const score = (owner: MemberId) => (owner === me ? Infinity : (trust.get(owner) ?? 0))
  const kept = onlyTrusted ? offers.filter((offer) => score(offer.owner) > 0) : offers
  if (!sort) return kept
  return kept
    .map((offer, position) => ({ offer, position, score: score(offer.owner) }))
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .map((item) => item.offer)
}
