/**
 * Trust and attestation benchmarks, and the seeded synthetic circle they and the Sybil test share:
 * 1,000 honest members in circles of 40 with 20,000 real signed attestations among them (vouches,
 * mostly inside a circle, and reviews), plus a ring of 200 fake accounts vouching for each other.
 *
 * `measureTrust`: one viewer's personal trust over that graph (target ≤ 50 ms per viewer), median and
 * p90 over several viewers, the graph built once. `measureAttestationVerify`: the 20,000 credentials
 * verified through WebCrypto, and a sample through tweetnacl (~90/s would take minutes for all).
 * Runnable alone: `npx tsx test/bench/trust.ts`. Nothing here asserts a target.
 */
import { pathToFileURL } from 'node:url'
import {
  type Attestation,
  type ReviewClaim,
  type SignedCredential,
  type VouchClaim,
  addMonths,
  issueReview,
  issueRevocation,
  issueVouch,
  newUrnUuid,
  verifyAttestations,
} from '../../src/core/attestation'
import { bufferSource, concat, fromBase64Url, toHex } from '../../src/core/bytes'
import { type Ed25519, tweetnaclEd25519, webCryptoEd25519 } from '../../src/core/ed25519'
import type { SigningKeyPair } from '../../src/core/keys'
import type { MemberId } from '../../src/core/model'
import { seededRandom } from '../../src/core/random'
import { buildTrustGraph, personalTrust } from '../../src/core/trust'
import { median, percentile } from './stats'

export const SYNTHETIC = { members: 1000, circleSize: 40, attestations: 20_000, ring: 200, ringOutDegree: 10 } as const
export const SYNTHETIC_NOW = Date.UTC(2026, 10, 22, 12)
const DAY = 86_400_000
const SCOPES = ['tools', 'car', 'anything', 'garden', 'kitchen', 'bikes', 'books', 'kids']

// RFC 8410 PKCS#8 wrapping of a raw Ed25519 seed.
const PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])

/**
 * An Ed25519 key pair (tweetnacl layout) from a seed, through WebCrypto: tweetnacl takes ~10 ms per
 * key, which for 1,200 members is twelve seconds of set-up. The public key comes from the JWK export.
 */
