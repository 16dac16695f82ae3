/**
 * Attestations (DESIGN, "Attestations and trust"): vouches, reviews and revocations as W3C Verifiable
 * Credentials 2.0 secured with `eddsa-jcs-2022`, issued by a member's identity key as a did:key, so any
 * conforming verifier can check them offline. Each is verified once, when it arrives; a bad one comes
 * back as a named reason, never an exception. Revocations travel like any attestation (no status list
 * exists without a server) and count only when signed by the revoked credential's own issuer.
 */
import { addJcsProof, openJcsProof, verifyOpenedProof } from './attestation-proof'
import {
  CREDENTIAL_TYPES,
  type AttestationKind,
  type CredentialContent,
  type ReviewClaim,
  type VouchClaim,
  VC_CONTEXT,
  VOUCH_VALIDITY_MONTHS,
  addMonths,
  fromXmlDateTime,
  newUrnUuid,
  readCredentialContent,
  toXmlDateTime,
} from './attestation-read'
import { fromUtf8, toHex, utf8 } from './bytes'
import { didKeyFromMemberId, didKeyFromPublicKey, verificationMethodOf } from './did-key'
import type { Ed25519 } from './ed25519'
import { type JsonObject, canonicalJson, checkSignedData, parseStrictJson } from './jcs'
import type { MemberId } from './model'
import type { RandomBytes } from './random'

export { CLAIM_LIMITS, REVIEW_ROLES, VC_CONTEXT, VOUCH_VALIDITY_MONTHS, addMonths, fromXmlDateTime, newUrnUuid, toXmlDateTime } from './attestation-read'
export type { AttestationKind, ReviewClaim, ReviewRole, VouchClaim } from './attestation-read'

/** Why a credential was refused, in the order the checks run. */
export const ATTESTATION_REJECT_REASONS = [
  'too-large',
  'malformed',
  'duplicate-key',
  'too-deep',
  'not-integer',
  'not-nfc',
  'unsupported-type',
  'bad-issuer',
  'bad-proof',
  'wrong-key',
  'bad-signature',
  'not-yet-valid',
  'expired',
  'revoked',
] as const
export type AttestationRejectReason = (typeof ATTESTATION_REJECT_REASONS)[number]

/** A credential is a few hundred bytes; anything past this is refused before it is parsed. */
export const MAX_CREDENTIAL_BYTES = 8192
/** How far ahead of our clock another device's `validFrom` may be and still count as valid now. */
export const CLOCK_SKEW_MS = 5 * 60_000

export type SignedCredential = Record<string, unknown>

/** A verified credential as plain data. */
export interface Attestation extends CredentialContent {
  /** The JSON object as signed, proof included: what is stored, exported and re-verified elsewhere. */
  credential: SignedCredential
}

export type AttestationCheck =
  | { ok: true; value: Attestation }
  /** `attestation` is there when only time or a revocation stands against it: its signature is good. */
  | { ok: false; reason: AttestationRejectReason; detail?: string; attestation?: Attestation }

export interface IssuerIdentity {
  publicKey: Uint8Array
  /** 64 bytes: seed ‖ public key. */
  secretKey: Uint8Array
}

interface IssueCommon {
  now: number
  /** Millis; a vouch defaults to `VOUCH_VALIDITY_MONTHS` after `now`, other kinds to no end. */
  validUntil?: number
  random: RandomBytes
}

/** Local misuse: asked to issue something our own verifier would refuse. */
export class InvalidAttestationError extends Error {
  override name = 'InvalidAttestationError'
  constructor(message = 'This attestation cannot be issued as given') {
    super(message)
  }
}

export function issueVouch(
  ed: Ed25519,
  identity: IssuerIdentity,
  input: IssueCommon & { subject: MemberId; strength: 1 | 2 | 3; scope: string; circle: string },
): Promise<SignedCredential> {
  const vouch: VouchClaim = { strength: input.strength, scope: input.scope.normalize('NFC').trim(), circle: input.circle.normalize('NFC').trim() }
  const validUntil = input.validUntil ?? addMonths(input.now, VOUCH_VALIDITY_MONTHS)
  return issue(ed, identity, 'vouch', { ...input, validUntil }, { vouch: { ...vouch } })
}

