/**
 * `did:key` for Ed25519 identity keys: a member id (hex of the identity public key) ⇄
 * `did:key:z6Mk…` (multibase base58btc of the multicodec `ed25519-pub` prefix 0xed 0x01 and the 32-byte
 * key), and the verification method `did:key:z6Mk…#z6Mk…` a proof names. Resolving a did:key needs no
 * network: the key is the identifier, which is why attestations verify offline.
 */
import { decodeMultibase58, encodeMultibase58 } from './base58'
import { concat, fromHex, toHex } from './bytes'
import type { MemberId } from './model'

const ED25519_PUB_PREFIX = new Uint8Array([0xed, 0x01])
const DID_KEY = 'did:key:'
const MEMBER_ID = /^[0-9a-f]{64}$/

/** The multibase form of a public key, `z6Mk…`: the method-specific part of its did:key. */
export function publicKeyMultibase(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError('An Ed25519 public key has 32 bytes')
  return encodeMultibase58(concat(ED25519_PUB_PREFIX, publicKey))
}

// Decoding base58 is quadratic and a circle has few members, each named in many credentials.
const decoded = new Map<string, Uint8Array | null>()
const DECODED_LIMIT = 4096
/** `z` and 46 or 47 base58 digits; the prefix 0xed 0x01 makes every key's text 48 characters. */
const MULTIBASE_LENGTH = 48

/** Undefined unless the text is `z` + base58btc of 0xed 0x01 followed by exactly 32 bytes. */
export function publicKeyFromMultibase(text: string): Uint8Array | undefined {
  if (text.length !== MULTIBASE_LENGTH) return undefined
  let publicKey = decoded.get(text)
  if (publicKey === undefined) {
    publicKey = decodePublicKey(text) ?? null
    if (decoded.size >= DECODED_LIMIT) decoded.clear()
    decoded.set(text, publicKey)
  }
  return publicKey === null ? undefined : publicKey.slice()
}

function decodePublicKey(text: string): Uint8Array | undefined {
  const bytes = decodeMultibase58(text)
  if (bytes === undefined || bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) return undefined
  const publicKey = bytes.slice(2)
  // One spelling per key: base58 has none other, but reject anything that does not re-encode the same.
  return publicKeyMultibase(publicKey) === text ? publicKey : undefined
}

export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  return DID_KEY + publicKeyMultibase(publicKey)
}

/** Undefined for anything that is not a lowercase-hex member id. */
export function didKeyFromMemberId(member: MemberId): string | undefined {
  if (!MEMBER_ID.test(member)) return undefined
  return didKeyFromPublicKey(fromHex(member)!)
}

/** The Ed25519 public key a `did:key:z6Mk…` names; undefined for any other DID or a malformed one. */
export function publicKeyFromDidKey(did: string): Uint8Array | undefined {
  return did.startsWith(DID_KEY) ? publicKeyFromMultibase(did.slice(DID_KEY.length)) : undefined
}

export function memberIdFromDidKey(did: string): MemberId | undefined {
  const publicKey = publicKeyFromDidKey(did)
  return publicKey === undefined ? undefined : toHex(publicKey)
}

/** The verification method of a did:key: the DID, `#`, and its own multibase key again. */
export function verificationMethodOf(did: string): string {
  return `${did}#${did.slice(DID_KEY.length)}`
}

/**
 * The DID and public key a `did:key:X#X` verification method names; undefined when the fragment
 * differs from the key or either part is malformed.
 */
export function resolveVerificationMethod(method: string): { did: string; publicKey: Uint8Array } | undefined {
  const hash = method.indexOf('#')
  if (hash < 0) return undefined
  const did = method.slice(0, hash)
  const publicKey = publicKeyFromDidKey(did)
  if (publicKey === undefined || method !== verificationMethodOf(did)) return undefined
  return { did, publicKey }
}
