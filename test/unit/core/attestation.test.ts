import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ATTESTATION_REJECT_REASONS,
  type Attestation,
  InvalidAttestationError,
  MAX_CREDENTIAL_BYTES,
  type SignedCredential,
  addMonths,
  applyRevocations,
  issueReview,
  issueRevocation,
  issueVouch,
  verifyAttestation,
  verifyAttestations,
} from '../../../src/core/attestation'
import { MAX_EXPORT_BYTES, MAX_EXPORT_CREDENTIALS, decodeAttestationExport, encodeAttestationExport } from '../../../src/core/attestation-export'
import { addJcsProof, isDateTimeStamp, proofHashData, verifyJcsProof } from '../../../src/core/attestation-proof'
import { decodeMultibase58, encodeMultibase58 } from '../../../src/core/base58'
import { concat, toHex, utf8 } from '../../../src/core/bytes'
import { didKeyFromPublicKey, publicKeyFromMultibase, verificationMethodOf } from '../../../src/core/did-key'
import { type Ed25519, tweetnaclEd25519, webCryptoEd25519 } from '../../../src/core/ed25519'
import { type JsonObject, canonicalJson } from '../../../src/core/jcs'
import { memberIdOf, newSigningKeyPair } from '../../../src/core/keys'
import { seededRandom } from '../../../src/core/random'

const VECTORS = new URL('../../fixtures/vc-di-eddsa-jcs-2022/', import.meta.url)
const vector = (name: string) => readFileSync(new URL(name, VECTORS), 'utf8')
const webcrypto = webCryptoEd25519(globalThis.crypto.subtle)
const IMPLEMENTATIONS: [string, Ed25519][] = [
  ['webcrypto', webcrypto],
  ['tweetnacl', tweetnaclEd25519],
]

const random = seededRandom(2026)
const ana = newSigningKeyPair(random)
const ben = newSigningKeyPair(random)
const eve = newSigningKeyPair(random)
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)
const HOUR = 3_600_000

function vouchFor(subject = memberIdOf(ben.publicKey), ed: Ed25519 = webcrypto, scope = 'outils à main') {
  return issueVouch(ed, ana, { subject, strength: 2, scope, circle: 'Rue des Lilas', now: NOW, random })
}

/** The credential without its proof, changed by `edit`, then signed again by `signer` as `issuer`. */
async function resign(credential: SignedCredential, edit: (doc: JsonObject) => void, signer = ana, method = verificationMethodOf(didKeyFromPublicKey(signer.publicKey))) {
  const { proof: _proof, ...document } = structuredClone(credential) as JsonObject
  edit(document)
  return addJcsProof(webcrypto, signer.secretKey, document, { created: '2026-11-22T12:00:00Z', verificationMethod: method })
}

function expectRejected(check: Awaited<ReturnType<typeof verifyAttestation>>, reason: string) {
  expect(check.ok ? 'ok' : check.reason).toBe(reason)
}

