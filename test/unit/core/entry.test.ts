import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../src/core/bytes'
import { circleTopic, newCircleSecrets } from '../../../src/core/circle-secrets'
import { RFC8032_TEST_1, detectEd25519, tweetnaclEd25519, webCryptoEd25519 } from '../../../src/core/ed25519'
import { MAX_ENTRY_BYTES, ZERO_HASH, checkEntry, decodeEntry, signEntry } from '../../../src/core/entry'
import { newSigningKeyPair } from '../../../src/core/keys'
import { openPayload, sealPayload } from '../../../src/core/payload'
import { seededRandom } from '../../../src/core/random'

const random = seededRandom(1)
const ed = webCryptoEd25519(globalThis.crypto.subtle)
const reference = tweetnaclEd25519
const device = newSigningKeyPair(random)
const secrets = newCircleSecrets(random)
const topic = circleTopic(secrets)

async function makeEntry(seq = 0, update = new Uint8Array([1, 2, 3])) {
  const nonce = random(24)
  return signEntry(ed, device.secretKey, {
    topic,
    feed: device.publicKey,
    seq,
    prev: ZERO_HASH,
    timestamp: 1_700_000_000_000,
    nonce,
    ciphertext: sealPayload(secrets.key, nonce, { type: 'update', update }),
  })
}

// Byte ranges of each field in an entry whose seq and timestamp encode as 1 and 6 bytes.
function fieldRanges(ciphertextLength: number, lengthPrefix: number) {
  const ranges: Record<string, [number, number]> = {}
  let at = 0
  const field = (name: string, length: number) => {
    ranges[name] = [at, at + length]
    at += length
  }
  field('version', 1)
  field('topic', 32)
  field('feed', 32)
  field('seq', 1)
  field('prev', 32)
  field('timestamp', 6)
  field('nonce', 24)
  field('ciphertext-length', lengthPrefix)
  field('ciphertext', ciphertextLength)
  field('signature', 64)
  return ranges
}

