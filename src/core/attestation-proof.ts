/**
 * W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (vc-di-eddsa v1.0): what is signed
 * is SHA-256 of the canonical proof configuration ‖ SHA-256 of the canonical document without its
 * proof, both canonicalised with RFC 8785, so a credential verifies anywhere without JSON-LD. Generic
 * over the document: `attestation.ts` adds our credential rules on top; the W3C test vectors run
 * through here unchanged. Verification is split in two so a caller can check who the key belongs to
 * before spending a signature check on it.
 */
import { decodeMultibase58, encodeMultibase58 } from './base58'
import { concat, sha256, utf8 } from './bytes'
import { resolveVerificationMethod } from './did-key'
import type { Ed25519 } from './ed25519'
import { type JsonObject, type JsonValue, canonicalJson } from './jcs'
import { isIsoDate } from './validate-fields'

export const DATA_INTEGRITY_PROOF = 'DataIntegrityProof'
export const EDDSA_JCS_2022 = 'eddsa-jcs-2022'
export const ASSERTION_METHOD = 'assertionMethod'

const PROOF_FIELDS = new Set(['@context', 'type', 'cryptosuite', 'created', 'expires', 'verificationMethod', 'proofPurpose', 'proofValue', 'id', 'nonce', 'domain', 'challenge'])
/** XML Schema dateTimeStamp: a date, a time, and a time zone (Z or ±hh:mm). */
const DATE_TIME_STAMP = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

export interface ProofOptions {
  /** An XML dateTimeStamp, e.g. `2026-11-22T15:00:00Z`. */
  created: string
  /** A `did:key:z6Mk…#z6Mk…` verification method. */
  verificationMethod: string
}

/** A proof read and resolved, not yet checked against its signature. */
export interface OpenedProof {
  proof: JsonObject
  /** The DID of the verification method and the public key it names. */
  did: string
  publicKey: Uint8Array
  signature: Uint8Array
  /** The 64 bytes that were signed: hash(proof config) ‖ hash(document). */
  hashData: Uint8Array
}

export type ProofRead = { ok: true; value: OpenedProof } | { ok: false; reason: 'bad-proof'; detail: string }

/**
 * An XML Schema dateTimeStamp as Verifiable Credentials use it: a real calendar day and time of day
 * (Date.parse alone rolls 30 February over into March, and takes 24:00).
 */
export function isDateTimeStamp(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_TIME_STAMP.test(value) || Number.isNaN(Date.parse(value))) return false
  const [date = '', time = ''] = value.split('T')
  const [hours, minutes, seconds] = time.slice(0, 8).split(':').map(Number) as [number, number, number]
  return isIsoDate(date) && hours <= 23 && minutes <= 59 && seconds <= 59
}

/** SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document)): the bytes an `eddsa-jcs-2022` proof signs. */
export function proofHashData(unsecuredDocument: JsonObject, proofConfig: JsonObject): Uint8Array {
  return concat(sha256(utf8(canonicalJson(proofConfig))), sha256(utf8(canonicalJson(unsecuredDocument))))
}

/** The proof configuration for a document: the proof's fields without its value, and the document's context. */
export function proofConfigFor(unsecuredDocument: JsonObject, options: ProofOptions): JsonObject {
  const config: JsonObject = {
    type: DATA_INTEGRITY_PROOF,
    cryptosuite: EDDSA_JCS_2022,
    created: options.created,
    verificationMethod: options.verificationMethod,
    proofPurpose: ASSERTION_METHOD,
  }
  const context = unsecuredDocument['@context']
  if (context !== undefined) config['@context'] = context
  return config
}