describe('the W3C vc-di-eddsa test vectors for eddsa-jcs-2022', () => {
  const signed = JSON.parse(vector('signedJCS.json')) as JsonObject
  const { proof, ...unsecured } = signed
  const { proofValue: _value, ...proofConfig } = proof as JsonObject
  const seed = decodeMultibase58(JSON.parse(vector('keyPair.json')).privateKeyMultibase)!.subarray(2)
  const publicKey = publicKeyFromMultibase(JSON.parse(vector('keyPair.json')).publicKeyMultibase)!

  it('hash the canonical proof configuration and document into the published combined hash', () => {
    expect(canonicalJson(unsecured)).toBe(vector('canonDocJCS.txt'))
    expect(canonicalJson(proofConfig)).toBe(vector('proofCanonJCS.txt'))
    expect(toHex(proofHashData(unsecured, proofConfig))).toBe(vector('combinedHashJCS.txt'))
  })

  for (const [name, ed] of IMPLEMENTATIONS) {
    it(`sign to the published signature and proof, and verify (${name})`, async () => {
      const secretKey = concat(seed, publicKey)
      const signature = await ed.sign(secretKey, proofHashData(unsecured, proofConfig))
      expect(toHex(signature)).toBe(vector('sigHexJCS.txt'))
      expect(encodeMultibase58(signature)).toBe((proof as JsonObject).proofValue)
      const reproduced = await addJcsProof(ed, secretKey, unsecured, {
        created: '2023-02-24T23:36:38Z',
        verificationMethod: (proof as JsonObject).verificationMethod as string,
      })
      expect(canonicalJson(reproduced)).toBe(canonicalJson(signed))
      const verified = await verifyJcsProof(ed, signed)
      expect(verified.ok).toBe(true)
      if (verified.ok) expect(toHex(verified.value.publicKey)).toBe(toHex(publicKey))
    })
  }

  it('fail to verify once any field of the document or the proof changes', async () => {
    const edits: ((doc: JsonObject) => void)[] = [
      (doc) => ((doc.credentialSubject as JsonObject).alumniOf = 'The School of Exemples'),
      (doc) => (doc.validFrom = '2023-01-01T00:00:01Z'),
      (doc) => ((doc.proof as JsonObject).created = '2023-02-24T23:36:39Z'),
      (doc) => ((doc['@context'] as string[]).length = 1),
    ]
    for (const edit of edits) {
      const copy = structuredClone(signed)
      edit(copy)
      expect((await verifyJcsProof(webcrypto, copy)).ok).toBe(false)
    }
  })

  it('are refused as a Sharecircle attestation, by name: it is not one of ours', async () => {
    expectRejected(await verifyAttestation(webcrypto, vector('signedJCS.json'), NOW), 'malformed')
  })
})

describe('issuing and verifying attestations', () => {
  for (const [signerName, signer] of IMPLEMENTATIONS) {
    for (const [verifierName, verifier] of IMPLEMENTATIONS) {
      it(`round-trips a vouch signed with ${signerName} and verified with ${verifierName}`, async () => {
        const credential = await vouchFor(memberIdOf(ben.publicKey), signer)
        const check = await verifyAttestation(verifier, credential, NOW)
        expect(check.ok).toBe(true)
        if (!check.ok) return
        expect(check.value).toMatchObject({
          kind: 'vouch',
          issuer: memberIdOf(ana.publicKey),
          subject: memberIdOf(ben.publicKey),
          validFrom: NOW,
          validUntil: addMonths(NOW, 12),
          vouch: { strength: 2, scope: 'outils à main', circle: 'Rue des Lilas' },
        })
        expect(check.value.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(check.value.credential).toEqual(credential)
      })
    }
  }

  it('writes a W3C VC 2.0 document with a Data Integrity proof', async () => {
    const credential = await vouchFor()
    expect(credential).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential', 'VouchCredential'],
      issuer: didKeyFromPublicKey(ana.publicKey),
      validFrom: '2026-11-22T12:00:00Z',
      validUntil: '2027-11-22T12:00:00Z',
      credentialSubject: { id: didKeyFromPublicKey(ben.publicKey), vouch: { strength: 2 } },
      proof: {
        type: 'DataIntegrityProof',
        cryptosuite: 'eddsa-jcs-2022',
        created: '2026-11-22T12:00:00Z',
        proofPurpose: 'assertionMethod',
        verificationMethod: verificationMethodOf(didKeyFromPublicKey(ana.publicKey)),
        '@context': ['https://www.w3.org/ns/credentials/v2'],
      },
    })
    // The proof also verifies as a plain Data Integrity proof, as any conforming verifier would check it.
    expect((await verifyJcsProof(webcrypto, credential as JsonObject)).ok).toBe(true)
  })

  it('round-trips a review and a revocation, from JSON text as well as objects', async () => {
    const review = await issueReview(webcrypto, ben, { subject: memberIdOf(ana.publicKey), booking: 'bk-17', rating: 5, role: 'borrower', now: NOW, random })
    const checked = await verifyAttestation(webcrypto, JSON.stringify(review, null, 2), NOW)
    expect(checked).toMatchObject({ ok: true, value: { kind: 'review', validUntil: undefined, review: { booking: 'bk-17', rating: 5, role: 'borrower' } } })
    const revocation = await issueRevocation(webcrypto, ben, { revokes: { id: review.id as string, subject: memberIdOf(ana.publicKey) }, now: NOW, random })
    expect(await verifyAttestation(webcrypto, JSON.stringify(revocation), NOW)).toMatchObject({
      ok: true,
      value: { kind: 'revocation', revokes: review.id, issuer: memberIdOf(ben.publicKey), subject: memberIdOf(ana.publicKey) },
    })
  })

  it('normalises text to NFC before signing', async () => {
    const credential = await vouchFor(memberIdOf(ben.publicKey), webcrypto, ' outils a\u0300 main ')
    expect((credential.credentialSubject as { vouch: { scope: string } }).vouch.scope).toBe('outils à main')
  })

  it('refuses to issue what a verifier would refuse', async () => {
    const subject = memberIdOf(ben.publicKey)
    const cases = [
      () => vouchFor('not-a-member'),
      () => vouchFor(memberIdOf(ana.publicKey)),
      () => vouchFor(subject, webcrypto, 'x'.repeat(41)),
      () => vouchFor(subject, webcrypto, '   '),
      () => issueVouch(webcrypto, ana, { subject, strength: 4 as 3, scope: 'tools', circle: 'c', now: NOW, random }),
      () => issueReview(webcrypto, ana, { subject, booking: 'b', rating: 4.5 as 4, role: 'owner', now: NOW, random }),
      () => issueVouch(webcrypto, ana, { subject, strength: 1, scope: 'tools', circle: 'c', now: NOW, validUntil: NOW - HOUR, random }),
      // Vouches expire: one for longer than VOUCH_VALIDITY_MONTHS (a day of slack) is not one.
      () => issueVouch(webcrypto, ana, { subject, strength: 1, scope: 'tools', circle: 'c', now: NOW, validUntil: NOW + 368 * 24 * HOUR, random }),
    ]
    for (const issue of cases) await expect(issue()).rejects.toThrow(InvalidAttestationError)
  })
})

