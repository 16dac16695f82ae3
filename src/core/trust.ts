/**
 * Personal trust (DESIGN, "Attestations and trust"): personalised PageRank seeded at the viewer. A
 * random walk starts at the viewer, at each step restarts there with probability α, and otherwise
 * follows an edge out of where it stands, chosen in proportion to its weight: vouches by strength,
 * 4–5★ reviews a little. Each issuer's weight is split across everyone they vouch for, so vouching for
 * more people spreads, not multiplies, one's trust. A member's trust is how often the walk stands on
 * them. Guarantee: a group nobody trusted points into gets exactly 0, and otherwise at most
 * (1−α)/α × the trust flowing over the edges into it, however many accounts it has.
 *
 * Pure functions over verified attestations; the clock is passed in. The graph is indexed once into
 * typed arrays (compressed rows), so a viewer's trust is a few dozen passes over the edges.
 */
import { type Attestation, applyRevocations, checkValidity } from './attestation'
import type { MemberId } from './model'

/** Restart probability: the walk's mean length is 1/α ≈ 3 steps, so trust fades after a few hops. */
export const TRUST_ALPHA = 0.3
/** Most weight one member can give another, whatever they issue: one strongest vouch's worth. */
export const PAIR_CAP = 3
/** Edge weight of a review by rating; lower ratings make no edge (they still count in the average). */
export const REVIEW_WEIGHTS: Readonly<Record<number, number>> = { 4: 0.5, 5: 1 }
/** The iteration stops once a pass adds less than this much trust in total. */
export const TRUST_TOLERANCE = 1e-10
const MAX_ITERATIONS = 500

export interface TrustGraph {
  /** Every member with an edge in or out, sorted; a member's index is its position here. */
  readonly members: readonly MemberId[]
  readonly index: ReadonlyMap<MemberId, number>
  /** Edges of member i are `offsets[i]` up to `offsets[i + 1]` in `targets` and `weights`. */
  readonly offsets: Int32Array
  readonly targets: Int32Array
  /** Each member's out-weights, normalised to sum to 1. */
  readonly weights: Float64Array
  /** The same edges' capped weights before normalising (vouch strength plus good reviews, ≤ PAIR_CAP). */
  readonly strengths: Float64Array
}

/**
 * The trust graph of the attestations valid at `now`: expired and not-yet-valid ones dropped, then
 * revoked ones. Per (issuer, subject) pair, the strongest vouch plus the good reviews, capped at
 * `PAIR_CAP`, so repeating attestations buys nothing.
 */
export function buildTrustGraph(attestations: readonly Attestation[], now: number): TrustGraph {
  const current = attestations.filter((attestation) => checkValidity(attestation, now) === undefined)
  const { live } = applyRevocations(current)
  const edges = live.flatMap((a) => {
    if (a.issuer === a.subject) return []
    if (a.kind === 'vouch' && a.vouch) return [{ from: a.issuer, to: a.subject, vouch: a.vouch.strength, review: 0 }]
    const weight = a.kind === 'review' && a.review ? (REVIEW_WEIGHTS[a.review.rating] ?? 0) : 0
    return weight > 0 ? [{ from: a.issuer, to: a.subject, vouch: 0, review: weight }] : []
  })
  const members = [...new Set(edges.flatMap((edge) => [edge.from, edge.to]))].sort()
  const index = new Map(members.map((member, i) => [member, i]))
  const n = members.length

  // Per pair: the strongest vouch and the sum of reviews. Key = from * n + to (n² < 2^53 for any circle).
  const pairs = new Map<number, { vouch: number; review: number }>()
  for (const edge of edges) {
    const key = index.get(edge.from)! * n + index.get(edge.to)!
    const pair = pairs.get(key)
    if (pair === undefined) pairs.set(key, { vouch: edge.vouch, review: edge.review })
    else {
      pair.vouch = Math.max(pair.vouch, edge.vouch)
      pair.review += edge.review
    }
  }
  const keys = [...pairs.keys()].sort((a, b) => a - b)
  const offsets = new Int32Array(n + 1)
  const targets = new Int32Array(keys.length)
  const strengths = new Float64Array(keys.length)
  const weights = new Float64Array(keys.length)
  for (let e = 0; e < keys.length; e++) {
    const key = keys[e]!
    const pair = pairs.get(key)!
    offsets[Math.floor(key / n) + 1]!++
    targets[e] = key % n
    strengths[e] = Math.min(PAIR_CAP, pair.vouch + pair.review)
  }
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!
  for (let i = 0; i < n; i++) {
    let total = 0
    for (let e = offsets[i]!; e < offsets[i + 1]!; e++) total += strengths[e]!
    for (let e = offsets[i]!; e < offsets[i + 1]!; e++) weights[e] = strengths[e]! / total
  }
  return { members, index, offsets, targets, weights, strengths }
}