export async function keyPairFromSeed(seed: Uint8Array, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<SigningKeyPair> {
  const key = await subtle.importKey('pkcs8', bufferSource(concat(PKCS8_PREFIX, seed)), { name: 'Ed25519' }, true, ['sign'])
  const jwk = await subtle.exportKey('jwk', key)
  const publicKey = fromBase64Url(jwk.x ?? '')
  if (publicKey?.length !== 32) throw new Error('WebCrypto exported no Ed25519 public key')
  return { publicKey, secretKey: concat(seed, publicKey) }
}

export interface SyntheticTrustCircle {
  now: number
  honest: MemberId[]
  /** Honest member i is in circle `Math.floor(i / circleSize)`. */
  circleSize: number
  ring: MemberId[]
  /** Key pairs of every member (signed circles only). */
  keys: Map<MemberId, SigningKeyPair>
  /** The honest members' credentials as signed (signed circles only). */
  honestCredentials: SignedCredential[]
  /** The honest members' 20,000 attestations: vouches, reviews and a few revocations. */
  honestAttestations: Attestation[]
  /** The ring's vouches for one another. */
  ringAttestations: Attestation[]
}

/**
 * Verified attestations from signed credentials; ones that expired by `now` are kept (the trust graph
 * drops them itself), anything else that fails is a bug in the generator.
 */
export async function verifiedAll(ed: Ed25519, credentials: readonly SignedCredential[], now: number): Promise<Attestation[]> {
  const checks = await verifyAttestations(ed, credentials, now)
  return checks.map((check) => {
    if (check.ok) return check.value
    if ((check.reason === 'expired' || check.reason === 'revoked') && check.attestation) return check.attestation
    throw new Error(`synthetic credential refused: ${check.reason} ${check.detail ?? ''}`)
  })
}

/** What one synthetic attestation says, before it is signed or recorded. */
type Plan = { issuer: MemberId; subject: MemberId; now: number; validUntil?: number } & (
  | { kind: 'vouch'; vouch: VouchClaim }
  | { kind: 'review'; review: ReviewClaim }
  | { kind: 'revocation'; revokes: string }
)

/**
 * The seeded synthetic circle. `signed`: every credential really issued and verified through WebCrypto
 * (~20–30 s on a shared machine; the benchmark needs real credentials to verify). Unsigned: the same
 * plan recorded as attestations directly, for tests of trust, which is a pure function of verified
 * attestations; signing is proven in attestation.test.ts.
 */
export async function syntheticTrustCircle(options: { seed?: number; signed?: boolean; ed?: Ed25519 } = {}): Promise<SyntheticTrustCircle> {
  const { seed = 1, signed = false, ed = webCryptoEd25519(globalThis.crypto.subtle) } = options
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!
  const keys = new Map<MemberId, SigningKeyPair>()
  const newMembers = async (count: number) => {
    const members: MemberId[] = []
    for (let i = 0; i < count; i++) {
      if (!signed) {
        members.push(toHex(random(32)))
        continue
      }
      const pair = await keyPairFromSeed(random(32))
      keys.set(toHex(pair.publicKey), pair)
      members.push(toHex(pair.publicKey))
    }
    return members
  }
  const honest = await newMembers(SYNTHETIC.members)
  const ring = await newMembers(SYNTHETIC.ring)
  const circleOf = (i: number) => Math.floor(i / SYNTHETIC.circleSize)

  const honestPlans: Plan[] = []
  const ids: string[] = []
  const vouches: number[] = []
  for (let n = 0; n < SYNTHETIC.attestations; n++) {
    const from = Math.floor(random.next() * honest.length)
    const issuer = honest[from]!
    const now = SYNTHETIC_NOW - Math.floor(random.next() * 400) * DAY
    const roll = random.next()
    if (roll < 0.01 && vouches.length > 0) {
      // A revocation of one of the vouches so far, by its own issuer.
      const index = pick(vouches)
      const target = honestPlans[index]!
      honestPlans.push({ kind: 'revocation', issuer: target.issuer, subject: target.subject, now: Math.max(now, target.now), revokes: ids[index]! })
      ids.push(newUrnUuid(random))
      continue
    }
    // Mostly within the issuer's own circle; one in seven across circles.
    let to = from
    while (to === from) {
      to = random.next() < 6 / 7 ? circleOf(from) * SYNTHETIC.circleSize + Math.floor(random.next() * SYNTHETIC.circleSize) : Math.floor(random.next() * honest.length)
      to = Math.min(to, honest.length - 1)
    }
    const subject = honest[to]!
    if (roll < 0.7) {
      // Vouches last 12 months and were given over the last 400 days: some have lapsed.
      const vouch: VouchClaim = { strength: (1 + Math.floor(random.next() * 3)) as 1 | 2 | 3, scope: pick(SCOPES), circle: `circle-${circleOf(from)}` }
      vouches.push(honestPlans.length)
      honestPlans.push({ kind: 'vouch', issuer, subject, now, validUntil: addMonths(now, 12), vouch })
    } else {
      const review: ReviewClaim = { booking: `booking-${Math.floor(random.next() * 1e9)}`, rating: pick([5, 5, 5, 4, 4, 3, 2, 1] as const), role: pick(['borrower', 'owner'] as const) }
      honestPlans.push({ kind: 'review', issuer, subject, now, review })
    }
    ids.push(newUrnUuid(random))
  }
  const ringPlans: Plan[] = ring.flatMap((issuer, i) =>
    Array.from({ length: SYNTHETIC.ringOutDegree }, (_, k): Plan => {
      const subject = ring[(i + 1 + k + Math.floor(random.next() * (ring.length - 1 - SYNTHETIC.ringOutDegree))) % ring.length]!
      return { kind: 'vouch', issuer, subject, now: SYNTHETIC_NOW - DAY, vouch: { strength: 3, scope: 'anything', circle: 'circle-0' } }
    }),
  )
  const ringIds = ringPlans.map(() => newUrnUuid(random))

  if (!signed) {
    return {
      now: SYNTHETIC_NOW,
      honest,
      circleSize: SYNTHETIC.circleSize,
      ring,
      keys,
      honestCredentials: [],
      honestAttestations: honestPlans.map((plan, i) => recorded(plan, ids[i]!)),
      ringAttestations: ringPlans.map((plan, i) => recorded(plan, ringIds[i]!)),
    }
  }
  const issue = (plan: Plan): Promise<SignedCredential> => {
    const identity = keys.get(plan.issuer)!
    const common = { subject: plan.subject, now: plan.now, validUntil: plan.validUntil, random }
    if (plan.kind === 'vouch') return issueVouch(ed, identity, { ...common, ...plan.vouch })
    if (plan.kind === 'review') return issueReview(ed, identity, { ...common, ...plan.review })
    return issueRevocation(ed, identity, { ...common, revokes: { id: plan.revokes, subject: plan.subject } })
  }
  // Claims first, then revocations, which name the real ids of the credentials they revoke.
  const honestCredentials: SignedCredential[] = await Promise.all(honestPlans.map((plan) => (plan.kind === 'revocation' ? ({} as SignedCredential) : issue(plan))))
  const realIds = new Map(ids.map((id, i) => [id, honestCredentials[i]!.id as string]))
  for (let i = 0; i < honestPlans.length; i++) {
    const plan = honestPlans[i]!
    if (plan.kind === 'revocation') honestCredentials[i] = await issue({ ...plan, revokes: realIds.get(plan.revokes)! })
  }
  const ringCredentials = await Promise.all(ringPlans.map(issue))
  return {
    now: SYNTHETIC_NOW,
    honest,
    circleSize: SYNTHETIC.circleSize,
    ring,
    keys,
    honestCredentials,
    honestAttestations: await verifiedAll(ed, honestCredentials, SYNTHETIC_NOW),
    ringAttestations: await verifiedAll(ed, ringCredentials, SYNTHETIC_NOW),
  }
}

/** An attestation recorded straight from its plan, as verification would return it (unsigned circles). */
function recorded(plan: Plan, id: string): Attestation {
  const validFrom = Math.floor(plan.now / 1000) * 1000
  const validUntil = plan.validUntil === undefined ? undefined : Math.floor(plan.validUntil / 1000) * 1000
  const { issuer, subject, kind } = plan
  const base = { id, kind, issuer, subject, validFrom, validUntil, credential: { id, unsigned: true } }
  if (plan.kind === 'vouch') return { ...base, vouch: plan.vouch }
  if (plan.kind === 'review') return { ...base, review: plan.review }
  return { ...base, revokes: plan.revokes }
}

// Both measurements use the same signed circle; making it is most of the benchmark's time.
let shared: Promise<SyntheticTrustCircle> | undefined
function signedCircle(): Promise<SyntheticTrustCircle> {
  shared ??= syntheticTrustCircle({ signed: true })
  return shared
}

export interface TrustResult {
  medianMs: number
  p90Ms: number
  members: number
  attestations: number
  viewers: number
  /** Building the graph, once for all viewers. */
  graphMs: number
}

export async function measureTrust(circle?: SyntheticTrustCircle, viewers = 25): Promise<TrustResult> {
  const data = circle ?? (await signedCircle())
  const attestations = data.honestAttestations
  let start = performance.now()
  const graph = buildTrustGraph(attestations, data.now)
  const graphMs = performance.now() - start
  const random = seededRandom(5)
  // One untimed run so the JIT has compiled the loop before anything is measured.
  personalTrust(graph, data.honest[0]!)
  const times: number[] = []
  for (let i = 0; i < viewers; i++) {
    const viewer = data.honest[Math.floor(random.next() * data.honest.length)]!
    start = performance.now()
    const trust = personalTrust(graph, viewer)
    times.push(performance.now() - start)
    if (trust.size === 0) throw new Error('a viewer trusts no one')
  }
  return { medianMs: median(times), p90Ms: percentile(times, 90), members: data.honest.length, attestations: attestations.length, viewers, graphMs }
}

export interface VerifyResult {
  implementation: string
  perSecond: number
  /** Credentials in the set. */
  total: number
  /** Credentials actually verified in this measurement (a sample for tweetnacl). */
  measured: number
  ms: number
  note?: string
}

export async function measureAttestationVerify(circle?: SyntheticTrustCircle, tweetnaclSample = 500): Promise<VerifyResult[]> {
  const data = circle ?? (await signedCircle())
  const credentials = data.honestCredentials
  const run = async (ed: Ed25519, items: readonly SignedCredential[]): Promise<VerifyResult> => {
    const start = performance.now()
    await verifiedAll(ed, items, data.now)
    const ms = performance.now() - start
    return { implementation: ed.name, perSecond: (items.length / ms) * 1000, total: credentials.length, measured: items.length, ms }
  }
  const webcrypto = await run(webCryptoEd25519(globalThis.crypto.subtle), credentials)
  const tweetnacl = await run(tweetnaclEd25519, credentials.slice(0, tweetnaclSample))
  const minutes = credentials.length / tweetnacl.perSecond / 60
  return [webcrypto, { ...tweetnacl, note: `a sample of ${tweetnacl.measured}: all ${credentials.length} would take ~${minutes.toFixed(1)} minutes` }]
}

async function main(): Promise<void> {
  const start = performance.now()
  const circle = await signedCircle()
  const setupMs = performance.now() - start
  const trust = await measureTrust(circle)
  const verify = await measureAttestationVerify(circle)
  process.stdout.write(
    [
      `synthetic circle: ${circle.honest.length} members, ${circle.honestAttestations.length} attestations, ring of ${circle.ring.length} (set-up ${Math.round(setupMs)} ms)`,
      `trust per viewer: median ${trust.medianMs.toFixed(2)} ms, p90 ${trust.p90Ms.toFixed(2)} ms over ${trust.viewers} viewers (target ≤ 50 ms); graph built once in ${trust.graphMs.toFixed(1)} ms`,
      ...verify.map((r) => `verify attestations, ${r.implementation}: ${Math.round(r.perSecond)}/s (${r.measured} in ${Math.round(r.ms)} ms)${r.note ? `, ${r.note}` : ''}`),
      '',
    ].join('\n'),
  )
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