describe('verification refuses, with a named reason', () => {
  it('every single changed byte of the signed text, document and proof alike', async () => {
    const bytes = utf8(JSON.stringify(await vouchFor()))
    expectRejected(await verifyAttestation(webcrypto, bytes, NOW), 'ok')
    const reasons = new Map<string, number>()
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x20]) {
        const changed = bytes.slice()
        changed[i]! ^= flip
        const check = await verifyAttestation(webcrypto, changed, NOW)
        expect([i, flip, check.ok]).toEqual([i, flip, false])
        if (!check.ok) {
          expect(ATTESTATION_REJECT_REASONS).toContain(check.reason)
          reasons.set(check.reason, (reasons.get(check.reason) ?? 0) + 1)
        }
      }
    }
    // Structure breaks parse, claims and fields break the shape, and the rest breaks the signature.
    expect([...reasons.keys()].sort()).toEqual(expect.arrayContaining(['bad-issuer', 'bad-proof', 'bad-signature', 'malformed', 'wrong-key']))
    expect(reasons.get('bad-signature')).toBeGreaterThan(100)
  })

  it('a signature whose bytes are reordered (both implementations)', async () => {
    const credential = await vouchFor()
    const signature = decodeMultibase58((credential.proof as JsonObject).proofValue as string)!
    const reorderings = [
      concat(signature.subarray(32), signature.subarray(0, 32)),
      signature.slice().reverse(),
      concat(signature.subarray(1), signature.subarray(0, 1)),
      (() => {
        const swapped = signature.slice()
        ;[swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!]
        return swapped
      })(),
    ]
    for (const reordered of reorderings) {
      const tampered = structuredClone(credential)
      ;(tampered.proof as JsonObject).proofValue = encodeMultibase58(reordered)
      for (const [, ed] of IMPLEMENTATIONS) expectRejected(await verifyAttestation(ed, tampered, NOW), 'bad-signature')
    }
  })

  it('a proof by a key other than the issuer’s', async () => {
    const credential = await vouchFor()
    // Eve signs Ana's claim with her own key and says so in the proof: the key is not the issuer's.
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, () => {}, eve), NOW), 'wrong-key')
    // Eve signs with her key but names Ana's: the signature does not verify.
    const forged = await resign(credential, () => {}, eve, verificationMethodOf(didKeyFromPublicKey(ana.publicKey)))
    expectRejected(await verifyAttestation(webcrypto, forged, NOW), 'bad-signature')
    // Eve claims Ana's signature as hers: issuer and method renamed, the signature is Ana's.
    const renamed = structuredClone(credential) as JsonObject
    renamed.issuer = didKeyFromPublicKey(eve.publicKey)
    ;(renamed.proof as JsonObject).verificationMethod = verificationMethodOf(renamed.issuer)
    expectRejected(await verifyAttestation(webcrypto, renamed, NOW), 'bad-signature')
    // An issuer that is not a did:key.
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => (doc.issuer = 'https://example.org/ana')), NOW), 'bad-issuer')
  })

  it('outside its validity window, still naming what it says', async () => {
    const credential = await vouchFor()
    const later = await verifyAttestation(webcrypto, credential, addMonths(NOW, 12))
    expect(later).toMatchObject({ ok: false, reason: 'expired', attestation: { kind: 'vouch', issuer: memberIdOf(ana.publicKey) } })
    expect((await verifyAttestation(webcrypto, credential, addMonths(NOW, 12) - 1)).ok).toBe(true)
    expectRejected(await verifyAttestation(webcrypto, credential, NOW - HOUR), 'not-yet-valid')
    // A few minutes of clock difference between devices is tolerated.
    expect((await verifyAttestation(webcrypto, credential, NOW - 60_000)).ok).toBe(true)
    const short = await issueVouch(webcrypto, ana, { subject: memberIdOf(ben.publicKey), strength: 1, scope: 'car', circle: 'c', now: NOW, validUntil: NOW + HOUR, random })
    expectRejected(await verifyAttestation(webcrypto, short, NOW + 2 * HOUR), 'expired')
  })

  it('revoked, but only by its own issuer', async () => {
    const vouch = await vouchFor()
    const revokes = { id: vouch.id as string, subject: memberIdOf(ben.publicKey) }
    const byAna = await issueRevocation(webcrypto, ana, { revokes, now: NOW + HOUR, random })
    const byEve = await issueRevocation(webcrypto, eve, { revokes, now: NOW + HOUR, random })
    const checks = await verifyAttestations(webcrypto, [vouch, byEve, byAna], NOW + 2 * HOUR)
    expect(checks.map((check) => (check.ok ? 'ok' : check.reason))).toEqual(['revoked', 'ok', 'ok'])
    expect(checks[0]).toMatchObject({ attestation: { id: vouch.id }, detail: `revoked by ${byAna.id}` })
    const onlyEve = await verifyAttestations(webcrypto, [vouch, byEve], NOW + 2 * HOUR)
    expect(onlyEve.map((check) => check.ok)).toEqual([true, true])

    const verified = (await verifyAttestations(webcrypto, [vouch, byEve, byAna], NOW + 2 * HOUR)).map((check) => (check.ok ? check.value : check.attestation!))
    const { live, revoked } = applyRevocations(verified)
    expect([...revoked]).toEqual([vouch.id])
    expect(live).toEqual([])
  })

  it('a duplicate key, which JSON.parse would silently resolve', async () => {
    const text = JSON.stringify(await vouchFor())
    const doubled = text.replace('"strength":2', '"strength":3,"strength":2')
    expect(JSON.parse(doubled).credentialSubject.vouch.strength).toBe(2)
    expectRejected(await verifyAttestation(webcrypto, doubled, NOW), 'duplicate-key')
    expectRejected(await verifyAttestation(webcrypto, text.replace('{', `{"issuer":${JSON.stringify(didKeyFromPublicKey(eve.publicKey))},`), NOW), 'duplicate-key')
  })

  it('non-integer numbers, text that is not NFC, foreign types, and oversized input, even when signed', async () => {
    const credential = await vouchFor()
    const vouchOf = (doc: JsonObject) => (doc.credentialSubject as JsonObject).vouch as JsonObject
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => (vouchOf(doc).strength = 2.5)), NOW), 'not-integer')
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => (vouchOf(doc).scope = 'outils a\u0300 main')), NOW), 'not-nfc')
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => (doc.type = ['VerifiableCredential', 'AlumniCredential'])), NOW), 'unsupported-type')
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => (vouchOf(doc).strength = 5)), NOW), 'malformed')
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => (doc.extra = 'smuggled')), NOW), 'malformed')
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => (doc.validUntil = doc.validFrom!)), NOW), 'malformed')
    // A vouch must lapse: one without an end is refused.
    expectRejected(await verifyAttestation(webcrypto, await resign(credential, (doc) => delete doc.validUntil), NOW), 'malformed')
    const padded = JSON.stringify(credential).replace('{', `{${' '.repeat(MAX_CREDENTIAL_BYTES)}`)
    expectRejected(await verifyAttestation(webcrypto, padded, NOW), 'too-large')
    for (const input of [null, 42, 'not json', [credential], { ...credential, proof: [credential.proof] }]) {
      expect((await verifyAttestation(webcrypto, input, NOW)).ok).toBe(false)
    }
  })

  it('a proof of another suite or purpose', async () => {
    const credential = await vouchFor()
    for (const [field, value] of [
      ['cryptosuite', 'eddsa-rdfc-2022'],
      ['proofPurpose', 'authentication'],
      ['type', 'Ed25519Signature2020'],
      ['created', 'yesterday'],
    ]) {
      const tampered = structuredClone(credential)
      ;(tampered.proof as JsonObject)[field!] = value!
      expectRejected(await verifyAttestation(webcrypto, tampered, NOW), 'bad-proof')
    }
  })
})

