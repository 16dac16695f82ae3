/**
 * The shape of Sharecircle's credentials, read from already-parsed JSON: a W3C VC 2.0 document whose
 * `type` names a vouch, a review or a revocation, with exactly the fields `attestation.ts` writes.
 * Anything else is refused with a named reason before any signature is checked. Also the small
 * helpers credentials need: milliseconds ⇄ XML dateTime (second precision, UTC), calendar months for
 * validity, and `urn:uuid` ids.
 */
import { memberIdFromDidKey } from './did-key'
import type { JsonObject, JsonValue } from './jcs'
import type { MemberId } from './model'
import { toHex } from './bytes'
import type { RandomBytes } from './random'
import { isDateTimeStamp, isObject } from './attestation-proof'

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2'
export const CREDENTIAL_TYPES = { vouch: 'VouchCredential', review: 'ReviewCredential', revocation: 'RevocationCredential' } as const
export type AttestationKind = keyof typeof CREDENTIAL_TYPES

export const REVIEW_ROLES = ['borrower', 'owner'] as const
export type ReviewRole = (typeof REVIEW_ROLES)[number]

/** Lengths of claim text, in UTF-16 code units, checked when issuing and when reading. */
export const CLAIM_LIMITS = { scope: 40, circle: 100, booking: 100 } as const
/** Vouches lapse unless renewed: trust should reflect who people still stand behind. */
export const VOUCH_VALIDITY_MONTHS = 12
/** Room for the issuer's clock and rounding when a vouch's validity is checked against its maximum. */
const VOUCH_VALIDITY_SLACK_MS = 24 * 60 * 60 * 1000

export interface VouchClaim {
  strength: 1 | 2 | 3
  /** What the issuer vouches for: "tools", "car", "anything"… (free text, NFC). */
  scope: string
  /** The circle the vouch was given in. */
  circle: string
}

export interface ReviewClaim {
  booking: string
  rating: 1 | 2 | 3 | 4 | 5
  /** The reviewer's side of the booking: a borrower reviews the owner, an owner reviews the borrower. */
  role: ReviewRole
}

/** A credential's claims as plain data, before its proof is known to be good. */
export interface CredentialContent {
  id: string
  kind: AttestationKind
  issuer: MemberId
  /** For a revocation: the subject of the credential it revokes. */
  subject: MemberId
  validFrom: number
  validUntil: number | undefined
  vouch?: VouchClaim
  review?: ReviewClaim
  revokes?: string
}

export type ReadReason = 'malformed' | 'unsupported-type' | 'bad-issuer'
export type ContentRead = { ok: true; value: CredentialContent } | { ok: false; reason: ReadReason; detail: string }