export function issueReview(
  ed: Ed25519,
  identity: IssuerIdentity,
  input: IssueCommon & { subject: MemberId } & ReviewClaim,
): Promise<SignedCredential> {
  const review: ReviewClaim = { booking: input.booking.normalize('NFC').trim(), rating: input.rating, role: input.role }
  return issue(ed, identity, 'review', input, { review: { ...review } })
}

/** Revokes one of the issuer's own credentials; anyone else's revocation of it is ignored. */
export function issueRevocation(
  ed: Ed25519,
  identity: IssuerIdentity,
  input: IssueCommon & { revokes: { id: string; subject: MemberId } },
): Promise<SignedCredential> {
  return issue(ed, identity, 'revocation', { ...input, subject: input.revokes.subject }, { revokes: input.revokes.id })
}

async function issue(
  ed: Ed25519,
  identity: IssuerIdentity,
  kind: AttestationKind,
  input: IssueCommon & { subject: MemberId },
  claim: JsonObject,
): Promise<SignedCredential> {
  const issuer = didKeyFromPublicKey(identity.publicKey)
  const subject = didKeyFromMemberId(input.subject)
  if (subject === undefined) throw new InvalidAttestationError('The subject is not a member id')
  const document: JsonObject = {
    '@context': [VC_CONTEXT],
    id: newUrnUuid(input.random),
    type: ['VerifiableCredential', CREDENTIAL_TYPES[kind]],
    issuer,
    validFrom: toXmlDateTime(input.now),
    credentialSubject: { id: subject, ...claim },
  }
  if (input.validUntil !== undefined) document.validUntil = toXmlDateTime(input.validUntil)
  // Never sign what a verifier would refuse: the same checks, on our own output, before signing.
  const data = checkSignedData(document)
  if (!data.ok) throw new InvalidAttestationError(`${data.reason}: ${data.detail ?? ''}`)
  const content = readCredentialContent(document)
  if (!content.ok) throw new InvalidAttestationError(`${content.reason}: ${content.detail}`)
  const created = toXmlDateTime(input.now)
  return addJcsProof(ed, identity.secretKey, document, { created, verificationMethod: verificationMethodOf(issuer) })
}

/**
 * Verifies one credential (an object, or JSON text or UTF-8 bytes parsed strictly) at time `now`: size, strict JSON,
 * integers and NFC text only, our credential shape, the issuer's did:key, the proof's form, the proof's
 * key being the issuer's, the signature, then the validity window. Never throws.
 */