describe('a proof that expires', () => {
  /** The credential signed again with `expires` in its proof, which the signature then covers. */
  async function withProofExpiry(credential: SignedCredential, expires: string) {
    const { proof, ...document } = structuredClone(credential) as JsonObject
    const { proofValue: _value, ...config } = proof as JsonObject
    config.expires = expires
    const signature = await webcrypto.sign(ana.secretKey, proofHashData(document, config))
    return { ...document, proof: { ...config, proofValue: encodeMultibase58(signature) } }
  }

  it('ends the credential when it ends, before its validUntil', async () => {
    const credential = await vouchFor()
    const expiring = await withProofExpiry(credential, '2026-11-23T12:00:00Z')
    const check = await verifyAttestation(webcrypto, expiring, NOW)
    expect(check.ok && check.value.validUntil).toBe(Date.UTC(2026, 10, 23, 12, 0, 0))
    expectRejected(await verifyAttestation(webcrypto, expiring, NOW + 24 * HOUR), 'expired')
    // An expiry after validUntil changes nothing: the credential's own end comes first.
    const late = await verifyAttestation(webcrypto, await withProofExpiry(credential, '2099-01-01T00:00:00Z'), NOW)
    const plain = await verifyAttestation(webcrypto, credential, NOW)
    expect(late.ok && late.value.validUntil).toBe(plain.ok && plain.value.validUntil)
    expect(late.ok && late.value.validUntil).toBeGreaterThan(NOW + 300 * 24 * HOUR)
  })

  it('must say when as a dateTimeStamp', async () => {
    expectRejected(await verifyAttestation(webcrypto, await withProofExpiry(await vouchFor(), 'tomorrow'), NOW), 'bad-proof')
  })
})

