import { describe, expect, it } from 'vitest'
import { decodeBase58, decodeMultibase58, encodeBase58, encodeMultibase58 } from '../../../src/core/base58'
import { fromHex, toHex, utf8 } from '../../../src/core/bytes'
import { seededRandom } from '../../../src/core/random'

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** An independent reference: the number in BigInt, leading zero bytes as '1's. */
function referenceEncode(bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  let n = BigInt(`0x0${toHex(bytes)}`)
  let out = ''
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out
    n /= 58n
  }
  return '1'.repeat(zeros) + out
}

describe('base58btc', () => {
  it('matches the examples of the base58 Internet-Draft', () => {
    expect(encodeBase58(utf8('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U')
    expect(encodeBase58(utf8('The quick brown fox jumps over the lazy dog.'))).toBe('USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z')
    expect(encodeBase58(fromHex('0000287fb4cd')!)).toBe('11233QC4')
    expect(toHex(decodeBase58('11233QC4')!)).toBe('0000287fb4cd')
  })

  it('keeps leading zero bytes and the empty input', () => {
    expect(encodeBase58(new Uint8Array(0))).toBe('')
    expect(decodeBase58('')).toEqual(new Uint8Array(0))
    expect(encodeBase58(new Uint8Array(3))).toBe('111')
    expect(decodeBase58('111')).toEqual(new Uint8Array(3))
  })

  it('agrees with a BigInt reference and round-trips random bytes', () => {
    const random = seededRandom(58)
    for (let i = 0; i < 300; i++) {
      const bytes = random(Math.floor(random.next() * 70))
      if (i % 5 === 0 && bytes.length > 2) bytes.fill(0, 0, 2)
      const text = encodeBase58(bytes)
      expect(text).toBe(referenceEncode(bytes))
      expect(decodeBase58(text)).toEqual(bytes)
    }
  })

  it('refuses characters outside the alphabet and overlong texts', () => {
    for (const text of ['0', 'O', 'I', 'l', 'abc+', ' 2NEp', '2NEp\n']) expect(decodeBase58(text)).toBeUndefined()
    expect(decodeBase58('2'.repeat(513))).toBeUndefined()
  })

  it('adds and requires the multibase z prefix', () => {
    expect(encodeMultibase58(utf8('Hello World!'))).toBe('z2NEpo7TZRRrLZSi2U')
    expect(decodeMultibase58('z2NEpo7TZRRrLZSi2U')).toEqual(utf8('Hello World!'))
    expect(decodeMultibase58('2NEpo7TZRRrLZSi2U')).toBeUndefined()
    expect(decodeMultibase58('m2NEpo7TZRRrLZSi2U')).toBeUndefined()
  })
})
