/**
 * The fetcher's rules with peers played by functions: who is asked in what order, what an answer
 * must pass before it is stored, and how it keeps from asking too much (one run per blob, few at
 * once, misses remembered for a while). Sealing here is a stand-in (a marker byte before the plain
 * bytes); the real seal is checked in the integration test.
 */
import { describe, expect, it } from 'vitest'
import { sha256, toHex, utf8 } from '../../../src/core/bytes'
import { BlobFetcher, type BlobSource } from '../../../src/net/blob-fetcher'
import type { BlobAnswer } from '../../../src/net/blob-protocol'

const PHOTO = utf8('a photo of a drill')
const HASH = toHex(sha256(PHOTO))
const seal = (plain: Uint8Array) => new Uint8Array([7, ...plain])

interface FakeCircle extends BlobSource {
  asked: string[]
  stored: Map<string, Uint8Array>
  connected: string[]
}

function circle(answers: Record<string, BlobAnswer | (() => Promise<BlobAnswer>)>): FakeCircle {
  const fake: FakeCircle = {
    asked: [],
    stored: new Map(),
    connected: Object.keys(answers),
    peers: () => fake.connected,
    ask: async (peer) => {
      fake.asked.push(peer)
      const answer = answers[peer]!
      return typeof answer === 'function' ? answer() : answer
    },
    open: (sealed) => (sealed[0] === 7 ? sealed.subarray(1) : undefined),
    store: async (hash, sealed) => {
      fake.stored.set(hash, sealed)
    },
  }
  return fake
}

function fetcher(options: { now?: () => number; concurrency?: number } = {}) {
  return new BlobFetcher({ signal: new AbortController().signal, missMs: 1_000, ...options })
}

describe('blob fetcher', () => {
  it('asks peers one after another until one gives the blob, and stores it', async () => {
    const source = circle({ p1: { ok: false, reason: 'not-found' }, p2: { ok: false, reason: 'timeout' }, p3: { ok: true, sealed: seal(PHOTO) } })
    const result = await fetcher().fetch('c:h', HASH, source)
    expect(result).toEqual({ ok: true, peer: 'p3', tried: [{ peer: 'p1', reason: 'not-found' }, { peer: 'p2', reason: 'timeout' }] })
    expect(source.asked).toEqual(['p1', 'p2', 'p3'])
    expect(source.stored.get(HASH)).toEqual(seal(PHOTO))
  })

  it('asks at most three peers', async () => {
    const source = circle(Object.fromEntries(['p1', 'p2', 'p3', 'p4'].map((peer) => [peer, { ok: false, reason: 'not-found' } as BlobAnswer])))
    const result = await fetcher().fetch('c:h', HASH, source)
    expect(result.ok).toBe(false)
    expect(source.asked).toEqual(['p1', 'p2', 'p3'])
  })

  it('rejects bytes that do not open, or open to other bytes, as a mismatch and stores nothing', async () => {
    const source = circle({ liar: { ok: true, sealed: seal(utf8('another photo')) }, garbler: { ok: true, sealed: new Uint8Array([1, 2, 3]) } })
    const result = await fetcher().fetch('c:h', HASH, source)
    expect(result).toEqual({ ok: false, reason: 'mismatch', tried: [{ peer: 'liar', reason: 'mismatch' }, { peer: 'garbler', reason: 'mismatch' }] })
    expect(source.stored.size).toBe(0)
  })

  it('says no-peers when nobody is connected', async () => {
    expect(await fetcher().fetch('c:h', HASH, circle({}))).toEqual({ ok: false, reason: 'no-peers', tried: [] })
  })

  it('shares one run between concurrent fetches of the same blob', async () => {
    let release: (answer: BlobAnswer) => void = () => undefined
    const source = circle({ p1: () => new Promise<BlobAnswer>((resolve) => (release = resolve)) })
    const blobs = fetcher()
    const first = blobs.fetch('c:h', HASH, source)
    const second = blobs.fetch('c:h', HASH, source)
    expect(blobs.running('c:h')).toBe(true)
    await Promise.resolve()
    release({ ok: true, sealed: seal(PHOTO) })
    expect(await first).toEqual(await second)
    expect(source.asked).toEqual(['p1'])
    expect(blobs.running('c:h')).toBe(false)
  })

  it('does not ask a peer again for a blob it just failed to give, until the while is over', async () => {
    let now = 0
    const answers: Record<string, BlobAnswer> = { p1: { ok: false, reason: 'not-found' } }
    const source = circle(answers)
    const blobs = fetcher({ now: () => now })
    await blobs.fetch('c:h', HASH, source)
    for (let i = 0; i < 20; i++) expect(await blobs.fetch('c:h', HASH, source)).toEqual({ ok: false, reason: 'no-peers', tried: [] })
    expect(source.asked).toEqual(['p1'])
    // A peer that connects meanwhile is asked at once; the one that missed only after the while.
    answers.p2 = { ok: true, sealed: seal(PHOTO) }
    source.connected.push('p2')
    expect((await blobs.fetch('c:h', HASH, source)).ok).toBe(true)
    expect(source.asked).toEqual(['p1', 'p2'])
    now = 1_001
    await blobs.fetch('other', HASH, source)
    expect(source.asked).toEqual(['p1', 'p2', 'p1', 'p2'])
  })

  it('runs at most `concurrency` requests at once across blobs', async () => {
    let inFlight = 0
    let most = 0
    const source = circle({
      p1: async () => {
        inFlight++
        most = Math.max(most, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inFlight--
        return { ok: false, reason: 'not-found' }
      },
    })
    const blobs = fetcher({ concurrency: 2 })
    await Promise.all(Array.from({ length: 10 }, (_, i) => blobs.fetch(`c:${i}`, HASH, source)))
    expect(source.asked).toHaveLength(10)
    expect(most).toBe(2)
  })

  it('a caller that stops waiting does not stop the run for the others', async () => {
    let release: (answer: BlobAnswer) => void = () => undefined
    const source = circle({ p1: () => new Promise<BlobAnswer>((resolve) => (release = resolve)) })
    const blobs = fetcher()
    const controller = new AbortController()
    const impatient = blobs.fetch('c:h', HASH, source, { signal: controller.signal })
    const patient = blobs.fetch('c:h', HASH, source)
    controller.abort(new Error('scrolled away'))
    await expect(impatient).rejects.toThrow('scrolled away')
    await Promise.resolve()
    release({ ok: true, sealed: seal(PHOTO) })
    expect((await patient).ok).toBe(true)
    expect(source.stored.has(HASH)).toBe(true)
  })
})
