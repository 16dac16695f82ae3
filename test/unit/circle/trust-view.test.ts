/** The member page's trust view and the auto-accept levels, over hand-made verified attestations. */
import { describe, expect, it } from 'vitest'
import { circleTrust, liveAt, withinVouches } from '../../../src/circle/trust-view'
import type { Attestation } from '../../../src/core/attestation'

const NOW = 1_800_000_000_000
const DAY = 86_400_000
let ids = 0

function vouch(issuer: string, subject: string, strength: 1 | 2 | 3 = 2, validUntil = NOW + 300 * DAY): Attestation {
  const id = `urn:uuid:v${ids++}`
  return { id, kind: 'vouch', issuer, subject, validFrom: NOW - DAY, validUntil, vouch: { strength, scope: 'tools', circle: 'c' }, credential: {} }
}

function revoke(target: Attestation): Attestation {
  return { id: `urn:uuid:r${ids++}`, kind: 'revocation', issuer: target.issuer, subject: target.subject, validFrom: NOW - 1, validUntil: undefined, revokes: target.id, credential: {} }
}

describe('the trust view', () => {
  it('says who vouched and whether the viewer did, and drops expired and revoked vouches', () => {
    const anaForBen = vouch('ana', 'ben')
    const all = [vouch('me', 'ana', 3), anaForBen, vouch('me', 'cleo', 1), vouch('cleo', 'ben', 1), vouch('dan', 'ben', 3, NOW - 1)]
    const view = circleTrust(all, 'me', { now: NOW, closedBookings: [] })
    const ben = view.standing('ben')
    expect(ben.vouchers.map((v) => v.member)).toEqual(['ana', 'cleo'])
    expect(ben.vouchedByViewer).toBeUndefined()
    expect(view.standing('ana').vouchedByViewer).toEqual({ strength: 3, scope: 'tools' })
    expect(view.paths('ben')[0]).toEqual(['me', 'ana', 'ben'])

    const after = circleTrust([...all, revoke(anaForBen)], 'me', { now: NOW, closedBookings: [] })
    expect(after.standing('ben').vouchers.map((v) => v.member)).toEqual(['cleo'])
    expect(liveAt([...all, revoke(anaForBen)], NOW).map((a) => a.id)).not.toContain(anaForBen.id)
  })

  it('sees through the inviter until the viewer vouches for someone', () => {
    const all = [vouch('inviter', 'ben')]
    const view = circleTrust(all, 'newcomer', { now: NOW, inviter: 'inviter', closedBookings: [] })
    expect(view.seed).toBe('inviter')
    expect(view.standing('ben').score).toBeGreaterThan(0)
    expect(circleTrust(all, 'newcomer', { now: NOW, closedBookings: [] }).standing('ben').score).toBe(0)
  })
})

function review(issuer: string, subject: string, booking: string, rating: 1 | 2 | 3 | 4 | 5, role: 'borrower' | 'owner'): Attestation {
  return { id: `urn:uuid:w${ids++}`, kind: 'review', issuer, subject, validFrom: NOW - DAY, validUntil: undefined, review: { booking, rating, role }, credential: {} }
}

describe('reviews', () => {
  const closedBookings = [{ id: 'k1', borrower: 'ben', owner: 'ana' }]

  it('count only for a closed booking between the two, from the reviewer\'s side', () => {
    const all = [
      vouch('me', 'ana', 3),
      vouch('me', 'cleo', 3),
      review('ana', 'ben', 'k1', 5, 'owner'),
      review('cleo', 'ben', 'k1', 1, 'owner'), // Cleo was not part of k1
      review('ana', 'ben', 'made-up', 1, 'owner'), // no such booking
      review('ben', 'ana', 'k1', 4, 'owner'), // Ben was the borrower, not the owner
    ]
    const view = circleTrust(all, 'me', { now: NOW, closedBookings })
    expect(view.standing('ben').rating).toMatchObject({ average: 5, count: 1, total: 1 })
    expect(view.standing('ana').rating.total).toBe(0)
  })

  it('are not vouches: a good review raises trust but is not "vouched for by"', () => {
    const view = circleTrust([vouch('me', 'ana', 3), review('ana', 'ben', 'k1', 5, 'owner')], 'me', { now: NOW, closedBookings })
    expect(view.standing('ben').score).toBeGreaterThan(0)
    expect(view.standing('ben').vouchers).toEqual([])
  })

  it('do not take a newcomer off their inviter\'s view', () => {
    const all = [vouch('inviter', 'ana', 3), review('newcomer', 'ana', 'k2', 5, 'borrower')]
    const view = circleTrust(all, 'newcomer', { now: NOW, inviter: 'inviter', closedBookings: [{ id: 'k2', borrower: 'newcomer', owner: 'ana' }] })
    expect(view.seed).toBe('inviter')
  })
})

describe('auto-accept levels', () => {
  const live = [vouch('me', 'ana'), vouch('ana', 'ben'), vouch('ben', 'cleo')]

  it('counts hops of live vouches from the owner', () => {
    expect(withinVouches(live, 'me', 'ana', 1)).toBe(true)
    expect(withinVouches(live, 'me', 'ben', 1)).toBe(false)
    expect(withinVouches(live, 'me', 'ben', 2)).toBe(true)
    expect(withinVouches(live, 'me', 'cleo', 2)).toBe(false)
    expect(withinVouches(live, 'ben', 'me', 3)).toBe(false)
  })
})
