/**
 * A circle's attestations (DESIGN, "Attestations and trust"). Each member publishes the credentials
 * they issued in their own doc: `attestations/<urn:uuid:…>` → `{ vc }`, the credential as canonical
 * JSON. Every credential is verified once, when it first shows up, and the answer is cached by its
 * text; reading the circle never waits for a signature and never throws on what a member wrote.
 *
 * Reviews are sealed first (DESIGN: "revealed together"): the reviewer's record holds the booking, the
 * subject, a SHA-256 commitment to the credential and the credential boxed with a key only the
 * reviewer's identity has. `vc` is added later, by the reviewer's own device, once the other side has
 * committed too or 14 days have passed (`reviewsToReveal`). A review counts only through its
 * reviewer's first commitment for that booking, and only if the revealed credential matches it, so a
 * review is neither published unsealed nor rewritten after reading the other one.
 */
import nacl from 'tweetnacl'
import { concat, fromBase64Url, fromUtf8, sha256, toBase64Url, toHex, utf8 } from '../core/bytes'
import {
  type Attestation,
  type AttestationRejectReason,
  type IssuerIdentity,
  type SignedCredential,
  MAX_CREDENTIAL_BYTES,
  applyRevocations,
  issueReview,
  issueRevocation,
  issueVouch,
  verifyAttestation,
} from '../core/attestation'
import type { Ed25519 } from '../core/ed25519'
import { canonicalJson } from '../core/jcs'
import type { MemberId } from '../core/model'
import type { RandomBytes } from '../core/random'
import type * as Y from 'yjs'
import { writeRecord } from './member-doc'
import { cachedRead } from './read-model'
import type { CircleView, MemberView } from './types'

/** How long a sealed review waits for the other side before it is revealed anyway. */
export const REVIEW_REVEAL_AFTER_MS = 14 * 24 * 60 * 60 * 1000
/** Credentials read from one member's doc; past this the rest are reported, not verified. */
export const MAX_ATTESTATIONS_PER_MEMBER = 2000

export type AttestationProblemReason =
  | AttestationRejectReason
  | 'not-the-author'
  | 'key-mismatch'
  | 'malformed-record'
  | 'reveal-mismatch'
  | 'unsealed-review'
  | 'superseded-review'
  | 'duplicate-id'
  | 'too-many'

export interface AttestationProblem {
  member: MemberId
  key: string
  reason: AttestationProblemReason
}

/** A review that is written but not yet revealed: who wrote it, about whom, for which booking. */
export interface SealedReview {
  key: string
  issuer: MemberId
  subject: MemberId
  booking: string
  at: number
  revealed: boolean
}

export interface CircleAttestationsView {
  /** Credentials whose signature is good and whose issuer is the member whose doc holds them. */
  attestations: Attestation[]
  /** Reviews by their commitment, revealed or not. */
  sealedReviews: SealedReview[]
  problems: AttestationProblem[]
  /** Credentials still being verified. */
  pending: number
}

/** What a device signs attestations with. */
export interface AttestationSigner {
  ed: Ed25519
  identity: IssuerIdentity
  random: RandomBytes
  now: () => number
  /** secretbox key for this identity's own sealed reviews. */
  sealKey: Uint8Array
}

/** The part of a circle replica the writers need. */
export interface AttestationWriter {
  readonly id: string
  readonly me: MemberId
  view(): CircleView
  writeOwn(write: (doc: Y.Doc) => void): Promise<void>
}

interface RawRecord {
  key: string
  vc: string | undefined
  commit: string | undefined
  sealed: string | undefined
  booking: string | undefined
  subject: string | undefined
  at: number | undefined
}

type Verified = { ok: true; value: Attestation } | { ok: false; reason: AttestationRejectReason }

/**
 * Verifies what members publish and keeps the answers. `read` returns at once with whatever is
 * verified so far and starts verifying the rest; `onVerified` fires when a batch is done.
 */