const TOP_FIELDS = new Set(['@context', 'id', 'type', 'issuer', 'validFrom', 'validUntil', 'credentialSubject', 'proof'])
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Milliseconds → `YYYY-MM-DDThh:mm:ssZ`, rounded down to the second. */
export function toXmlDateTime(millis: number): string {
  return new Date(Math.floor(millis / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/** An XML dateTimeStamp → milliseconds; undefined for anything else. */
export function fromXmlDateTime(text: unknown): number | undefined {
  return isDateTimeStamp(text) ? Date.parse(text) : undefined
}

export function isUrnUuid(value: unknown): value is string {
  return typeof value === 'string' && URN_UUID.test(value)
}

/** Reads a credential's fields (its proof is `attestation-proof.ts`'s business). Never throws. */
export function readCredentialContent(doc: JsonObject): ContentRead {
  const malformed = (detail: string): ContentRead => ({ ok: false, reason: 'malformed', detail })
  for (const key of Object.keys(doc)) if (!TOP_FIELDS.has(key)) return malformed(`unexpected field ${key}`)
  const context = doc['@context']
  if (!Array.isArray(context) || context.length !== 1 || context[0] !== VC_CONTEXT) return malformed(`@context is not [${VC_CONTEXT}]`)
  if (!isUrnUuid(doc.id)) return malformed('id is not a urn:uuid')
  const kind = kindOf(doc.type)
  if (kind === undefined) return { ok: false, reason: 'unsupported-type', detail: `type is not VerifiableCredential and one of ${Object.values(CREDENTIAL_TYPES).join(', ')}` }
  const issuer = typeof doc.issuer === 'string' ? memberIdFromDidKey(doc.issuer) : undefined
  if (issuer === undefined) return { ok: false, reason: 'bad-issuer', detail: 'issuer is not an Ed25519 did:key' }
  const validFrom = fromXmlDateTime(doc.validFrom)
  if (validFrom === undefined) return malformed('validFrom is not a dateTimeStamp')
  const validUntil = doc.validUntil === undefined ? undefined : fromXmlDateTime(doc.validUntil)
  if (doc.validUntil !== undefined && (validUntil === undefined || validUntil <= validFrom)) return malformed('validUntil is not a dateTimeStamp after validFrom')
  // Vouches lapse (DESIGN: "vouches expire"): one without an end would stand forever.
  if (kind === 'vouch' && validUntil === undefined) return malformed('a vouch needs validUntil')
  // Vouches expire (DESIGN): one valid for longer than the app ever makes them is not one.
  if (kind === 'vouch' && validUntil !== undefined && validUntil > addMonths(validFrom, VOUCH_VALIDITY_MONTHS) + VOUCH_VALIDITY_SLACK_MS) {
    return malformed(`a vouch is valid for ${VOUCH_VALIDITY_MONTHS} months at most`)
  }

  const subjectDoc = doc.credentialSubject
  if (!isObject(subjectDoc)) return malformed('credentialSubject is not one object')
  const subject = typeof subjectDoc.id === 'string' ? memberIdFromDidKey(subjectDoc.id) : undefined
  if (subject === undefined) return malformed('credentialSubject.id is not an Ed25519 did:key')
  const claimKey = kind === 'revocation' ? 'revokes' : kind
  if (!hasExactly(subjectDoc, ['id', claimKey])) return malformed(`credentialSubject must hold id and ${claimKey} only`)
  const content: CredentialContent = { id: doc.id, kind, issuer, subject, validFrom, validUntil }

  if (kind === 'revocation') {
    if (!isUrnUuid(subjectDoc.revokes)) return malformed('revokes is not a urn:uuid')
    if (subjectDoc.revokes === doc.id) return malformed('a revocation cannot revoke itself')
    return { ok: true, value: { ...content, revokes: subjectDoc.revokes } }
  }
  if (subject === issuer) return malformed(`a ${kind} about its own issuer`)
  if (kind === 'vouch') {
    const vouch = readVouch(subjectDoc.vouch)
    return typeof vouch === 'string' ? malformed(vouch) : { ok: true, value: { ...content, vouch } }
  }
  const review = readReview(subjectDoc.review)
  return typeof review === 'string' ? malformed(review) : { ok: true, value: { ...content, review } }
}

function kindOf(type: JsonValue | undefined): AttestationKind | undefined {
  if (!Array.isArray(type) || type.length !== 2 || type[0] !== 'VerifiableCredential') return undefined
  return (Object.keys(CREDENTIAL_TYPES) as AttestationKind[]).find((kind) => CREDENTIAL_TYPES[kind] === type[1])
}

function hasExactly(object: JsonObject, keys: string[]): boolean {
  const own = Object.keys(object)
  return own.length === keys.length && keys.every((key) => Object.hasOwn(object, key))
}

function isText(value: JsonValue | undefined, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && value.trim() === value
}

/** A vouch claim, or what is wrong with it. */
export function readVouch(raw: JsonValue | undefined): VouchClaim | string {
  if (!isObject(raw) || !hasExactly(raw, ['strength', 'scope', 'circle'])) return 'vouch must hold strength, scope and circle only'
  const { strength, scope, circle } = raw
  if (strength !== 1 && strength !== 2 && strength !== 3) return 'vouch strength is not 1, 2 or 3'
  if (!isText(scope, CLAIM_LIMITS.scope)) return `vouch scope is not 1–${CLAIM_LIMITS.scope} characters of trimmed text`
  if (!isText(circle, CLAIM_LIMITS.circle)) return `vouch circle is not 1–${CLAIM_LIMITS.circle} characters of trimmed text`
  return { strength, scope, circle }
}

/** A review claim, or what is wrong with it. */
export function readReview(raw: JsonValue | undefined): ReviewClaim | string {
  if (!isObject(raw) || !hasExactly(raw, ['booking', 'rating', 'role'])) return 'review must hold booking, rating and role only'
  const { booking, rating, role } = raw
  if (!isText(booking, CLAIM_LIMITS.booking)) return `review booking is not 1–${CLAIM_LIMITS.booking} characters of trimmed text`
  if (rating !== 1 && rating !== 2 && rating !== 3 && rating !== 4 && rating !== 5) return 'review rating is not 1 to 5'
  if (role !== 'borrower' && role !== 'owner') return 'review role is not borrower or owner'
  return { booking, rating, role }
}

/** A random (version 4) UUID as a URN. */
export function newUrnUuid(random: RandomBytes): string {
  const bytes = random(16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = toHex(bytes)
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Calendar months in UTC, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(millis: number, months: number): number {
  const date = new Date(millis)
  const day = date.getUTCDate()
  date.setUTCDate(1)
  date.setUTCMonth(date.getUTCMonth() + months)
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate()
  date.setUTCDate(Math.min(day, lastDay))
  return date.getTime()
}