describe('verification accepts', () => {
  it('the same credential with its keys in any order, as text or object', async () => {
    const credential = await vouchFor()
    const order = seededRandom(11)
    const shuffled = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffled)
      if (typeof value !== 'object' || value === null) return value
      const entries = Object.entries(value).map(([k, v]) => [k, shuffled(v)] as const)
      entries.sort(() => order.next() - 0.5)
      return Object.fromEntries(entries)
    }
    for (let i = 0; i < 10; i++) {
      const reordered = shuffled(credential)
      expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(credential))
      expect((await verifyAttestation(webcrypto, reordered, NOW)).ok).toBe(true)
      expect((await verifyAttestation(webcrypto, JSON.stringify(reordered, null, i % 3), NOW)).ok).toBe(true)
    }
  })

  it('a set in which one bad credential spoils nothing else', async () => {
    const good = await vouchFor()
    const bad = structuredClone(good)
    ;(bad.credentialSubject as JsonObject).id = didKeyFromPublicKey(eve.publicKey)
    const checks = await verifyAttestations(webcrypto, [good, bad, 'garbage'], NOW)
    expect(checks.map((check) => (check.ok ? 'ok' : check.reason))).toEqual(['ok', 'bad-signature', 'malformed'])
    expect((checks[0] as { value: Attestation }).value.id).toBe(good.id)
  })
})

