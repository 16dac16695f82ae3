/**
 * HMAC-SHA-256 (RFC 2104) over lib0's synchronous SHA-256: the sync protocol's proof that a peer
 * holds the circle key must be computed and checked in the middle of a message exchange, where an
 * async WebCrypto round trip per message would only add latency.
 */
import { concat, sha256 } from './bytes'

const BLOCK = 64

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(BLOCK)
  block.set(key.length > BLOCK ? sha256(key) : key)
  const inner = block.map((byte) => byte ^ 0x36)
  const outer = block.map((byte) => byte ^ 0x5c)
  return sha256(concat(outer, sha256(concat(inner, message))))
}

/** Compares without an early exit, so timing does not tell how much of a MAC matched. */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}
