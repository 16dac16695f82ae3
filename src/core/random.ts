/**
 * Randomness is passed into core, never reached for, so tests can be seeded and deterministic.
 */
import nacl from 'tweetnacl'

/** Returns n random bytes. */
export type RandomBytes = (n: number) => Uint8Array

export const secureRandom: RandomBytes = (n) => nacl.randomBytes(n)

/** A small seeded generator (mulberry32) for tests and benchmarks; never for keys in the app. */
export function seededRandom(seed: number): RandomBytes & { next(): number } {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256)
    return out
  }
  return Object.assign(bytes, { next })
}

/** A url-safe id of 22 characters (132 random bits), for offers, wants and other records. */
export function newId(random: RandomBytes): string {
  let out = ''
  for (const byte of random(22)) out += ID_ALPHABET[byte & 63]
  return out
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
