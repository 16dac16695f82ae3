/**
 * The file a member exports of the attestations they received, so anyone can check them offline
 * (`npm run verify -- file.json`). JSON text: a small envelope naming the format, its version and the
 * subject's did:key around the credentials exactly as signed. Decoding checks the envelope only —
 * size, strict JSON, type, version — and hands back the credentials for `verifyAttestations`.
 */
import { didKeyFromMemberId, memberIdFromDidKey } from './did-key'
import { type JsonObject, parseStrictJson } from './jcs'
import type { MemberId } from './model'
import type { SignedCredential } from './attestation'

export const ATTESTATION_EXPORT_TYPE = 'sharecircle/attestations'
export const ATTESTATION_EXPORT_VERSION = 1
/** A few thousand credentials of under 1 KB each; far more than a member receives. */
export const MAX_EXPORT_BYTES = 16 * 1024 * 1024
export const MAX_EXPORT_CREDENTIALS = 20_000

export const EXPORT_REJECT_REASONS = ['too-large', 'malformed', 'duplicate-key', 'too-deep', 'wrong-type', 'unsupported-version', 'too-many'] as const
export type ExportRejectReason = (typeof EXPORT_REJECT_REASONS)[number]

export interface AttestationExport {
  subject: MemberId
  /** Untrusted until verified: each is checked on its own, so one bad credential spoils nothing else. */
  credentials: unknown[]
}

export type ExportDecoded = { ok: true; value: AttestationExport } | { ok: false; reason: ExportRejectReason; detail?: string }

export class InvalidExportError extends Error {
  override name = 'InvalidExportError'
  constructor(message = 'The export names no valid subject') {
    super(message)
  }
}

export function encodeAttestationExport(input: { subject: MemberId; credentials: readonly SignedCredential[] }): string {
  const subject = didKeyFromMemberId(input.subject)
  if (subject === undefined) throw new InvalidExportError()
  return `${JSON.stringify({ type: ATTESTATION_EXPORT_TYPE, version: ATTESTATION_EXPORT_VERSION, subject, credentials: input.credentials }, null, 2)}\n`
}

/** Never throws: any flaw of the file comes back as a named reason. */
export function decodeAttestationExport(text: string): ExportDecoded {
  if (text.length > MAX_EXPORT_BYTES) return { ok: false, reason: 'too-large', detail: `over ${MAX_EXPORT_BYTES} bytes` }
  const parsed = parseStrictJson(text)
  if (!parsed.ok) {
    const reason = parsed.reason === 'duplicate-key' || parsed.reason === 'too-deep' ? parsed.reason : 'malformed'
    return parsed.detail === undefined ? { ok: false, reason } : { ok: false, reason, detail: parsed.detail }
  }
  const file = parsed.value
  if (typeof file !== 'object' || file === null || Array.isArray(file)) return { ok: false, reason: 'wrong-type', detail: 'not a JSON object' }
  const envelope: JsonObject = file
  if (envelope.type !== ATTESTATION_EXPORT_TYPE) return { ok: false, reason: 'wrong-type', detail: `type is not ${ATTESTATION_EXPORT_TYPE}` }
  if (envelope.version !== ATTESTATION_EXPORT_VERSION) return { ok: false, reason: 'unsupported-version', detail: `version ${JSON.stringify(envelope.version)}` }
  const subject = typeof envelope.subject === 'string' ? memberIdFromDidKey(envelope.subject) : undefined
  if (subject === undefined) return { ok: false, reason: 'malformed', detail: 'subject is not an Ed25519 did:key' }
  const credentials = envelope.credentials
  if (!Array.isArray(credentials)) return { ok: false, reason: 'malformed', detail: 'credentials is not a list' }
  if (credentials.length > MAX_EXPORT_CREDENTIALS) return { ok: false, reason: 'too-many', detail: `over ${MAX_EXPORT_CREDENTIALS} credentials` }
  return { ok: true, value: { subject, credentials } }
}
