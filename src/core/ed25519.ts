/**
 * Ed25519 signing and verifying behind one small interface. tweetnacl is the reference and works
 * everywhere; WebCrypto's Ed25519 is ~90× faster where the platform has it (DESIGN, "Signature
 * speed"), so hot paths use whichever `detectEd25519` finds. Both take tweetnacl's key layout:
 * a 64-byte secret key (seed ‖ public key) and a 32-byte public key.
 */
import nacl from 'tweetnacl'
import { bufferSource, concat, fromHex, toHex } from './bytes'

export interface Ed25519 {
  readonly name: 'webcrypto' | 'tweetnacl'
  sign(secretKey: Uint8Array, message: Uint8Array): Promise<Uint8Array>
  /** Never throws: a malformed key or signature is simply not valid. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

export const tweetnaclEd25519: Ed25519 = {
  name: 'tweetnacl',
  async sign(secretKey, message) {
    return nacl.sign.detached(message, secretKey)
  },
  async verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false
    return nacl.sign.detached.verify(message, signature, publicKey)
  },
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): the only private-key form WebCrypto imports.
const PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
])
const KEY_CACHE_LIMIT = 4096

export function webCryptoEd25519(subtle: SubtleCrypto): Ed25519 {
  // Importing a key costs about as much as a verify; members sign and verify with the same few keys.
  const publicKeys = new Map<string, Promise<CryptoKey>>()
  const secretKeys = new Map<string, Promise<CryptoKey>>()
  const cached = (cache: Map<string, Promise<CryptoKey>>, id: string, load: () => Promise<CryptoKey>) => {
    let key = cache.get(id)
    if (!key) {
      if (cache.size >= KEY_CACHE_LIMIT) cache.clear()
      key = load()
      cache.set(id, key)
      key.catch(() => cache.delete(id))
    }
    return key
  }
  return {
    name: 'webcrypto',
    async sign(secretKey, message) {
      const key = await cached(secretKeys, toHex(secretKey.subarray(32)), () =>
        subtle.importKey('pkcs8', bufferSource(concat(PKCS8_PREFIX, secretKey.subarray(0, 32))), { name: 'Ed25519' }, false, [
          'sign',
        ]),
      )
      return new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, bufferSource(message)))
    },
    async verify(publicKey, message, signature) {
      if (publicKey.length !== 32 || signature.length !== 64) return false
      try {
        const key = await cached(publicKeys, toHex(publicKey), () =>
          subtle.importKey('raw', bufferSource(publicKey), { name: 'Ed25519' }, false, ['verify']),
        )
        return await subtle.verify({ name: 'Ed25519' }, key, bufferSource(signature), bufferSource(message))
      } catch {
        return false
      }
    },
  }
}

/** RFC 8032, section 7.1, test 1: a secret seed, its public key, and its signature of the empty message. */
export const RFC8032_TEST_1 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
} as const

/**
 * WebCrypto Ed25519 when the platform has it and it passes a known-answer test (RFC 8032: the same
 * signature, and it verifies); tweetnacl otherwise. The test runs on WebCrypto alone, so choosing
 * costs about a millisecond at start-up rather than a tweetnacl signature and verification.
 */
export async function detectEd25519(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<Ed25519> {
  if (!subtle) return tweetnaclEd25519
  try {
    const fast = webCryptoEd25519(subtle)
    const seed = fromHex(RFC8032_TEST_1.seed)!
    const publicKey = fromHex(RFC8032_TEST_1.publicKey)!
    const empty = new Uint8Array(0)
    const signature = await fast.sign(concat(seed, publicKey), empty)
    const agrees = toHex(signature) === RFC8032_TEST_1.signature && (await fast.verify(publicKey, empty, signature))
    return agrees ? fast : tweetnaclEd25519
  } catch {
    return tweetnaclEd25519
  }
}
