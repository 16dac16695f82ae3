/**
 * Trust as one member sees a circle: personalised PageRank over the circle's verified attestations
 * (core/trust.ts), plus the words a member page needs — who vouched, how reviews average out once
 * weighted by trust, and why. Pure; the clock is passed in.
 *
 * A review counts only for a closed booking between its issuer and its subject, written from the
 * issuer's side of it: nobody rates people they never lent to or borrowed from.
 */
import { type Attestation, applyRevocations, checkValidity } from '../core/attestation'
import type { MemberId } from '../core/model'

/** The parts of a closed booking a review is checked against. */
export interface ClosedBooking {
  id: string
  borrower: MemberId
  owner: MemberId
}
import { buildTrustGraph, personalTrust, trustPaths, weightedRating } from '../core/trust'

export interface Standing {
  /** The viewer's trust in this member, 0 when no path of vouches reaches them. */
  score: number
  /** Members the viewer trusts who vouch for this member (live vouches), most trusted first. */
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

export function circleTrust(
  attestations: readonly Attestation[],
  viewer: MemberId,
  options: { now: number; inviter?: MemberId; closedBookings: readonly ClosedBooking[] },
): TrustView {
  const counted = backedReviews(attestations, options.closedBookings)
  const graph = buildTrustGraph(counted, options.now)
  const live = liveAt(counted, options.now)
  // "A member who has vouched for no one yet sees the circle through their inviter."
  const hasVouched = live.some((a) => a.kind === 'vouch' && a.issuer === viewer && a.subject !== viewer)
  const seed = !hasVouched && options.inviter !== undefined && options.inviter !== viewer && graph.index.has(options.inviter) ? options.inviter : viewer
  const trust = personalTrust(graph, seed)
  return {
    viewer,
    seed,
    trust,
    standing(member) {
      const mine = live.find((a) => a.kind === 'vouch' && a.issuer === viewer && a.subject === member)
      const reviews = live.filter((a) => a.kind === 'review' && a.subject === member)
      // Vouches from members the viewer's trust reaches, and the viewer's own (which counts even while
      // they see the circle through their inviter).
      const vouchers = new Map<MemberId, number>()
      for (const a of live) {
        if (a.kind === 'vouch' && a.subject === member && a.issuer !== member && (a.issuer === viewer || trust.has(a.issuer))) {
          vouchers.set(a.issuer, trust.get(a.issuer) ?? 0)
        }
      }
      return {
        score: trust.get(member) ?? 0,
        vouchers: [...vouchers].map(([voucher, value]) => ({ member: voucher, trust: value })).sort((a, b) => b.trust - a.trust || (a.member < b.member ? -1 : 1)),
        vouchedByViewer: mine?.vouch && { strength: mine.vouch.strength, scope: mine.vouch.scope },
        rating: { ...weightedRating(reviews, trust), total: reviews.length },
      }
    },
    paths: (member, limit = 3) => trustPaths(graph, seed, member, limit),
  }
}

/** Drops reviews that do not belong to a closed booking between issuer and subject, from the issuer's side. */
export function backedReviews(attestations: readonly Attestation[], closed: readonly ClosedBooking[]): Attestation[] {
  const bookings = new Map<string, ClosedBooking[]>()
  for (const booking of closed) bookings.set(booking.id, [...(bookings.get(booking.id) ?? []), booking])
  return attestations.filter((a) => {
    if (a.kind !== 'review' || !a.review) return true
    const role = a.review.role
    return (bookings.get(a.review.booking) ?? []).some((b) =>
      role === 'borrower' ? b.borrower === a.issuer && b.owner === a.subject : b.owner === a.issuer && b.borrower === a.subject,
    )
  })
}

/** Attestations in their window at `now` and not revoked by their issuer (revocations left out). */
export function liveAt(attestations: readonly Attestation[], now: number): Attestation[] {
  return applyRevocations(attestations.filter((a) => checkValidity(a, now) === undefined)).live
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
