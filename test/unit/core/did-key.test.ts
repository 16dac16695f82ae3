import { readFileSync } from 'node:fs'
import nacl from 'tweetnacl'
import { describe, expect, it } from 'vitest'
import { decodeMultibase58 } from '../../../src/core/base58'
import { fromHex, toHex } from '../../../src/core/bytes'
import {
  didKeyFromMemberId,
  didKeyFromPublicKey,
  memberIdFromDidKey,
  publicKeyFromDidKey,
  publicKeyFromMultibase,
  publicKeyMultibase,
  resolveVerificationMethod,
  verificationMethodOf,
} from '../../../src/core/did-key'
import { RFC8032_TEST_1 } from '../../../src/core/ed25519'
import { seededRandom } from '../../../src/core/random'

const keyPair = JSON.parse(readFileSync(new URL('../../fixtures/vc-di-eddsa-jcs-2022/keyPair.json', import.meta.url), 'utf8')) as {
  publicKeyMultibase: string
  privateKeyMultibase: string
}

describe('did:key for Ed25519', () => {
  it('reads the W3C vector key pair: the private seed yields the public key the did:key names', () => {
    const publicKey = publicKeyFromMultibase(keyPair.publicKeyMultibase)!
    expect(publicKey).toHaveLength(32)
    // ed25519-priv multicodec is 0x1300, varint 0x80 0x26, followed by the 32-byte seed.
    const secret = decodeMultibase58(keyPair.privateKeyMultibase)!
    expect([...secret.subarray(0, 2)]).toEqual([0x80, 0x26])
    expect(toHex(nacl.sign.keyPair.fromSeed(secret.subarray(2)).publicKey)).toBe(toHex(publicKey))
    expect(publicKeyMultibase(publicKey)).toBe(keyPair.publicKeyMultibase)
  })

  it('turns a member id into a did:key and back', () => {
    const did = didKeyFromMemberId(RFC8032_TEST_1.publicKey)!
    expect(did).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/)
    expect(memberIdFromDidKey(did)).toBe(RFC8032_TEST_1.publicKey)
    expect(didKeyFromPublicKey(fromHex(RFC8032_TEST_1.publicKey)!)).toBe(did)
    const random = seededRandom(9)
    for (let i = 0; i < 50; i++) {
      const key = nacl.sign.keyPair.fromSeed(random(32)).publicKey
      const member = toHex(key)
      expect(didKeyFromMemberId(member)!.startsWith('did:key:z6Mk')).toBe(true)
      expect(memberIdFromDidKey(didKeyFromMemberId(member)!)).toBe(member)
    }
  })

  it('refuses ids and DIDs that are not one Ed25519 key spelt one way', () => {
    expect(didKeyFromMemberId(RFC8032_TEST_1.publicKey.toUpperCase())).toBeUndefined()
    expect(didKeyFromMemberId(RFC8032_TEST_1.publicKey.slice(2))).toBeUndefined()
    const did = `did:key:${keyPair.publicKeyMultibase}`
    expect(publicKeyFromDidKey(did)).toBeDefined()
    for (const bad of [
      `did:web:${keyPair.publicKeyMultibase}`,
      `did:key:${keyPair.publicKeyMultibase.slice(1)}`,
      `did:key:${keyPair.publicKeyMultibase}1`,
      `did:key:${keyPair.privateKeyMultibase}`,
      'did:key:',
      keyPair.publicKeyMultibase,
    ]) {
      expect([bad, publicKeyFromDidKey(bad)]).toEqual([bad, undefined])
    }
  })

  it('resolves only the did:key verification method whose fragment is its own key', () => {
    const did = `did:key:${keyPair.publicKeyMultibase}`
    const method = verificationMethodOf(did)
    expect(method).toBe(`${did}#${keyPair.publicKeyMultibase}`)
    expect(resolveVerificationMethod(method)).toEqual({ did, publicKey: publicKeyFromMultibase(keyPair.publicKeyMultibase) })
    const other = didKeyFromMemberId(RFC8032_TEST_1.publicKey)!
    expect(resolveVerificationMethod(`${did}#${other.slice(8)}`)).toBeUndefined()
    expect(resolveVerificationMethod(did)).toBeUndefined()
    expect(resolveVerificationMethod(`${did}#key-1`)).toBeUndefined()
  })
})
