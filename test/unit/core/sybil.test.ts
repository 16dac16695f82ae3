/**
 * The Sybil guarantee of personal trust (DESIGN, "Attestations and trust"), checked numerically on the
 * seeded synthetic circle of test/bench/trust.ts: 1,000 honest members in circles of 40 with 20,000
 * attestations among them, and a ring S of 200 fake accounts vouching only for each other.
 *
 * What "the trust crossing those vouches" means: personalised PageRank satisfies, for any set S that
 * does not hold the viewer v,
 *
 *   π(S) = (1−α) · Σ_{u} π(u) · P(u, S)              (the walk enters S only by following an edge)
 *        ≤ (1−α) · π(S) + (1−α) · C,   C = Σ_{u ∉ S} π(u) · P(u, S)
 *
 * where P(u, s) is u's normalised out-weight to s (an issuer's weight split across everyone they
 * vouch for). C is the trust crossing the attack edges: each honest member who vouched into the ring,
 * times their trust, times the share of their weight that vouch carries. Hence π(S) ≤ (1−α)/α · C,
 * with equality when no edge leaves S (our ring vouches only inside itself). With no attack edge C = 0
 * and the ring is never reached, so its trust is exactly 0 — not merely small.
 *
 * `personalTrust` iterates from zero and every pass only adds trust, so the inequality holds at every
 * pass, not only in the limit: the check below compares computed values with no slack beyond rounding.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { type Attestation, newUrnUuid } from '../../../src/core/attestation'
import type { MemberId } from '../../../src/core/model'
import { seededRandom } from '../../../src/core/random'
import { TRUST_ALPHA, type TrustGraph, buildTrustGraph, personalTrust } from '../../../src/core/trust'
import { SYNTHETIC, type SyntheticTrustCircle, syntheticTrustCircle } from '../../bench/trust'

let circle: SyntheticTrustCircle
const random = seededRandom(404)
const VIEWERS = 12

beforeAll(async () => {
  circle = await syntheticTrustCircle({ seed: 7 })
})

function attackVouch(issuer: MemberId, subject: MemberId): Attestation {
  const id = newUrnUuid(random)
  const strength = (1 + Math.floor(random.next() * 3)) as 1 | 2 | 3
  const validFrom = circle.now - 86_400_000
  return { id, kind: 'vouch', issuer, subject, validFrom, validUntil: undefined, vouch: { strength, scope: 'anything', circle: 'circle-0' }, credential: { id } }
}

function ringTrust(trust: ReadonlyMap<MemberId, number>): number {
  return circle.ring.reduce((sum, member) => sum + (trust.get(member) ?? 0), 0)
}

/** C: Σ over edges u → s with u outside the ring and s inside of π(u) · P(u, s). */
function crossingTrust(graph: TrustGraph, trust: ReadonlyMap<MemberId, number>): number {
  const ring = new Set(circle.ring.map((member) => graph.index.get(member)))
  let crossing = 0
  for (let u = 0; u < graph.members.length; u++) {
    if (ring.has(u)) continue
    const value = trust.get(graph.members[u]!) ?? 0
    for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) if (ring.has(graph.targets[e]!)) crossing += value * graph.weights[e]!
  }
  return crossing
}

const pickHonest = () => circle.honest[Math.floor(random.next() * circle.honest.length)]!

describe('the Sybil guarantee on a synthetic circle', () => {
  it('is run on the graph the issue describes', () => {
    expect(circle.honest).toHaveLength(SYNTHETIC.members)
    expect(circle.honestAttestations).toHaveLength(20_000)
    expect(circle.ring).toHaveLength(200)
    expect(new Set(circle.ringAttestations.map((a) => a.issuer)).size).toBe(200)
    expect(circle.ringAttestations.every((a) => circle.ring.includes(a.subject))).toBe(true)
    const graph = buildTrustGraph([...circle.honestAttestations, ...circle.ringAttestations], circle.now)
    expect(graph.members.length).toBe(1200)
    // Some vouches lapsed or were revoked and are not edges.
    expect(graph.targets.length).toBeLessThan(20_000 + 2_000)
  })

  it('gives the ring exactly zero trust when no honest member vouched for it', () => {
    const graph = buildTrustGraph([...circle.honestAttestations, ...circle.ringAttestations], circle.now)
    for (let i = 0; i < VIEWERS; i++) {
      const trust = personalTrust(graph, pickHonest())
      expect(ringTrust(trust)).toBe(0)
      expect(circle.ring.some((member) => trust.has(member))).toBe(false)
      expect(trust.size).toBeGreaterThan(100)
    }
  })

  for (const attacks of [1, 2, 3]) {
    it(`keeps the ring within (1−α)/α × the trust crossing ${attacks} vouch${attacks > 1 ? 'es' : ''} from honest members`, () => {
      const vouchers = Array.from({ length: attacks }, pickHonest)
      const attack = vouchers.map((voucher) => attackVouch(voucher, circle.ring[Math.floor(random.next() * circle.ring.length)]!))
      const graph = buildTrustGraph([...circle.honestAttestations, ...circle.ringAttestations, ...attack], circle.now)
      const bound = (1 - TRUST_ALPHA) / TRUST_ALPHA
      // Random viewers, and the vouchers themselves, who give the ring the most.
      const viewers = [...Array.from({ length: VIEWERS }, pickHonest), ...vouchers]
      let reached = 0
      for (const viewer of viewers) {
        const trust = personalTrust(graph, viewer)
        const ring = ringTrust(trust)
        const crossing = crossingTrust(graph, trust)
        expect(ring).toBeLessThanOrEqual(bound * crossing * (1 + 1e-12))
        if (ring > 0) {
          reached++
          // The ring sends nothing back, so the bound is tight: no slack hides a flaw in the check.
          expect(ring / (bound * crossing)).toBeGreaterThan(0.999)
        } else expect(crossing).toBe(0)
      }
      expect(reached).toBeGreaterThanOrEqual(attacks)
    })
  }
})
