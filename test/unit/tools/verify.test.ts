import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedCredential, issueReview, issueRevocation, issueVouch } from '../../../src/core/attestation'
import { encodeAttestationExport } from '../../../src/core/attestation-export'
import { fingerprint } from '../../../src/core/bytes'
import { didKeyFromPublicKey } from '../../../src/core/did-key'
import { webCryptoEd25519 } from '../../../src/core/ed25519'
import { memberIdOf, newSigningKeyPair } from '../../../src/core/keys'
import { seededRandom } from '../../../src/core/random'

const ROOT = resolve(import.meta.dirname, '../../..')
const ed = webCryptoEd25519(globalThis.crypto.subtle)
const random = seededRandom(77)
const ana = newSigningKeyPair(random)
const ben = newSigningKeyPair(random)
const cleo = newSigningKeyPair(random)
const NOW = Date.UTC(2026, 10, 22, 12)
const AT = '2026-11-23T00:00:00Z'
let dir: string
let credentials: SignedCredential[]

function verify(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/tools/verify.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
}

async function exportFile(name: string, text: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sharecircle-verify-'))
  const subject = memberIdOf(ben.publicKey)
  const vouch = await issueVouch(ed, ana, { subject, strength: 3, scope: 'tools', circle: 'Elm Street', now: NOW, random })
  const review = await issueReview(ed, cleo, { subject, booking: 'ladder-17', rating: 5, role: 'borrower', now: NOW, random })
  const lapsed = await issueVouch(ed, cleo, { subject, strength: 1, scope: 'car', circle: 'Elm Street', now: NOW - 90 * 86_400_000, validUntil: NOW - 86_400_000, random })
  const withdrawn = await issueVouch(ed, cleo, { subject, strength: 2, scope: 'anything', circle: 'Elm Street', now: NOW, random })
  const revocation = await issueRevocation(ed, cleo, { revokes: { id: withdrawn.id as string, subject }, now: NOW + 1000, random })
  credentials = [vouch, review, lapsed, withdrawn, revocation]
})

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('npm run verify', () => {
  it("refuses credentials about someone else, and a credential listed twice", async () => {
    const aboutCleo = await issueVouch(ed, ana, { subject: memberIdOf(cleo.publicKey), strength: 3, scope: 'tools', circle: 'Elm Street', now: NOW, random })
    const file = await exportFile('padded.json', encodeAttestationExport({ subject: memberIdOf(ben.publicKey), credentials: [credentials[0]!, credentials[0]!, aboutCleo] }))
    const run = verify(file, '--at', AT)
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(`1. ${credentials[0]!.id}: VALID`)
    expect(run.stdout).toContain(`2. ${credentials[0]!.id}: REJECTED: malformed (listed twice)`)
    expect(run.stdout).toContain(`3. ${aboutCleo.id}: REJECTED: malformed (about someone other than the file's subject)`)
    expect(run.stdout).toContain('1 valid, 0 expired, not yet valid or revoked, 2 rejected.')
  })

  it('prints issuer, subject, claim and validity of each credential and exits 0 when none is forged', async () => {
    const file = await exportFile('ben.json', encodeAttestationExport({ subject: memberIdOf(ben.publicKey), credentials }))
    const run = verify(file, '--at', AT)
    expect(run.status, run.stdout + run.stderr).toBe(0)
    const out = run.stdout
    expect(out).toContain(`5 credentials received by ${didKeyFromPublicKey(ben.publicKey)} (fingerprint ${fingerprint(ben.publicKey)})`)
    expect(out).toContain(`1. ${credentials[0]!.id}: VALID`)
    expect(out).toContain(`issuer:   ${didKeyFromPublicKey(ana.publicKey)} (fingerprint ${fingerprint(ana.publicKey)})`)
    expect(out).toContain(`subject:  ${didKeyFromPublicKey(ben.publicKey)}`)
    expect(out).toContain('claim:    vouch, strength 3 of 3, for "tools" in circle "Elm Street"')
    expect(out).toContain('validity: from 2026-11-22T12:00:00Z until 2027-11-22T12:00:00Z')
    expect(out).toContain('claim:    review of booking "ladder-17": 5 of 5 stars, written as the borrower')
    expect(out).toContain(`3. ${credentials[2]!.id}: EXPIRED`)
    expect(out).toContain(`4. ${credentials[3]!.id}: REVOKED (revoked by ${credentials[4]!.id})`)
    expect(out).toContain(`claim:    revokes ${credentials[3]!.id}`)
    expect(out).toContain('3 valid, 2 expired, not yet valid or revoked, 0 rejected.')
  }, 60_000)

  it('exits 1 and names the reason when a credential was tampered with', async () => {
    const tampered = structuredClone(credentials)
    ;((tampered[0]!.credentialSubject as { vouch: { strength: number } }).vouch).strength = 2
    const file = await exportFile('tampered.json', encodeAttestationExport({ subject: memberIdOf(ben.publicKey), credentials: tampered }))
    const run = verify(file, '--at', AT)
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(`1. ${credentials[0]!.id}: REJECTED: bad-signature`)
    expect(run.stdout).toContain(`claims to be issued by ${didKeyFromPublicKey(ana.publicKey)}`)
    expect(run.stdout).toContain(`2. ${credentials[1]!.id}: VALID`)
    expect(run.stdout).toContain('1 rejected.')
  }, 60_000)

  it('prints what a forger wrote without the control characters a terminal would act on', async () => {
    const forged = { ...structuredClone(credentials[0]!), id: 'x\u001b[1A\u001b[2K\u001b[8m\nfake line' }
    const file = await exportFile('escapes.json', encodeAttestationExport({ subject: memberIdOf(ben.publicKey), credentials: [forged] }))
    const run = verify(file, '--at', AT)
    expect(run.status).toBe(1)
    expect(run.stdout).not.toContain('\u001b')
    expect(run.stdout).toContain('x\\u001b[1A\\u001b[2K\\u001b[8m\\u000afake line')
    expect(run.stdout).toContain('1 rejected.')
  }, 60_000)

  it('exits 1 with a clear message for a file it cannot read', async () => {
    const text = encodeAttestationExport({ subject: memberIdOf(ben.publicKey), credentials })
    const cases: [string, string, string][] = [
      ['not-json.json', '{"type":', 'malformed'],
      ['duplicate.json', text.replace('{', '{"subject":"did:key:z6Mkx",'), 'duplicate-key'],
      ['other.json', JSON.stringify({ type: 'something-else', credentials: [] }), 'wrong-type'],
    ]
    for (const [name, content, reason] of cases) {
      const run = verify(await exportFile(name, content))
      expect([name, run.status]).toEqual([name, 1])
      expect(run.stderr).toContain(`is not a readable attestation export: ${reason}`)
    }
    const missing = verify(join(dir, 'missing.json'))
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('Cannot read')
    expect(missing.stderr).toContain('ENOENT')
  }, 120_000)

  it('exits 2 with its usage when called wrongly', () => {
    const run = verify()
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('Usage: npm run verify')
  }, 60_000)
})