export function outDegree(graph: TrustGraph, member: number): number {
  return graph.offsets[member + 1]! - graph.offsets[member]!
}

/**
 * The viewer's trust in every member it reaches (members it does not reach are absent: exactly 0).
 * Sums to 1 within ~1e-9 (a pass that adds under `TRUST_TOLERANCE` is the last); the viewer holds
 * at least α of it. A viewer who has vouched for no one yet (no edges out) and names an `inviter`
 * sees the circle through the inviter's eyes: the result is the inviter's trust. A walk that reaches
 * a member with no edges out restarts.
 *
 * Power iteration from zero: every pass only adds trust, so each member's value rises monotonically
 * to its limit and trust never appears where no path from the seed leads.
 */
export function personalTrust(graph: TrustGraph, viewer: MemberId, options: { alpha?: number; inviter?: MemberId } = {}): Map<MemberId, number> {
  const alpha = options.alpha ?? TRUST_ALPHA
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError('alpha must be in (0, 1]')
  let seed = graph.index.get(viewer)
  if ((seed === undefined || outDegree(graph, seed) === 0) && options.inviter !== undefined && options.inviter !== viewer) {
    seed = graph.index.get(options.inviter) ?? seed
  }
  // A walk from a member with no edges out never leaves them.
  if (seed === undefined || outDegree(graph, seed) === 0) return new Map([[seed === undefined ? viewer : graph.members[seed]!, 1]])
  const { offsets, targets, weights } = graph
  const n = graph.members.length
  let current = new Float64Array(n)
  let next = new Float64Array(n)
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    next.fill(0)
    let restart = alpha
    for (let u = 0; u < n; u++) {
      const mass = current[u]!
      if (mass === 0) continue
      const start = offsets[u]!
      const end = offsets[u + 1]!
      if (start === end) {
        restart += (1 - alpha) * mass
        continue
      }
      const flow = (1 - alpha) * mass
      for (let e = start; e < end; e++) next[targets[e]!]! += flow * weights[e]!
    }
    next[seed]! += restart
    let added = 0
    for (let u = 0; u < n; u++) added += next[u]! - current[u]!
    ;[current, next] = [next, current]
    if (added < TRUST_TOLERANCE) break
  }
  const trust = new Map<MemberId, number>()
  for (let u = 0; u < n; u++) if (current[u]! > 0) trust.set(graph.members[u]!, current[u]!)
  return trust
}

/**
 * Members who vouched for or reviewed `target` well, most trusted first, with the viewer's trust in
 * them: "vouched for by Ana and 2 others you trust". Only members the viewer trusts at all.
 */
export function trustedVouchers(graph: TrustGraph, trust: ReadonlyMap<MemberId, number>, target: MemberId): { member: MemberId; trust: number }[] {
  const to = graph.index.get(target)
  if (to === undefined) return []
  const found: { member: MemberId; trust: number }[] = []
  for (let u = 0; u < graph.members.length; u++) {
    const member = graph.members[u]!
    const value = trust.get(member) ?? 0
    if (value <= 0) continue
    for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) {
      if (graph.targets[e] === to) found.push({ member, trust: value })
    }
  }
  return found.sort((a, b) => b.trust - a.trust || (a.member < b.member ? -1 : 1))
}

/**
 * Average rating of reviews, each weighted by the viewer's trust in its reviewer: reviewers the viewer
 * does not reach count for nothing. One review per reviewer and booking (the latest). `count` is how
 * many reviews carried weight.
 */
export function weightedRating(reviews: readonly Attestation[], trust: ReadonlyMap<MemberId, number>): { average: number | undefined; count: number } {
  const latest = new Map<string, Attestation>()
  for (const review of reviews) {
    if (review.kind !== 'review' || review.review === undefined) continue
    const key = `${review.issuer} ${review.subject} ${review.review.booking}`
    const seen = latest.get(key)
    if (seen === undefined || review.validFrom > seen.validFrom) latest.set(key, review)
  }
  let total = 0
  let weighted = 0
  let count = 0
  for (const review of latest.values()) {
    const weight = trust.get(review.issuer) ?? 0
    if (weight <= 0) continue
    total += weight
    weighted += weight * review.review!.rating
    count++
  }
  return { average: count === 0 ? undefined : weighted / total, count }
}

export { trustPaths } from './trust-paths'
