/**
 * Base58btc (the Bitcoin alphabet) and its multibase form (a leading `z`), the encodings W3C Data
 * Integrity uses for `did:key` identifiers and `proofValue`s. Our own, because src/core may not take
 * another package; small inputs only (keys and signatures), so the quadratic textbook method is fine.
 */

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const DIGIT_OF = new Map([...ALPHABET].map((char, index) => [char, index]))
/** Longer texts are refused before decoding: nothing we read is more than a few hundred bytes. */
const MAX_TEXT = 512

export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  // Little-endian base-58 digits of the big-endian number in `bytes`.
  const digits: number[] = []
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j]! * 256
      digits[j] = carry % 58
      carry = Math.floor(carry / 58)
    }
    while (carry > 0) {
      digits.push(carry % 58)
      carry = Math.floor(carry / 58)
    }
  }
  let out = '1'.repeat(zeros)
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i]!]
  return out
}

/** Undefined for any character outside the alphabet (including `0`, `O`, `I`, `l`) or an overlong text. */
export function decodeBase58(text: string): Uint8Array | undefined {
  if (text.length > MAX_TEXT) return undefined
  let zeros = 0
  while (zeros < text.length && text[zeros] === '1') zeros++
  // Little-endian bytes of the number.
  const bytes: number[] = []
  for (let i = zeros; i < text.length; i++) {
    const digit = DIGIT_OF.get(text[i]!)
    if (digit === undefined) return undefined
    let carry = digit
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j]! * 58
      bytes[j] = carry & 0xff
      carry >>= 8
    }
    while (carry > 0) {
      bytes.push(carry & 0xff)
      carry >>= 8
    }
  }
  const out = new Uint8Array(zeros + bytes.length)
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i]!
  return out
}

/** Multibase base58btc: `z` followed by base58btc. */
export function encodeMultibase58(bytes: Uint8Array): string {
  return `z${encodeBase58(bytes)}`
}

/** Undefined unless the text starts with `z` and the rest is base58btc. */
export function decodeMultibase58(text: string): Uint8Array | undefined {
  return text.startsWith('z') ? decodeBase58(text.slice(1)) : undefined
}
