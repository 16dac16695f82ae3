import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import { equalBytes } from '../../../src/core/bytes'
import { seededRandom } from '../../../src/core/random'
import {
  BLOB_LIMITS,
  BLOB_STATUS,
  MAX_LENGTH_BYTES,
  REQUEST_BYTES,
  RESPONSE_HEAD_BYTES,
  encodeBlobRequest,
  encodeBlobResponse,
  readBlobRequest,
  readBlobResponse,
  readBlobResponseHead,
  type BlobResponse,
} from '../../../src/net/blob-messages'

const rng = seededRandom(77)

/** An `ok` answer as a peer could send it: any declared length, any blob bytes. */
function okAnswer(declared: number, blob: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, BLOB_STATUS.ok)
  encoding.writeVarUint(encoder, declared)
  encoding.writeUint8Array(encoder, blob)
  return encoding.toUint8Array(encoder)
}

describe('blob messages', () => {
  it('a request round-trips and is exactly 64 bytes', () => {
    const request = { topic: rng(32), hash: rng(32) }
    const bytes = encodeBlobRequest(request)
    expect(bytes.length).toBe(REQUEST_BYTES)
    expect(readBlobRequest(bytes)).toEqual({ ok: true, value: request })
  })

  it('a short request is truncated, a long one has trailing bytes', () => {
    const bytes = encodeBlobRequest({ topic: rng(32), hash: rng(32) })
    expect(readBlobRequest(new Uint8Array())).toEqual({ ok: false, reason: 'truncated' })
    expect(readBlobRequest(bytes.subarray(0, 63))).toEqual({ ok: false, reason: 'truncated' })
    expect(readBlobRequest(new Uint8Array([...bytes, 0]))).toEqual({ ok: false, reason: 'trailing-bytes' })
  })

  it('refuses to write a request with a topic or hash of the wrong width', () => {
    expect(() => encodeBlobRequest({ topic: rng(31), hash: rng(32) })).toThrow(RangeError)
    expect(() => encodeBlobRequest({ topic: rng(32), hash: rng(33) })).toThrow(RangeError)
  })

  it('every answer round-trips', () => {
    const answers: BlobResponse[] = [
      { status: 'ok', sealed: rng(1) },
      { status: 'ok', sealed: rng(70_000) },
      { status: 'not-found' },
      { status: 'forbidden' },
      { status: 'bad-request' },
    ]
    for (const answer of answers) expect(readBlobResponse(encodeBlobResponse(answer))).toEqual({ ok: true, value: answer })
    const largest = rng(BLOB_LIMITS.bytes)
    const read = readBlobResponse(encodeBlobResponse({ status: 'ok', sealed: largest }))
    expect(read.ok && read.value.status === 'ok' && equalBytes(read.value.sealed, largest)).toBe(true)
  })

  it('the status bytes are as PROTOCOL.md says', () => {
    expect([...encodeBlobResponse({ status: 'not-found' })]).toEqual([1])
    expect([...encodeBlobResponse({ status: 'forbidden' })]).toEqual([2])
    expect([...encodeBlobResponse({ status: 'bad-request' })]).toEqual([3])
    expect([...encodeBlobResponse({ status: 'ok', sealed: new Uint8Array([9, 8]) })]).toEqual([0, 2, 9, 8])
  })

  it('refuses to write an empty or oversized blob', () => {
    expect(() => encodeBlobResponse({ status: 'ok', sealed: new Uint8Array() })).toThrow(RangeError)
    expect(() => encodeBlobResponse({ status: 'ok', sealed: new Uint8Array(BLOB_LIMITS.bytes + 1) })).toThrow(RangeError)
  })

  it('names what is wrong with every malformed answer', () => {
    const blob = rng(100)
    const good = okAnswer(100, blob)
    const cases: Array<[string, Uint8Array, string]> = [
      ['nothing at all', new Uint8Array(), 'truncated'],
      ['a status and no length', new Uint8Array([0]), 'truncated'],
      ['a length cut in the middle', new Uint8Array([0, 0x80]), 'truncated'],
      ['a blob cut short', good.subarray(0, good.length - 1), 'truncated'],
      ['a byte after the blob', new Uint8Array([...good, 1]), 'trailing-bytes'],
      ['a byte after not-found', new Uint8Array([1, 0]), 'trailing-bytes'],
      ['a byte after forbidden', new Uint8Array([2, 7]), 'trailing-bytes'],
      ['an unknown status', new Uint8Array([4]), 'unknown-status'],
      ['another unknown status', new Uint8Array([255, 1, 2]), 'unknown-status'],
      ['an empty blob', okAnswer(0, new Uint8Array()), 'empty'],
      ['a declared length over the limit', okAnswer(BLOB_LIMITS.bytes + 1, new Uint8Array(10)), 'too-large'],
      ['a huge declared length', okAnswer(2 ** 40, new Uint8Array(10)), 'too-large'],
      ['an answer over the limit', new Uint8Array(BLOB_LIMITS.responseBytes + 1), 'too-large'],
      ['a length of continuation bytes only', new Uint8Array([0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1]), 'too-large'],
    ]
    for (const [what, bytes, reason] of cases) expect(readBlobResponse(bytes), what).toEqual({ ok: false, reason })
  })

  it('the head of an answer refuses an oversized blob before the blob arrives', () => {
    const oversized = okAnswer(BLOB_LIMITS.bytes + 1, new Uint8Array())
    expect(readBlobResponseHead(oversized)).toEqual({ ok: false, reason: 'too-large' })
    // A varuint with its continuation bit set forever is refused once it passes the limit.
    expect(readBlobResponseHead(new Uint8Array([0, 0xff, 0xff, 0xff, 0xff]))).toEqual({ ok: false, reason: 'too-large' })
    expect(readBlobResponseHead(new Uint8Array())).toBeUndefined()
    expect(readBlobResponseHead(new Uint8Array([0, 0x80]))).toBeUndefined()
    expect(readBlobResponseHead(okAnswer(300, new Uint8Array()))).toEqual({ ok: true, value: { status: 'ok', length: 300, offset: 3 } })
    expect(readBlobResponseHead(new Uint8Array([2]))).toEqual({ ok: true, value: { status: 'forbidden', length: undefined, offset: 1 } })
    expect(readBlobResponseHead(new Uint8Array([9]))).toEqual({ ok: false, reason: 'unknown-status' })
  })

  it('the head of an answer is decided once RESPONSE_HEAD_BYTES have come, whatever they are', () => {
    // Every length up to the limit fits: lib0 writes it in at most MAX_LENGTH_BYTES.
    expect(okAnswer(BLOB_LIMITS.bytes, new Uint8Array()).length).toBe(RESPONSE_HEAD_BYTES)
    expect(readBlobResponseHead(okAnswer(BLOB_LIMITS.bytes, new Uint8Array()))).toEqual({
      ok: true,
      value: { status: 'ok', length: BLOB_LIMITS.bytes, offset: RESPONSE_HEAD_BYTES },
    })
    // Continuation bytes that add nothing: undecided while a valid length could still end, then too large.
    const padded = new Uint8Array([0, ...new Array<number>(64).fill(0x80)])
    for (let size = 1; size < RESPONSE_HEAD_BYTES; size++) expect(readBlobResponseHead(padded.subarray(0, size))).toBeUndefined()
    for (let size = RESPONSE_HEAD_BYTES; size <= padded.length; size++) {
      expect(readBlobResponseHead(padded.subarray(0, size))).toEqual({ ok: false, reason: 'too-large' })
    }
    // A small length spelled in MAX_LENGTH_BYTES bytes is still a length.
    const spelled = new Uint8Array([0, ...new Array<number>(MAX_LENGTH_BYTES - 1).fill(0x81), 0x00])
    expect(readBlobResponseHead(spelled)?.ok).toBe(true)
    const random = seededRandom(9)
    for (let i = 0; i < 2_000; i++) expect(readBlobResponseHead(new Uint8Array([0, ...random(RESPONSE_HEAD_BYTES - 1)]))).toBeDefined()
  })

  it('random bytes never throw, and are never read as more than they are', () => {
    const random = seededRandom(5)
    for (let i = 0; i < 2_000; i++) {
      const bytes = random(Math.floor(random(1)[0]! / 8))
      const request = readBlobRequest(bytes)
      expect(request.ok).toBe(bytes.length === REQUEST_BYTES)
      const answer = readBlobResponse(bytes)
      if (answer.ok && answer.value.status === 'ok') expect(answer.value.sealed.length).toBeLessThan(bytes.length)
    }
  })
})