export async function verifyAttestation(ed: Ed25519, input: unknown, now: number): Promise<AttestationCheck> {
  if (input instanceof Uint8Array) {
    if (input.length > MAX_CREDENTIAL_BYTES) return fail('too-large', `over ${MAX_CREDENTIAL_BYTES} bytes`)
    let text: string
    try {
      text = fromUtf8(input)
    } catch {
      return fail('malformed', 'not UTF-8')
    }
    return verifyAttestation(ed, text, now)
  }
  let document: unknown = input
  if (typeof input === 'string') {
    if (input.length > MAX_CREDENTIAL_BYTES || utf8(input).length > MAX_CREDENTIAL_BYTES) return fail('too-large', `over ${MAX_CREDENTIAL_BYTES} bytes`)
    const parsed = parseStrictJson(input)
    if (!parsed.ok) return fail(parsed.reason, parsed.detail)
    document = parsed.value
  }
  const data = checkSignedData(document)
  if (!data.ok) return fail(data.reason, data.detail)
  if (typeof data.value !== 'object' || data.value === null || Array.isArray(data.value)) return fail('malformed', 'a credential is a JSON object')
  const doc = data.value
  if (typeof input !== 'string' && utf8(canonicalJson(doc)).length > MAX_CREDENTIAL_BYTES) return fail('too-large', `over ${MAX_CREDENTIAL_BYTES} bytes`)

  const content = readCredentialContent(doc)
  if (!content.ok) return fail(content.reason, content.detail)
  const opened = openJcsProof(doc)
  if (!opened.ok) return fail(opened.reason, opened.detail)
  if (toHex(opened.value.publicKey) !== content.value.issuer) return fail('wrong-key', "the proof's verification method is not the issuer's key")
  if (typeof opened.value.proof.created !== 'string') return fail('bad-proof', 'the proof has no created time')
  if (!(await verifyOpenedProof(ed, opened.value))) return fail('bad-signature', 'the signature does not verify')

  // A proof that expires ends the credential with it, whatever validUntil says.
  const expires = fromXmlDateTime(opened.value.proof.expires)
  const validUntil = expires === undefined ? content.value.validUntil : Math.min(expires, content.value.validUntil ?? Infinity)
  const attestation: Attestation = { ...content.value, validUntil, credential: doc }
  const window = checkValidity(attestation, now)
  return window === undefined ? { ok: true, value: attestation } : { ok: false, reason: window, attestation }
}

/** Whether a verified attestation is inside its validity window at `now`. */
export function checkValidity(attestation: Pick<Attestation, 'validFrom' | 'validUntil'>, now: number): 'not-yet-valid' | 'expired' | undefined {
  if (now + CLOCK_SKEW_MS < attestation.validFrom) return 'not-yet-valid'
  if (attestation.validUntil !== undefined && now >= attestation.validUntil) return 'expired'
  return undefined
}

/**
 * Verifies a set of credentials, then applies the revocations among the valid ones: results in input
 * order, each revoked credential as `revoked` (naming the revocation) with its attestation attached.
 */
export async function verifyAttestations(ed: Ed25519, inputs: readonly unknown[], now: number): Promise<AttestationCheck[]> {
  const checks = await Promise.all(inputs.map((input) => verifyAttestation(ed, input, now)))
  const valid = checks.flatMap((check) => (check.ok ? [check.value] : []))
  const revokers = revocationsOf(valid)
  return checks.map((check) => {
    const attestation = check.ok ? check.value : check.attestation
    const by = attestation && attestation.kind !== 'revocation' ? revokers.get(pairKey(attestation.issuer, attestation.id)) : undefined
    return by === undefined || attestation === undefined ? check : { ok: false, reason: 'revoked', detail: `revoked by ${by}`, attestation }
  })
}

/**
 * Drops revoked credentials and the revocations themselves. A revocation counts only if its issuer
 * issued the credential it names; `revoked` holds the ids of the credentials it took out.
 */
export function applyRevocations(attestations: readonly Attestation[]): { live: Attestation[]; revoked: Set<string> } {
  const revokers = revocationsOf(attestations)
  const revoked = new Set<string>()
  const live: Attestation[] = []
  for (const attestation of attestations) {
    if (attestation.kind === 'revocation') continue
    if (revokers.has(pairKey(attestation.issuer, attestation.id))) revoked.add(attestation.id)
    else live.push(attestation)
  }
  return { live, revoked }
}

/** issuer + revoked id → the revocation's id. Keyed by issuer so nobody revokes another's credential. */
function revocationsOf(attestations: readonly Attestation[]): Map<string, string> {
  const revokers = new Map<string, string>()
  for (const attestation of attestations) {
    if (attestation.kind === 'revocation' && attestation.revokes !== undefined) revokers.set(pairKey(attestation.issuer, attestation.revokes), attestation.id)
  }
  return revokers
}

function pairKey(issuer: MemberId, id: string): string {
  return `${issuer} ${id}`
}

function fail(reason: AttestationRejectReason, detail?: string): AttestationCheck {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail }
}