export class CircleAttestations {
  readonly #ed: Ed25519
  readonly #now: () => number
  readonly #onVerified: () => void
  readonly #results = new Map<string, Verified>()
  readonly #inFlight = new Set<string>()
  #cache: { view: CircleView; version: number; result: CircleAttestationsView } | undefined
  #version = 0
  /** The verification batches in flight. */
  #batch: Promise<void> = Promise.resolve()

  constructor(options: { ed: Ed25519; now: () => number; onVerified: () => void }) {
    this.#ed = options.ed
    this.#now = options.now
    this.#onVerified = options.onVerified
  }

  read(view: CircleView): CircleAttestationsView {
    if (this.#cache?.view === view && this.#cache.version === this.#version) return this.#cache.result
    const attestations: Attestation[] = []
    const problems: AttestationProblem[] = []
    const unverified: string[] = []
    const seen = new Set<string>()
    const present = new Set<string>()
    const sealed = firstCommitments(view)
    for (const member of view.members.values()) {
      const parsed = recordsOf(member)
      problems.push(...parsed.problems)
      for (const record of parsed.records) {
        const problem = (reason: AttestationProblemReason) => problems.push({ member: member.id, key: record.key, reason })
        if (record.commit !== undefined && sealed.superseded.has(`${member.id} ${record.key}`)) {
          problem('superseded-review')
          continue
        }
        if (record.vc === undefined) continue
        // Refused before it is hashed or kept: a member rewriting large texts must not grow every
        // peer's memory (the verified results are kept by text).
        if (record.vc.length > MAX_CREDENTIAL_BYTES) {
          problem('too-large')
          continue
        }
        present.add(record.vc)
        if (record.commit !== undefined && toHex(sha256(utf8(record.vc))) !== record.commit) {
          problem('reveal-mismatch')
          continue
        }
        const result = this.#results.get(record.vc)
        if (!result) {
          unverified.push(record.vc)
          continue
        }
        const review = result.ok && result.value.kind === 'review' ? result.value : undefined
        if (!result.ok) problem(result.reason)
        else if (result.value.issuer !== member.id) problem('not-the-author')
        else if (result.value.id !== record.key) problem('key-mismatch')
        else if (review && record.commit === undefined) problem('unsealed-review')
        else if (review && (review.review?.booking !== record.booking || review.subject !== record.subject)) problem('reveal-mismatch')
        else if (seen.has(`${member.id} ${result.value.id}`)) problem('duplicate-id')
        else {
          seen.add(`${member.id} ${result.value.id}`)
          attestations.push(result.value)
        }
      }
    }
    this.#verify(unverified)
    // Results for texts no member holds any more (rewritten, removed) are let go of.
    if (this.#results.size > 2 * present.size + 64) for (const text of this.#results.keys()) if (!present.has(text)) this.#results.delete(text)
    const result = { attestations, sealedReviews: sealed.first, problems, pending: unverified.length }
    this.#cache = { view, version: this.#version, result }
    return result
  }

  /** Resolves once everything in `view` has been verified (or refused). */
  async settled(view: CircleView): Promise<CircleAttestationsView> {
    for (;;) {
      const result = this.read(view)
      if (result.pending === 0) return result
      await this.#batch
    }
  }

  #verify(texts: string[]): void {
    const fresh = [...new Set(texts)].filter((text) => !this.#inFlight.has(text))
    if (fresh.length === 0) return
    for (const text of fresh) this.#inFlight.add(text)
    const now = this.#now()
    const batch = Promise.all(
      fresh.map(async (text) => {
        const check = await verifyAttestation(this.#ed, text, now)
        // Time is applied when trust is computed (buildTrustGraph), so a credential whose signature is
        // good is kept even if it is outside its window today: tomorrow it may be inside it.
        const kept: Verified = check.ok ? check : check.attestation ? { ok: true, value: check.attestation } : { ok: false, reason: check.reason }
        this.#results.set(text, kept)
        this.#inFlight.delete(text)
      }),
    ).then(() => {
      this.#version++
      this.#onVerified()
    })
    this.#batch = Promise.all([this.#batch, batch]).then(() => undefined)
  }
}

/** Parsed per raw attestations object: the read model keeps it while the member's attestations are unchanged. */
const parsedRecords = new WeakMap<object, { records: RawRecord[]; problems: AttestationProblem[] }>()

function recordsOf(member: MemberView): { records: RawRecord[]; problems: AttestationProblem[] } {
  return cachedRead(parsedRecords, member, member.raw.attestations, () => parseRecords(member.id, member.raw.attestations))
}

/**
 * Each reviewer's first commitment per booking (earliest `at`, then key): the only one that can
 * count. Later commitments by the same reviewer for the same booking are superseded.
 */
function firstCommitments(view: CircleView): { first: SealedReview[]; superseded: Set<string> } {
  const first = new Map<string, SealedReview>()
  const superseded = new Set<string>()
  for (const member of view.members.values()) {
    for (const record of recordsOf(member).records) {
      if (record.commit === undefined || record.booking === undefined || record.subject === undefined || record.at === undefined) continue
      const review: SealedReview = { key: record.key, issuer: member.id, subject: record.subject, booking: record.booking, at: record.at, revealed: record.vc !== undefined }
      const slot = `${member.id} ${record.booking}`
      const held = first.get(slot)
      if (held === undefined || review.at < held.at || (review.at === held.at && review.key < held.key)) {
        if (held) superseded.add(`${member.id} ${held.key}`)
        first.set(slot, review)
      } else {
        superseded.add(`${member.id} ${review.key}`)
      }
    }
  }
  return { first: [...first.values()], superseded }
}

function parseRecords(member: MemberId, raw: unknown): { records: RawRecord[]; problems: AttestationProblem[] } {
  const records: RawRecord[] = []
  const problems: AttestationProblem[] = []
  if (raw === undefined) return { records, problems }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ member, key: '', reason: 'malformed-record' })
    return { records, problems }
  }
  for (const [key, value] of Object.entries(raw)) {
    if (records.length >= MAX_ATTESTATIONS_PER_MEMBER) {
      problems.push({ member, key, reason: 'too-many' })
      break
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ member, key, reason: 'malformed-record' })
      continue
    }
    const fields = value as Record<string, unknown>
    const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined)
    const at = typeof fields.at === 'number' && Number.isSafeInteger(fields.at) ? fields.at : undefined
    const record: RawRecord = { key, vc: text('vc'), commit: text('commit'), sealed: text('sealed'), booking: text('booking'), subject: text('subject'), at }
    if (record.vc === undefined && record.commit === undefined) {
      problems.push({ member, key, reason: 'malformed-record' })
      continue
    }
    records.push(record)
  }
  return { records, problems }
}