describe('entry codec', () => {
  it('round-trips: decode(sign(x)) gives back every field, and the payload opens', async () => {
    const entry = await makeEntry()
    const decoded = decodeEntry(entry.bytes)
    expect(decoded.ok).toBe(true)
    if (!decoded.ok) return
    expect(toHex(decoded.value.bytes)).toBe(toHex(entry.bytes))
    expect(toHex(decoded.value.hash)).toBe(toHex(entry.hash))
    expect(decoded.value.seq).toBe(0)
    expect(decoded.value.timestamp).toBe(1_700_000_000_000)
    expect(toHex(decoded.value.feed)).toBe(toHex(device.publicKey))
    const checked = await checkEntry(ed, entry.bytes, topic)
    expect(checked.ok).toBe(true)
    const payload = openPayload(secrets.key, decoded.value)
    expect(payload).toEqual({ ok: true, value: { type: 'update', update: new Uint8Array([1, 2, 3]) } })
  })

  it('signs the same way with WebCrypto and tweetnacl, and each verifies the other', async () => {
    const fast = ed
    const message = new Uint8Array([9, 9, 9])
    const a = await fast.sign(device.secretKey, message)
    const b = await reference.sign(device.secretKey, message)
    expect(toHex(a)).toBe(toHex(b))
    expect(await reference.verify(device.publicKey, message, a)).toBe(true)
    expect(await fast.verify(device.publicKey, message, b)).toBe(true)
    expect(await fast.verify(device.publicKey, new Uint8Array([9, 9, 8]), b)).toBe(false)
    expect(await fast.verify(new Uint8Array(31), message, b)).toBe(false)
  })

  it('the known answer the platform check uses is RFC 8032’s, as tweetnacl computes it', async () => {
    const pair = (await import('tweetnacl')).default.sign.keyPair.fromSeed(fromHex(RFC8032_TEST_1.seed)!)
    expect(toHex(pair.publicKey)).toBe(RFC8032_TEST_1.publicKey)
    expect(toHex(await reference.sign(pair.secretKey, new Uint8Array(0)))).toBe(RFC8032_TEST_1.signature)
    expect((await detectEd25519()).name).toBe('webcrypto')
    expect((await detectEd25519({} as SubtleCrypto)).name).toBe('tweetnacl')
  })

  it('a flipped byte in any field is rejected with that field’s reason', async () => {
    const entry = await makeEntry()
    const ranges = fieldRanges(entry.ciphertext.length, 1)
    expect(Object.values(ranges).at(-1)![1]).toBe(entry.bytes.length)
    const expected: Record<string, string[]> = {
      version: ['malformed'],
      topic: ['unknown-topic'],
      feed: ['bad-signature'],
      seq: ['bad-signature', 'malformed'],
      prev: ['bad-signature'],
      timestamp: ['bad-signature', 'malformed'],
      nonce: ['bad-signature'],
      'ciphertext-length': ['malformed'],
      ciphertext: ['bad-signature'],
      signature: ['bad-signature'],
    }
    for (const [name, [start, end]] of Object.entries(ranges)) {
      for (let at = start; at < end; at++) {
        for (const mask of [0x01, 0x80]) {
          const bytes = entry.bytes.slice()
          bytes[at]! ^= mask
          const result = await checkEntry(ed, bytes, topic)
          expect(result.ok, `${name} byte ${at}`).toBe(false)
          if (!result.ok) expect(expected[name], `${name} byte ${at} mask ${mask}: ${result.reason}`).toContain(result.reason)
        }
      }
    }
  })

  it('a validly signed entry whose ciphertext was sealed with another key is undecryptable', async () => {
    const other = newCircleSecrets(random)
    const nonce = random(24)
    const entry = await signEntry(ed, device.secretKey, {
      topic,
      feed: device.publicKey,
      seq: 0,
      prev: ZERO_HASH,
      timestamp: 1,
      nonce,
      ciphertext: sealPayload(other.key, nonce, { type: 'update', update: new Uint8Array([1]) }),
    })
    expect(openPayload(secrets.key, entry)).toMatchObject({ ok: false, reason: 'undecryptable' })
  })

  it('rejects entries over 256 KiB before decoding them', async () => {
    const bytes = new Uint8Array(MAX_ENTRY_BYTES + 1)
    expect(decodeEntry(bytes)).toMatchObject({ ok: false, reason: 'too-large' })
    await expect(makeEntry(0, new Uint8Array(MAX_ENTRY_BYTES))).rejects.toThrow(RangeError)
  })

  it('rejects truncated, extended, empty and non-canonical bytes as malformed', async () => {
    const entry = await makeEntry(5)
    for (const bytes of [entry.bytes.slice(0, -1), new Uint8Array([...entry.bytes, 0]), new Uint8Array(), new Uint8Array([1])]) {
      expect(decodeEntry(bytes)).toMatchObject({ ok: false, reason: 'malformed' })
    }
    // seq 5 written as a two-byte varint (0x85 0x00) is the same number in a non-canonical form.
    const seqAt = 1 + 32 + 32
    const padded = new Uint8Array([...entry.bytes.slice(0, seqAt), 0x85, 0x00, ...entry.bytes.slice(seqAt + 1)])
    expect(decodeEntry(padded)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('reads seq, timestamp and ciphertext length only in their shortest form', async () => {
    const entry = await makeEntry(5)
    const varintEnd = (at: number) => {
      const decoder = decoding.createDecoder(entry.bytes)
      decoder.pos = at
      decoding.readVarUint(decoder)
      return decoder.pos
    }
    const seqAt = 1 + 32 + 32
    const timestampAt = varintEnd(seqAt) + 32
    const lengthAt = varintEnd(timestampAt) + 24
    for (const at of [seqAt, timestampAt, lengthAt]) {
      // The same number one byte longer: a continuation bit on its last byte, then 0x00.
      const last = varintEnd(at) - 1
      const padded = new Uint8Array([...entry.bytes.slice(0, last), entry.bytes[last]! | 0x80, 0x00, ...entry.bytes.slice(last + 1)])
      expect(decodeEntry(padded)).toMatchObject({ ok: false, reason: 'malformed' })
    }
    expect(decodeEntry(entry.bytes)).toMatchObject({ ok: true })
  })

  it('rejects an entry for another circle as unknown-topic', async () => {
    const entry = await makeEntry()
    const otherTopic = circleTopic(newCircleSecrets(random))
    expect(await checkEntry(ed, entry.bytes, otherTopic)).toMatchObject({ ok: false, reason: 'unknown-topic' })
  })
})