/** Adds an `eddsa-jcs-2022` proof, signed with a 64-byte tweetnacl-layout secret key. */
export async function addJcsProof(ed: Ed25519, secretKey: Uint8Array, unsecuredDocument: JsonObject, options: ProofOptions): Promise<JsonObject> {
  if (unsecuredDocument.proof !== undefined) throw new TypeError('The document already has a proof')
  const config = proofConfigFor(unsecuredDocument, options)
  const signature = await ed.sign(secretKey, proofHashData(unsecuredDocument, config))
  return { ...unsecuredDocument, proof: { ...config, proofValue: encodeMultibase58(signature) } }
}

/**
 * Reads a secured document's single proof as vc-di-eddsa's "verify proof" algorithm asks, short of the
 * signature: the type, cryptosuite and purpose, a resolvable did:key method, a 64-byte proofValue,
 * and a proof context that the document's context starts with. Never throws.
 */
export function openJcsProof(securedDocument: JsonObject, expectedPurpose = ASSERTION_METHOD): ProofRead {
  const bad = (detail: string): ProofRead => ({ ok: false, reason: 'bad-proof', detail })
  const proof = securedDocument.proof
  if (proof === undefined) return bad('no proof')
  if (!isObject(proof)) return bad('the proof is not one object')
  for (const key of Object.keys(proof)) if (!PROOF_FIELDS.has(key)) return bad(`unexpected proof field ${key}`)
  if (proof.type !== DATA_INTEGRITY_PROOF) return bad(`proof type is not ${DATA_INTEGRITY_PROOF}`)
  if (proof.cryptosuite !== EDDSA_JCS_2022) return bad(`cryptosuite is not ${EDDSA_JCS_2022}`)
  if (proof.proofPurpose !== expectedPurpose) return bad(`proof purpose is not ${expectedPurpose}`)
  if (proof.created !== undefined && !isDateTimeStamp(proof.created)) return bad('created is not a dateTimeStamp')
  // The proof's own end (vc-data-integrity, "expires"); when it is past is the caller's to say.
  if (proof.expires !== undefined && !isDateTimeStamp(proof.expires)) return bad('expires is not a dateTimeStamp')
  if (typeof proof.verificationMethod !== 'string') return bad('no verification method')
  const method = resolveVerificationMethod(proof.verificationMethod)
  if (method === undefined) return bad('the verification method is not a did:key of an Ed25519 key')
  if (typeof proof.proofValue !== 'string') return bad('no proof value')
  const signature = decodeMultibase58(proof.proofValue)
  if (signature === undefined || signature.length !== 64) return bad('the proof value is not a multibase base58btc Ed25519 signature')

  const { proof: _secured, ...unsecured } = securedDocument
  const { proofValue: _value, ...config } = proof
  if (config['@context'] !== undefined) {
    if (!startsWith(securedDocument['@context'], config['@context'])) return bad("the document's @context does not start with the proof's")
    unsecured['@context'] = config['@context']
  }
  return { ok: true, value: { proof, did: method.did, publicKey: method.publicKey, signature, hashData: proofHashData(unsecured, config) } }
}

export function verifyOpenedProof(ed: Ed25519, opened: OpenedProof): Promise<boolean> {
  return ed.verify(opened.publicKey, opened.hashData, opened.signature)
}

/** Opens and checks a proof in one go; for documents whose issuer the caller does not need to match. */
export async function verifyJcsProof(
  ed: Ed25519,
  securedDocument: JsonObject,
): Promise<{ ok: true; value: OpenedProof } | { ok: false; reason: 'bad-proof' | 'bad-signature'; detail: string }> {
  const opened = openJcsProof(securedDocument)
  if (!opened.ok) return opened
  if (!(await verifyOpenedProof(ed, opened.value))) return { ok: false, reason: 'bad-signature', detail: 'the signature does not verify' }
  return opened
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function startsWith(context: JsonValue | undefined, prefix: JsonValue): boolean {
  const whole = Array.isArray(context) ? context : context === undefined ? [] : [context]
  const head = Array.isArray(prefix) ? prefix : [prefix]
  return head.length <= whole.length && head.every((item, i) => canonicalJson(item) === canonicalJson(whole[i]))
}
