import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex, utf8 } from '../../../src/core/bytes'
import { equalConstantTime, hmacSha256 } from '../../../src/core/hmac'
import { seededRandom } from '../../../src/core/random'

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(toHex(hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
  })

  it('matches RFC 4231 test case 6 (a key longer than the block)', () => {
    const key = new Uint8Array(131).fill(0xaa)
    const message = utf8('Test Using Larger Than Block-Size Key - Hash Key First')
    expect(toHex(hmacSha256(key, message))).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54')
  })

  it('agrees with Node’s HMAC on random keys and messages', () => {
    const random = seededRandom(3)
    for (let i = 0; i < 200; i++) {
      const key = random(Math.floor(random.next() * 150))
      const message = random(Math.floor(random.next() * 300))
      expect(toHex(hmacSha256(key, message))).toBe(createHmac('sha256', key).update(message).digest('hex'))
    }
  })

  it('compares MACs by content and length', () => {
    const a = fromHex('00ff00ff')!
    expect(equalConstantTime(a, fromHex('00ff00ff')!)).toBe(true)
    expect(equalConstantTime(a, fromHex('00ff00fe')!)).toBe(false)
    expect(equalConstantTime(a, fromHex('00ff00')!)).toBe(false)
  })
})
