import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src/core/random'
import { MESSAGE_LIMITS, encodeMessage, readMessage, type SyncMessage } from '../../../src/net/sync-messages'

const rng = seededRandom(21)
const EXAMPLES: SyncMessage[] = [
  { type: 'hello', version: 1, topic: rng(32), nonce: rng(32) },
  { type: 'proof', mac: rng(32) },
  { type: 'heads', heads: [{ feed: rng(32), length: 1 }, { feed: rng(32), length: 300_000 }] },
  { type: 'heads', heads: [] },
  { type: 'entries', entries: [rng(10), rng(0), rng(5000)] },
  { type: 'want', feed: rng(32), from: 3, to: 9 },
  { type: 'done' },
  { type: 'error', code: 2, text: 'bad-proof' },
]

describe('sync messages', () => {
  it('every message round-trips', () => {
    for (const message of EXAMPLES) expect(readMessage(encodeMessage(message))).toEqual({ ok: true, value: message })
  })

  it('truncated, extended and unknown messages are malformed, oversized ones too-large', () => {
    for (const message of EXAMPLES) {
      const bytes = encodeMessage(message)
      if (bytes.length > 1) expect(readMessage(bytes.slice(0, -1))).toMatchObject({ ok: false, reason: 'malformed' })
      expect(readMessage(new Uint8Array([...bytes, 0]))).toMatchObject({ ok: false, reason: 'malformed' })
    }
    expect(readMessage(new Uint8Array([99]))).toMatchObject({ ok: false, reason: 'malformed' })
    expect(readMessage(new Uint8Array())).toMatchObject({ ok: false, reason: 'malformed' })
    expect(readMessage(new Uint8Array(MESSAGE_LIMITS.bytes + 1))).toMatchObject({ ok: false, reason: 'too-large' })
    // A count over the limit is refused before anything is allocated for it.
    expect(readMessage(new Uint8Array([3, 0xff, 0xff, 0x03]))).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('never throws on random or mutated bytes', () => {
    const random = seededRandom(22)
    for (let i = 0; i < 5000; i++) {
      const base = encodeMessage(EXAMPLES[i % EXAMPLES.length]!)
      const bytes = random.next() < 0.5 ? random(Math.floor(random.next() * 80)) : base.map((byte) => (random.next() < 0.05 ? byte ^ 0xff : byte))
      expect(() => readMessage(bytes)).not.toThrow()
    }
  })
})
