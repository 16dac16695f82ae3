import { describe, expect, it } from 'vitest'
import { type Attestation, type SignedCredential, issueReview, issueRevocation, issueVouch, verifyAttestation } from '../../../src/core/attestation'
import { webCryptoEd25519 } from '../../../src/core/ed25519'
import { type SigningKeyPair, memberIdOf, newSigningKeyPair } from '../../../src/core/keys'
import { seededRandom } from '../../../src/core/random'
import { PAIR_CAP, TRUST_ALPHA, buildTrustGraph, personalTrust, trustPaths, trustedVouchers, weightedRating } from '../../../src/core/trust'

const ed = webCryptoEd25519(globalThis.crypto.subtle)
const random = seededRandom(30)
const NOW = Date.UTC(2026, 10, 22, 12)
const DAY = 86_400_000
const NAMES = ['you', 'ana', 'ben', 'cleo', 'dan', 'eve', 'fay', 'newcomer'] as const
type Name = (typeof NAMES)[number]
const keys = Object.fromEntries(NAMES.map((name) => [name, newSigningKeyPair(random)])) as Record<Name, SigningKeyPair>
const id = (name: Name) => memberIdOf(keys[name].publicKey)
const nameOf = new Map(NAMES.map((name) => [id(name), name]))
const names = (paths: string[][]) => paths.map((path) => path.map((member) => nameOf.get(member)).join(' → '))

async function verified(credential: SignedCredential, at = NOW): Promise<Attestation> {
  const check = await verifyAttestation(ed, credential, at)
  if (!check.ok) throw new Error(`test credential refused: ${check.reason}`)
  return check.value
}

function vouch(from: Name, to: Name, strength: 1 | 2 | 3, issuedAt = NOW - DAY, validUntil?: number) {
  return issueVouch(ed, keys[from], { subject: id(to), strength, scope: 'anything', circle: 'lilas', now: issuedAt, validUntil, random }).then((c) => verified(c, issuedAt))
}

function review(from: Name, to: Name, rating: 1 | 2 | 3 | 4 | 5, booking = `b-${from}-${to}`, issuedAt = NOW - DAY) {
  return issueReview(ed, keys[from], { subject: id(to), booking, rating, role: 'borrower', now: issuedAt, random }).then((c) => verified(c, issuedAt))
}

/** The trust of each named member, 0 for those absent from the map. */
function byName(trust: ReadonlyMap<string, number>): Record<Name, number> {
  return Object.fromEntries(NAMES.map((name) => [name, trust.get(id(name)) ?? 0])) as Record<Name, number>
}