describe('addMonths', () => {
  it('adds calendar months in UTC, clamping to the month’s end', () => {
    expect(new Date(addMonths(Date.UTC(2026, 0, 31, 9), 1)).toISOString()).toBe('2026-02-28T09:00:00.000Z')
    expect(new Date(addMonths(Date.UTC(2027, 1, 28), 12)).toISOString()).toBe('2028-02-28T00:00:00.000Z')
    expect(new Date(addMonths(Date.UTC(2026, 10, 22, 12), 12)).toISOString()).toBe('2027-11-22T12:00:00.000Z')
  })
})

describe('the attestation export file', () => {
  it('round-trips the subject and the credentials exactly as signed', async () => {
    const credentials = [await vouchFor(), await vouchFor()]
    const text = encodeAttestationExport({ subject: memberIdOf(ben.publicKey), credentials })
    const decoded = decodeAttestationExport(text)
    expect(decoded).toEqual({ ok: true, value: { subject: memberIdOf(ben.publicKey), credentials } })
    if (decoded.ok) expect((await verifyAttestations(webcrypto, decoded.value.credentials, NOW)).every((check) => check.ok)).toBe(true)
    expect(() => encodeAttestationExport({ subject: 'nobody', credentials })).toThrow()
  })

  it('refuses files that are not an export, by name', async () => {
    const text = encodeAttestationExport({ subject: memberIdOf(ben.publicKey), credentials: [await vouchFor()] })
    const envelope = JSON.parse(text) as Record<string, unknown>
    const cases: [string, string][] = [
      ['{', 'malformed'],
      ['[]', 'wrong-type'],
      [JSON.stringify({ ...envelope, type: 'backup' }), 'wrong-type'],
      [JSON.stringify({ ...envelope, version: 2 }), 'unsupported-version'],
      [JSON.stringify({ ...envelope, subject: 'did:web:example.org' }), 'malformed'],
      [JSON.stringify({ ...envelope, credentials: {} }), 'malformed'],
      [JSON.stringify({ ...envelope, credentials: new Array(MAX_EXPORT_CREDENTIALS + 1).fill(0) }), 'too-many'],
      [text.replace('{', '{"version":1,'), 'duplicate-key'],
      [' '.repeat(MAX_EXPORT_BYTES + 1), 'too-large'],
    ]
    for (const [input, reason] of cases) expect([input.slice(0, 40), decodeAttestationExport(input)]).toMatchObject([input.slice(0, 40), { ok: false, reason }])
  })
})

describe('isDateTimeStamp', () => {
  it('takes real days and times of day only (Date.parse alone rolls 30 February over and takes 24:00)', () => {
    expect(isDateTimeStamp('2026-12-01T23:59:59Z')).toBe(true)
    expect(isDateTimeStamp('2026-12-01T10:00:00.123+02:00')).toBe(true)
    expect(isDateTimeStamp('2028-02-29T00:00:00Z')).toBe(true)
    for (const bad of ['2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2026-12-01T24:00:00Z', '2026-12-01T10:60:00Z', '2026-13-01T00:00:00Z', '2026-12-01']) {
      expect(isDateTimeStamp(bad), bad).toBe(false)
    }
  })
})
