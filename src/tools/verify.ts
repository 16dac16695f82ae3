/**
 * `npm run verify -- file.json [--at 2026-01-01T00:00:00Z]`: checks a member's exported attestations
 * offline — no network, no app, only the file and src/core — and prints each credential's issuer,
 * subject, claim and validity. Exits 0 when every credential verifies (expired, not yet valid or
 * revoked ones are reported but are not forgeries), 1 when any is rejected or the file is unreadable,
 * 2 on a usage error.
 *
 * src/tools may import src/core and node builtins only (test/lint/rules.ts). It prints: a CLI.
 */
import { readFile } from 'node:fs/promises'
import { type Attestation, type AttestationCheck, type AttestationRejectReason, toXmlDateTime, verifyAttestations } from '../core/attestation'
import { decodeAttestationExport } from '../core/attestation-export'
import { fingerprint } from '../core/bytes'
import { didKeyFromMemberId, publicKeyFromDidKey } from '../core/did-key'
import { detectEd25519 } from '../core/ed25519'

const USAGE = `Usage: npm run verify -- <export.json> [--at <date-time>]

Verifies every credential in a Sharecircle attestation export, offline, and prints who issued it,
whom it is about, what it claims and whether it is valid now (or at --at, an ISO date-time).
`

type Args = { kind: 'help' } | { kind: 'run'; file: string; at: number } | { kind: 'error'; message: string }

function parseArgs(argv: readonly string[]): Args {
  let file: string | undefined
  let at = Date.now()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return { kind: 'help' }
    if (arg === '--at') {
      const value = Date.parse(argv[i + 1] ?? '')
      if (Number.isNaN(value)) return { kind: 'error', message: '--at needs a date-time, e.g. 2026-01-01T00:00:00Z' }
      at = value
      i++
    } else if (arg.startsWith('-')) return { kind: 'error', message: `Unknown option ${arg}` }
    else if (file === undefined) file = arg
    else return { kind: 'error', message: 'Give one file' }
  }
  return file === undefined ? { kind: 'error', message: 'Give the export file to verify' } : { kind: 'run', file, at }
}

function who(did: string): string {
  const publicKey = publicKeyFromDidKey(did)
  return publicKey === undefined ? did : `${did} (fingerprint ${fingerprint(publicKey)})`
}

function describeClaim(attestation: Attestation): string {
  if (attestation.vouch) return `vouch, strength ${attestation.vouch.strength} of 3, for "${attestation.vouch.scope}" in circle "${attestation.vouch.circle}"`
  if (attestation.review) return `review of booking "${attestation.review.booking}": ${attestation.review.rating} of 5 stars, written as the ${attestation.review.role}`
  return `revokes ${attestation.revokes}`
}

function describeWindow(attestation: Attestation): string {
  const until = attestation.validUntil === undefined ? 'no end' : toXmlDateTime(attestation.validUntil)
  return `from ${toXmlDateTime(attestation.validFrom)} until ${until}`
}

const STATUS: Partial<Record<AttestationRejectReason, string>> = {
  expired: 'EXPIRED',
  'not-yet-valid': 'NOT YET VALID',
  revoked: 'REVOKED',
}

function describe(check: AttestationCheck, raw: unknown, position: number): string[] {
  const attestation = check.ok ? check.value : check.attestation
  const id = attestation?.id ?? (isRecord(raw) && typeof raw.id === 'string' ? raw.id : '(no id)')
  const status = check.ok ? 'VALID' : attestation ? `${STATUS[check.reason] ?? check.reason}${check.detail ? ` (${check.detail})` : ''}` : `REJECTED: ${check.reason}${check.detail ? ` (${check.detail})` : ''}`
  const lines = [`${position}. ${id}: ${status}`]
  if (attestation) {
    lines.push(`   issuer:   ${who(didKeyFromMemberId(attestation.issuer)!)}`)
    lines.push(`   subject:  ${who(didKeyFromMemberId(attestation.subject)!)}`)
    lines.push(`   claim:    ${describeClaim(attestation)}`)
    lines.push(`   validity: ${describeWindow(attestation)}`)
  } else if (isRecord(raw) && typeof raw.issuer === 'string') {
    lines.push(`   claims to be issued by ${who(raw.issuer)}; nothing it says can be trusted`)
  }
  return lines
}

/**
 * Text from the file as it may be printed: control characters (which a terminal would act on, to
 * hide or rewrite lines) shown as escapes instead.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * What the file itself promises: every credential is about its subject, and each appears once. A
 * credential about someone else is refused (it would pad the subject's reputation); a repeat of one
 * already listed is refused too, so nothing counts twice.
 */
function withFileRules(checks: AttestationCheck[], subject: string): AttestationCheck[] {
  const seen = new Set<string>()
  return checks.map((check) => {
    const attestation = check.ok ? check.value : check.attestation
    if (!attestation) return check
    if (attestation.subject !== subject) return { ok: false, reason: 'malformed', detail: 'about someone other than the file\'s subject' }
    const key = `${attestation.issuer} ${attestation.id}`
    if (seen.has(key)) return { ok: false, reason: 'malformed', detail: 'listed twice' }
    seen.add(key)
    return check
  })
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv)
  if (args.kind === 'help') {
    process.stdout.write(USAGE)
    return 0
  }
  if (args.kind === 'error') {
    process.stderr.write(`${args.message}\n\n${USAGE}`)
    return 2
  }
  let text: string
  try {
    text = await readFile(args.file, 'utf8')
  } catch (error) {
    process.stderr.write(`Cannot read ${args.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`)
    return 1
  }
  const decoded = decodeAttestationExport(text)
  if (!decoded.ok) {
    process.stderr.write(`${args.file} is not a readable attestation export: ${decoded.reason}${decoded.detail ? ` (${printable(decoded.detail)})` : ''}\n`)
    return 1
  }
  const { subject, credentials } = decoded.value
  const ed = await detectEd25519()
  const checks = withFileRules(await verifyAttestations(ed, credentials, args.at), subject)
  console.log(`${args.file}: ${credentials.length} credential${credentials.length === 1 ? '' : 's'} received by ${who(didKeyFromMemberId(subject)!)}`)
  console.log(`Checked at ${toXmlDateTime(args.at)} with ${ed.name} Ed25519.\n`)
  checks.forEach((check, i) => console.log(describe(check, credentials[i], i + 1).map(printable).join('\n')))
  const count = (test: (check: AttestationCheck) => boolean) => checks.filter(test).length
  const rejected = count((check) => !check.ok && check.attestation === undefined)
  const aside = count((check) => !check.ok && check.attestation !== undefined)
  console.log(`\n${checks.length - rejected - aside} valid, ${aside} expired, not yet valid or revoked, ${rejected} rejected.`)
  return rejected > 0 ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