describe('personalTrust', () => {
  it('matches a small graph solved by hand', async () => {
    // you → ana (2), you → ben (1), ana → cleo (3). ben and cleo vouch for no one: their walks restart.
    const graph = buildTrustGraph([await vouch('you', 'ana', 2), await vouch('you', 'ben', 1), await vouch('ana', 'cleo', 3)], NOW)
    const trust = byName(personalTrust(graph, id('you')))
    // Solving π = 0.3·e_you + 0.7·(πP + dangling·e_you) with P(you,ana) = 2/3, P(you,ben) = 1/3, P(ana,cleo) = 1:
    // π(you) = 75/152, π(ana) = 35/152, π(ben) = 35/304, π(cleo) = 49/304.
    expect(trust.you).toBeCloseTo(75 / 152, 9)
    expect(trust.ana).toBeCloseTo(35 / 152, 9)
    expect(trust.ben).toBeCloseTo(35 / 304, 9)
    expect(trust.cleo).toBeCloseTo(49 / 304, 9)
    expect(trust.dan).toBe(0)
    expect(Object.values(trust).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
  })

  it('splits an issuer’s weight across everyone they vouch for', async () => {
    const one = buildTrustGraph([await vouch('you', 'ana', 3), await vouch('ana', 'ben', 3)], NOW)
    const many = buildTrustGraph([await vouch('you', 'ana', 3), await vouch('ana', 'ben', 3), await vouch('ana', 'cleo', 3), await vouch('ana', 'dan', 3)], NOW)
    const alone = byName(personalTrust(one, id('you')))
    const shared = byName(personalTrust(many, id('you')))
    expect(shared.ben).toBeCloseTo(alone.ben / 3, 9)
    expect(shared.ben + shared.cleo + shared.dan).toBeCloseTo(alone.ben, 9)
  })

  it('counts good reviews as weaker edges and no edge for 3 stars or fewer', async () => {
    const graph = buildTrustGraph([await vouch('you', 'ana', 1), await review('you', 'ben', 5), await review('you', 'cleo', 4), await review('you', 'dan', 3)], NOW)
    const trust = byName(personalTrust(graph, id('you')))
    expect(trust.ana).toBeCloseTo(trust.ben, 12)
    expect(trust.cleo).toBeCloseTo(trust.ben / 2, 12)
    expect(trust.dan).toBe(0)
  })

  it('caps what one member gives another, however many attestations they issue', async () => {
    const attestations = [await vouch('you', 'ana', 3), await vouch('you', 'ben', 3), await vouch('you', 'ana', 1)]
    for (let i = 0; i < 5; i++) attestations.push(await review('you', 'ana', 5, `booking-${i}`))
    const graph = buildTrustGraph(attestations, NOW)
    const trust = byName(personalTrust(graph, id('you')))
    expect(trust.ana).toBeCloseTo(trust.ben, 12)
    const edges = [...graph.strengths.subarray(graph.offsets[graph.index.get(id('you'))!]!, graph.offsets[graph.index.get(id('you'))! + 1]!)]
    expect(edges).toEqual([PAIR_CAP, PAIR_CAP])
  })

  it('drops expired, not yet valid and revoked attestations', async () => {
    const lapsed = await vouch('you', 'ana', 3, NOW - 300 * DAY, NOW - 10 * DAY)
    const future = await vouch('you', 'cleo', 3, NOW + 10 * DAY)
    const revokedVouch = await vouch('you', 'ben', 3)
    const revocation = await verified(await issueRevocation(ed, keys.you, { revokes: { id: revokedVouch.id, subject: id('ben') }, now: NOW - 1000, random }))
    const bogus = await verified(await issueRevocation(ed, keys.eve, { revokes: { id: revokedVouch.id, subject: id('ben') }, now: NOW - 1000, random }))
    const kept = await vouch('you', 'dan', 1)
    expect(byName(personalTrust(buildTrustGraph([lapsed, future, revokedVouch, revocation, kept], NOW), id('you')))).toMatchObject({ ana: 0, ben: 0, cleo: 0 })
    // Before it lapsed, the vouch counted; a revocation by someone else changes nothing.
    expect(byName(personalTrust(buildTrustGraph([lapsed], NOW - 20 * DAY), id('you'))).ana).toBeGreaterThan(0)
    expect(byName(personalTrust(buildTrustGraph([revokedVouch, bogus], NOW), id('you'))).ben).toBeGreaterThan(0)
  })

  it('lets a member who vouched for no one see through their inviter', async () => {
    const graph = buildTrustGraph([await vouch('ana', 'ben', 2), await vouch('ana', 'cleo', 1), await vouch('ben', 'newcomer', 1)], NOW)
    const throughAna = personalTrust(graph, id('newcomer'), { inviter: id('ana') })
    expect(throughAna).toEqual(personalTrust(graph, id('ana')))
    // Without an inviter, a member with no edges out trusts only themself; so does a stranger.
    expect(personalTrust(graph, id('newcomer'))).toEqual(new Map([[id('newcomer'), 1]]))
    expect(personalTrust(graph, id('fay'), { inviter: id('ana') })).toEqual(personalTrust(graph, id('ana')))
    expect(personalTrust(graph, id('fay'))).toEqual(new Map([[id('fay'), 1]]))
    // Once they vouch for someone, their own view counts.
    const own = buildTrustGraph([await vouch('ana', 'ben', 2), await vouch('newcomer', 'cleo', 1)], NOW)
    expect(byName(personalTrust(own, id('newcomer'), { inviter: id('ana') })).newcomer).toBeGreaterThanOrEqual(TRUST_ALPHA)
  })
})

describe('trustPaths', () => {
  it('lists the strongest paths from the viewer, strongest first', async () => {
    // you → ana (3), ben (2), dan (1); ana → cleo, ben → cleo, dan → eve → cleo.
    const graph = buildTrustGraph(
      await Promise.all([
        vouch('you', 'ana', 3),
        vouch('you', 'ben', 2),
        vouch('you', 'dan', 1),
        vouch('ana', 'cleo', 2),
        vouch('ben', 'cleo', 2),
        vouch('dan', 'eve', 2),
        vouch('eve', 'cleo', 2),
      ]),
      NOW,
    )
    expect(names(trustPaths(graph, id('you'), id('cleo')))).toEqual(['you → ana → cleo', 'you → ben → cleo', 'you → dan → eve → cleo'])
    expect(names(trustPaths(graph, id('you'), id('cleo'), 1))).toEqual(['you → ana → cleo'])
    expect(trustPaths(graph, id('cleo'), id('you'))).toEqual([])
    expect(trustPaths(graph, id('you'), id('fay'))).toEqual([])
    expect(trustPaths(graph, id('you'), id('you'))).toEqual([])
  })

  it('names the trusted members who vouched for someone', async () => {
    const graph = buildTrustGraph(await Promise.all([vouch('you', 'ana', 3), vouch('you', 'ben', 1), vouch('ana', 'cleo', 2), vouch('ben', 'cleo', 2), vouch('fay', 'cleo', 3)]), NOW)
    const trust = personalTrust(graph, id('you'))
    expect(trustedVouchers(graph, trust, id('cleo')).map((v) => nameOf.get(v.member))).toEqual(['ana', 'ben'])
  })
})

describe('weightedRating', () => {
  it('weights each rating by the viewer’s trust in its reviewer; strangers count for nothing', async () => {
    const graph = buildTrustGraph([await vouch('you', 'ana', 3), await vouch('you', 'ben', 1)], NOW)
    const trust = personalTrust(graph, id('you'))
    const reviews = [await review('ana', 'cleo', 5), await review('ben', 'cleo', 1), await review('eve', 'cleo', 1), await review('fay', 'cleo', 1, 'b-2')]
    const t = byName(trust)
    const { average, count } = weightedRating(reviews, trust)
    expect(count).toBe(2)
    expect(average).toBeCloseTo((5 * t.ana + 1 * t.ben) / (t.ana + t.ben), 12)
    expect(average).toBeCloseTo(4, 12) // ana holds three times ben's trust: (5·3 + 1)/4
    expect(weightedRating(reviews.slice(2), trust)).toEqual({ average: undefined, count: 0 })
  })

  it('counts one review per reviewer and booking, the latest', async () => {
    const trust = personalTrust(buildTrustGraph([await vouch('you', 'ana', 3)], NOW), id('you'))
    const first = await review('ana', 'cleo', 2, 'b-1', NOW - 3 * DAY)
    const second = await review('ana', 'cleo', 5, 'b-1', NOW - DAY)
    const other = await review('ana', 'cleo', 3, 'b-2')
    expect(weightedRating([second, first], trust)).toEqual({ average: 5, count: 1 })
    expect(weightedRating([first, second, other], trust)).toEqual({ average: 4, count: 2 })
  })
})
