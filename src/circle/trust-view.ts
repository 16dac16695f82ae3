/**
 * Trust as one member sees a circle: personalised PageRank over the circle's verified attestations
 * (core/trust.ts), plus the words a member page needs — who vouched, how reviews average out once
 * weighted by trust, and why. Pure; the clock is passed in.
 */
import { type Attestation, checkValidity } from '../core/attestation'
import type { MemberId } from '../core/model'
import { type TrustGraph, buildTrustGraph, outDegree, personalTrust, trustedVouchers, trustPaths, weightedRating } from '../core/trust'

export interface Standing {
  /** The viewer's trust in this member, 0 when no path of vouches reaches them. */
  score: number
  /** Members the viewer trusts who vouched for (or reviewed well) this member, most trusted first. */
  vouchers: { member: MemberId; trust: number }[]
  /** Whether the viewer's own live vouch for them stands. */
  vouchedByViewer: { strength: 1 | 2 | 3; scope: string } | undefined
  /** Revealed reviews of them, averaged by the viewer's trust in each reviewer. */
  rating: { average: number | undefined; count: number; total: number }
}

export interface TrustView {
  viewer: MemberId
  /** Who the walk starts from: the viewer, or their inviter while the viewer has vouched for no one. */
  seed: MemberId
  trust: ReadonlyMap<MemberId, number>
  standing(member: MemberId): Standing
  /** The strongest few paths from the seed to `member`, both ends included. */
  paths(member: MemberId, limit?: number): MemberId[][]
}

export function circleTrust(attestations: readonly Attestation[], viewer: MemberId, options: { now: number; inviter?: MemberId }): TrustView {
  const graph = buildTrustGraph(attestations, options.now)
  const seed = seedOf(graph, viewer, options.inviter)
  const trust = personalTrust(graph, viewer, options.inviter === undefined ? {} : { inviter: options.inviter })
  const live = liveAt(attestations, options.now)
  return {
    viewer,
    seed,
    trust,
    standing(member) {
      const mine = live.find((a) => a.kind === 'vouch' && a.issuer === viewer && a.subject === member)
      const reviews = live.filter((a) => a.kind === 'review' && a.subject === member)
      return {
        score: trust.get(member) ?? 0,
        vouchers: trustedVouchers(graph, trust, member).filter((voucher) => voucher.member !== member),
        vouchedByViewer: mine?.vouch && { strength: mine.vouch.strength, scope: mine.vouch.scope },
        rating: { ...weightedRating(reviews, trust), total: reviews.length },
      }
    },
    paths: (member, limit = 3) => trustPaths(graph, seed, member, limit),
  }
}

/** Attestations in their window at `now` and not revoked by their issuer. */
export function liveAt(attestations: readonly Attestation[], now: number): Attestation[] {
  const current = attestations.filter((a) => checkValidity(a, now) === undefined)
  const revoked = new Set(current.filter((a) => a.kind === 'revocation').map((a) => `${a.issuer} ${a.revokes}`))
  return current.filter((a) => a.kind !== 'revocation' && !revoked.has(`${a.issuer} ${a.id}`))
}

/** Whether a chain of at most `hops` live vouches leads from `from` to `to`. */
export function withinVouches(live: readonly Attestation[], from: MemberId, to: MemberId, hops: number): boolean {
  let frontier = new Set([from])
  const seen = new Set([from])
  for (let step = 0; step < hops && frontier.size > 0; step++) {
    const next = new Set<MemberId>()
    for (const a of live) {
      if (a.kind !== 'vouch' || !frontier.has(a.issuer) || seen.has(a.subject)) continue
      if (a.subject === to) return true
      next.add(a.subject)
      seen.add(a.subject)
    }
    frontier = next
  }
  return false
}

function seedOf(graph: TrustGraph, viewer: MemberId, inviter: MemberId | undefined): MemberId {
  const index = graph.index.get(viewer)
  const hasOut = index !== undefined && outDegree(graph, index) > 0
  return !hasOut && inviter !== undefined && inviter !== viewer && graph.index.has(inviter) ? inviter : viewer
}