/** The key a device seals its own reviews with: derived from the identity seed, so any of its devices can reveal. */
export function reviewSealKey(identitySecret: Uint8Array): Uint8Array {
  return sha256(concat(utf8('sharecircle/review-seal/v1\0'), identitySecret.subarray(0, 32)))
}

/** Publishes a credential this member issued. */
export function publishCredential(writer: AttestationWriter, credential: SignedCredential): Promise<void> {
  const id = credential.id
  if (typeof id !== 'string') return Promise.reject(new TypeError('A credential has an id'))
  const vc = canonicalJson(credential)
  return writer.writeOwn((doc) => writeRecord(doc, 'attestations', id, { vc }))
}

/**
 * Vouches for `subject` in this circle. A member has one live vouch per person: an earlier one from
 * this member is revoked in the same entry, so changing strength or scope replaces it.
 */
export async function vouch(
  writer: AttestationWriter,
  signer: AttestationSigner,
  current: readonly Attestation[],
  input: { subject: MemberId; strength: 1 | 2 | 3; scope: string },
): Promise<void> {
  const now = signer.now()
  const credential = await issueVouch(signer.ed, signer.identity, { ...input, circle: writer.id, now, random: signer.random })
  const revocations = await revocationsFor(signer, current, writer.me, input.subject, now)
  await writer.writeOwn((doc) => {
    for (const item of [...revocations, credential]) writeRecord(doc, 'attestations', item.id as string, { vc: canonicalJson(item) })
  })
}

