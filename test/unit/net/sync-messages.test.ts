import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src/core/random'
import { MESSAGE_LIMITS, SYNC_VERSION, encodeMessage, readMessage, type SyncMessage } from '../../../src/net/sync-messages'

const rng = seededRandom(21)
const EXAMPLES: SyncMessage[] = [
  { type: 'hello', version: SYNC_VERSION, topic: rng(32), nonce: rng(32) },
  { type: 'proof', mac: rng(32) },
  { type: 'heads', heads: [{ feed: rng(32), length: 1 }, { feed: rng(32), length: 300_000 }] },
  { type: 'heads', heads: [] },
  { type: 'have', heads: [{ feed: rng(32), length: 12 }] },
  { type: 'device', feed: rng(32), signature: rng(64) },
  { type: 'entries', entries: [rng(10), rng(0), rng(5000)] },
  { type: 'want', feed: rng(32), from: 3, to: 9 },
  { type: 'done' },
  { type: 'ack' },
  { type: 'error', code: 2, text: 'bad-proof' },
  {
    type: 'runs',
    runs: [
      {
        topic: rng(32),
        feed: rng(32),
        seq: 7,
        prev: rng(32),
        items: [
          { timestamp: 1_760_000_000_000, nonce: rng(24), ciphertext: rng(300), signature: rng(64) },
          { timestamp: 1_760_000_001_000, nonce: rng(24), ciphertext: rng(0), signature: rng(64) },
        ],
      },
      { topic: rng(32), feed: rng(32), seq: 0, prev: rng(32), items: [{ timestamp: 5, nonce: rng(24), ciphertext: rng(20), signature: rng(64) }] },
    ],
  },
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
    // A run's faults are named in the detail.
    const header = [7, 1, 1, ...new Uint8Array(32), ...new Uint8Array(32), 0, ...new Uint8Array(32)]
    expect(readMessage(new Uint8Array([...header, 0]))).toEqual({ ok: false, reason: 'malformed', detail: 'run: empty' })
    expect(readMessage(new Uint8Array([...header, 0xff, 0x0f]))).toEqual({ ok: false, reason: 'malformed', detail: 'run: too-many' })
    expect(readMessage(new Uint8Array([7, 0]))).toMatchObject({ ok: false, reason: 'malformed' })
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