/** Withdraws every live vouch this member gave `subject`. */
export async function revokeVouch(writer: AttestationWriter, signer: AttestationSigner, current: readonly Attestation[], subject: MemberId): Promise<void> {
  const revocations = await revocationsFor(signer, current, writer.me, subject, signer.now())
  if (revocations.length === 0) return
  await writer.writeOwn((doc) => {
    for (const item of revocations) writeRecord(doc, 'attestations', item.id as string, { vc: canonicalJson(item) })
  })
}

async function revocationsFor(signer: AttestationSigner, current: readonly Attestation[], me: MemberId, subject: MemberId, now: number): Promise<SignedCredential[]> {
  const mine = applyRevocations(current).live.filter((a) => a.kind === 'vouch' && a.issuer === me && a.subject === subject)
  return Promise.all(mine.map((old) => issueRevocation(signer.ed, signer.identity, { revokes: { id: old.id, subject }, now, random: signer.random })))
}

/** Writes a sealed review of the other side of a closed booking; it is revealed later. */
export async function writeSealedReview(
  writer: AttestationWriter,
  signer: AttestationSigner,
  input: { booking: string; subject: MemberId; rating: 1 | 2 | 3 | 4 | 5; role: 'borrower' | 'owner' },
): Promise<void> {
  const now = signer.now()
  const credential = await issueReview(signer.ed, signer.identity, { ...input, now, random: signer.random })
  const text = canonicalJson(credential)
  const nonce = signer.random(nacl.secretbox.nonceLength)
  const boxed = nacl.secretbox(utf8(text), nonce, signer.sealKey)
  const sealed = toBase64Url(concat(nonce, boxed))
  const fields = { booking: input.booking, subject: input.subject, commit: toHex(sha256(utf8(text))), sealed, at: now }
  await writer.writeOwn((doc) => writeRecord(doc, 'attestations', credential.id as string, fields))
}

/**
 * This member's sealed reviews that may be revealed at `now`: the reviewed side has written theirs
 * for the same booking, or the wait is over.
 */
export function reviewsToReveal(reviews: readonly SealedReview[], me: MemberId, now: number): SealedReview[] {
  return reviews.filter(
    (mine) =>
      mine.issuer === me &&
      !mine.revealed &&
      (mine.at + REVIEW_REVEAL_AFTER_MS <= now || reviews.some((other) => other.issuer === mine.subject && other.subject === me && other.booking === mine.booking)),
  )
}

/** Reveals sealed reviews of this member: opens each box and publishes the credential it holds. */
export async function revealReviews(writer: AttestationWriter, signer: AttestationSigner, reviews: readonly SealedReview[]): Promise<number> {
  const mine = writer.view().members.get(writer.me)?.raw.attestations as Record<string, { sealed?: unknown; commit?: unknown }> | undefined
  const opened: Array<{ key: string; vc: string }> = []
  for (const review of reviews) {
    const record = mine?.[review.key]
    const bytes = typeof record?.sealed === 'string' ? fromBase64Url(record.sealed) : undefined
    if (!bytes || bytes.length <= nacl.secretbox.nonceLength) continue
    const plain = nacl.secretbox.open(bytes.subarray(nacl.secretbox.nonceLength), bytes.subarray(0, nacl.secretbox.nonceLength), signer.sealKey)
    if (!plain || toHex(sha256(plain)) !== record?.commit) continue
    opened.push({ key: review.key, vc: fromUtf8(plain) })
  }
  if (opened.length === 0) return 0
  await writer.writeOwn((doc) => {
    for (const { key, vc } of opened) writeRecord(doc, 'attestations', key, { vc, sealed: null })
  })
  return opened.length
}
