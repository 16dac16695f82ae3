/**
 * The storage acceptance suite: what any `Storage` (src/circle/types.ts) must do, run by every
 * adapter against its own backend (fake-indexeddb in Node, Chromium's IndexedDB in the browser).
 * Modelled on automerge-repo's `runStorageAdapterTests(setup)`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { CircleRecord, DeviceRecord, EntryRecord, Storage } from '../../src/circle/types'

/** What the suite drives: exactly the circle layer's Storage. */
export type AcceptanceStorage = Storage

export interface AcceptanceSubject {
  storage: AcceptanceStorage
  /** Removes everything the test stored, including what a reopened storage holds. */
  teardown(): Promise<void>
  /** Closes the storage and opens a new one over the same data; the survival test needs it. */
  reopen?(): Promise<AcceptanceStorage>
}

export interface AcceptanceOptions {
  /**
   * Makes every following object store write fail as a full disk does; returns the undo. Real quotas
   * are impractical to reach in a test browser, so only backends that can inject the fault run it.
   */
  injectQuotaFailure?: () => () => void
}

const TOPIC = 'a0'.repeat(32)
const OTHER_TOPIC = 'b0'.repeat(32)
const FEED_A = '01'.repeat(32)
const FEED_B = '7f'.repeat(32)
const FEED_C = 'fe'.repeat(32)

/** Deterministic bytes, distinct per (seed, length). */
function pattern(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 17 + 7) & 0xff
  return bytes
}

/** An entry whose bytes say where it belongs; `variant` makes a different entry at the same place. The store does not check hashes, so a stand-in will do. */
function entry(topic: string, feed: string, seq: number, variant = 0, bytes?: Uint8Array): EntryRecord {
  const seed = seq * 5 + variant + feed.charCodeAt(1) + topic.charCodeAt(0)
  return { topic, feed, seq, hash: pattern(32, seed), bytes: bytes ?? pattern(8 + seq, seed) }
}

function coordinates(records: readonly EntryRecord[]): Array<[string, string, number]> {
  return records.map((record) => [record.topic, record.feed, record.seq])
}

function expectPlainBytes(value: unknown): void {
  expect(value).toBeInstanceOf(Uint8Array)
  expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype)
}

function device(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    identitySecret: pattern(64, 1),
    deviceSecret: pattern(64, 2),
    boxSecret: pattern(32, 3),
    name: 'Ana',
    createdAt: 1_700_000_000_000,
    backedUpAt: undefined,
    ...overrides,
  }
}

function circle(id: string, overrides: Partial<CircleRecord> = {}): CircleRecord {
  return {
    id,
    key: pattern(32, id.charCodeAt(0)),
    name: `Circle ${id}`,
    description: 'Tools and rides on our street',
    createdAt: 1_700_000_000_000,
    relays: ['/dns4/relay.example/tcp/443/wss/p2p/12D3KooWExample'],
    ...overrides,
  }
}

async function expectRejectsNamed(promise: Promise<unknown>, name: string): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error, `expected a rejection named ${name}`).toBeInstanceOf(Error)
  expect((error as Error).name).toBe(name)
  return error
}

export function runStorageAcceptance(
  label: string,
  setup: () => Promise<AcceptanceSubject>,
  options: AcceptanceOptions = {},
): void {
  describe(`${label}: storage acceptance`, () => {
    let subject: AcceptanceSubject
    let storage: AcceptanceStorage

    beforeEach(async () => {
      subject = await setup()
      storage = subject.storage
    })

    afterEach(async () => {
      await subject.teardown()
    })

    describe('entries', () => {
      it('round-trips bytes exactly (empty, small, 300 KiB) as plain Uint8Arrays', async () => {
        const records = [
          entry(TOPIC, FEED_A, 0, 0, new Uint8Array(0)),
          entry(TOPIC, FEED_A, 1, 0, new Uint8Array([0, 255, 1])),
          entry(TOPIC, FEED_A, 2, 0, pattern(300 * 1024)),
        ]
        await storage.entries.putEntries(records)
        const stored = await storage.entries.getAll(TOPIC)
        expect(stored).toEqual(records)
        for (const record of stored) {
          expectPlainBytes(record.bytes)
          expectPlainBytes(record.hash)
        }
        expect(stored[2]?.bytes.byteLength).toBe(300 * 1024)
      })

      it('stores a view into a larger buffer as exactly the view', async () => {
        const buffer = pattern(4096)
        const record = { ...entry(TOPIC, FEED_A, 0), bytes: buffer.subarray(100, 110), hash: buffer.subarray(0, 32) }
        await storage.entries.putEntries([record])
        const [stored] = await storage.entries.getAll(TOPIC)
        expect(stored?.bytes).toEqual(buffer.slice(100, 110))
        expect(stored?.bytes.buffer.byteLength).toBe(10)
        expect(stored?.hash).toEqual(buffer.slice(0, 32))
      })

      it('accepts an empty batch', async () => {
        await storage.entries.putEntries([])
        expect(await storage.entries.getAll(TOPIC)).toEqual([])
        expect(await storage.entries.heads(TOPIC)).toEqual([])
      })

      it('is idempotent: putting the same records again changes nothing', async () => {
        const records = [entry(TOPIC, FEED_A, 0), entry(TOPIC, FEED_A, 1), entry(TOPIC, FEED_B, 0)]
        await storage.entries.putEntries(records)
        const heads = await storage.entries.heads(TOPIC)
        await storage.entries.putEntries(records)
        await storage.entries.putEntries([records[1]!])
        expect(await storage.entries.getAll(TOPIC)).toEqual(records)
        expect(await storage.entries.heads(TOPIC)).toEqual(heads)
      })

      it('keeps the first record at an existing (topic, feed, seq), across batches and within one', async () => {
        const first = entry(TOPIC, FEED_A, 0, 0)
        const second = entry(TOPIC, FEED_A, 0, 1)
        expect(second.bytes).not.toEqual(first.bytes)
        await storage.entries.putEntries([first])
        await storage.entries.putEntries([second, entry(TOPIC, FEED_A, 1)])
        expect(await storage.entries.getAll(TOPIC)).toEqual([first, entry(TOPIC, FEED_A, 1)])

        const inBatchFirst = entry(TOPIC, FEED_B, 0, 0)
        await storage.entries.putEntries([inBatchFirst, entry(TOPIC, FEED_B, 0, 1)])
        expect(await storage.entries.getRange(TOPIC, FEED_B, 0)).toEqual([inBatchFirst])
        expect(await storage.entries.heads(TOPIC)).toContainEqual({ feed: FEED_B, seq: 0, hash: inBatchFirst.hash })
      })

      it('reads ranges of one feed, with and without `to`, in numeric seq order', async () => {
        const feed = Array.from({ length: 13 }, (_, seq) => entry(TOPIC, FEED_A, seq))
        await storage.entries.putEntries([...feed].reverse())
        await storage.entries.putEntries([entry(TOPIC, FEED_B, 3), entry(OTHER_TOPIC, FEED_A, 3)])
        expect(await storage.entries.getRange(TOPIC, FEED_A, 2, 4)).toEqual(feed.slice(2, 5))
        expect(await storage.entries.getRange(TOPIC, FEED_A, 8)).toEqual(feed.slice(8))
        expect(await storage.entries.getRange(TOPIC, FEED_A, 0)).toEqual(feed)
        expect(await storage.entries.getRange(TOPIC, FEED_A, 5, 5)).toEqual([feed[5]])
        expect(await storage.entries.getRange(TOPIC, FEED_A, 4, 2)).toEqual([])
        expect(await storage.entries.getRange(TOPIC, FEED_A, 13)).toEqual([])
        expect(await storage.entries.getRange(TOPIC, FEED_C, 0)).toEqual([])
      })

      it('lists a topic ordered by feed then seq, and keeps topics apart', async () => {
        const mine = [FEED_A, FEED_B, FEED_C].flatMap((feed) => [0, 1, 2, 10].map((seq) => entry(TOPIC, feed, seq)))
        const theirs = [FEED_B, FEED_A].flatMap((feed) => [0, 9].map((seq) => entry(OTHER_TOPIC, feed, seq)))
        // Interleave topics and scramble the order so nothing comes back in insertion order by accident.
        const scrambled = [...mine, ...theirs].sort((a, b) => (a.seq * 7 + a.feed.charCodeAt(0)) % 5 - (b.seq * 7 + b.feed.charCodeAt(0)) % 5)
        await storage.entries.putEntries(scrambled.slice(0, 7))
        await storage.entries.putEntries(scrambled.slice(7))

        const all = await storage.entries.getAll(TOPIC)
        expect(coordinates(all)).toEqual(coordinates(mine))
        expect(all).toEqual(mine)
        const other = await storage.entries.getAll(OTHER_TOPIC)
        expect(coordinates(other)).toEqual([
          [OTHER_TOPIC, FEED_A, 0],
          [OTHER_TOPIC, FEED_A, 9],
          [OTHER_TOPIC, FEED_B, 0],
          [OTHER_TOPIC, FEED_B, 9],
        ])
        expect(await storage.entries.getAll('c0'.repeat(32))).toEqual([])
      })

      it('reports the newest record of each feed after several batches', async () => {
        await storage.entries.putEntries([entry(TOPIC, FEED_A, 0), entry(TOPIC, FEED_A, 1), entry(TOPIC, FEED_B, 0)])
        await storage.entries.putEntries([entry(TOPIC, FEED_C, 1), entry(TOPIC, FEED_A, 2), entry(TOPIC, FEED_C, 0)])
        // An older record arriving late, and a conflicting one at the head's seq, move no head.
        await storage.entries.putEntries([entry(TOPIC, FEED_A, 1, 3), entry(TOPIC, FEED_A, 2, 3), entry(TOPIC, FEED_B, 0)])
        await storage.entries.putEntries([entry(OTHER_TOPIC, FEED_A, 12)])

        expect(await storage.entries.heads(TOPIC)).toEqual([
          { feed: FEED_A, seq: 2, hash: entry(TOPIC, FEED_A, 2).hash },
          { feed: FEED_B, seq: 0, hash: entry(TOPIC, FEED_B, 0).hash },
          { feed: FEED_C, seq: 1, hash: entry(TOPIC, FEED_C, 1).hash },
        ])
        const [head] = await storage.entries.heads(TOPIC)
        expectPlainBytes(head?.hash)
        expect(await storage.entries.heads(OTHER_TOPIC)).toEqual([{ feed: FEED_A, seq: 12, hash: entry(OTHER_TOPIC, FEED_A, 12).hash }])
        expect(await storage.entries.heads('c0'.repeat(32))).toEqual([])
      })

      it('keeps forks as evidence, beside the entry already stored', async () => {
        const kept = entry(TOPIC, FEED_A, 1, 0)
        const rival = entry(TOPIC, FEED_A, 1, 1)
        const third = entry(TOPIC, FEED_A, 1, 2)
        await storage.entries.putEntries([entry(TOPIC, FEED_A, 0), kept])
        await storage.entries.putFork(TOPIC, FEED_A, 1, [kept.bytes, rival.bytes])

        expect(await storage.entries.getRange(TOPIC, FEED_A, 1, 1)).toEqual([kept])
        const expected = { topic: TOPIC, feed: FEED_A, seq: 1, entries: [kept.bytes, rival.bytes] }
        expect(await storage.entries.getForks(TOPIC)).toEqual([expected])

        await storage.entries.putFork(TOPIC, FEED_A, 1, [rival.bytes, kept.bytes])
        expect(await storage.entries.getForks(TOPIC)).toEqual([expected])
        await storage.entries.putFork(TOPIC, FEED_A, 1, [rival.bytes, third.bytes])
        const forks = await storage.entries.getForks(TOPIC)
        expect(forks).toEqual([{ ...expected, entries: [kept.bytes, rival.bytes, third.bytes] }])
        for (const bytes of forks[0]?.entries ?? []) expectPlainBytes(bytes)

        await storage.entries.putFork(TOPIC, FEED_B, 4, [kept.bytes, rival.bytes])
        expect((await storage.entries.getForks(TOPIC)).map((fork) => [fork.feed, fork.seq])).toEqual([
          [FEED_A, 1],
          [FEED_B, 4],
        ])
        expect(await storage.entries.getForks(OTHER_TOPIC)).toEqual([])
      })
    })

    describe('records', () => {
      it('stores, reads and replaces the device record', async () => {
        expect(await storage.records.getDevice()).toBeUndefined()
        const original = device()
        await storage.records.putDevice(original)
        const stored = await storage.records.getDevice()
        expect(stored).toEqual(original)
        expect(stored && 'backedUpAt' in stored).toBe(true)
        expectPlainBytes(stored?.identitySecret)
        expectPlainBytes(stored?.deviceSecret)
        expectPlainBytes(stored?.boxSecret)

        const backedUp = device({ backedUpAt: 1_700_000_500_000, name: 'Ana B.' })
        await storage.records.putDevice(backedUp)
        expect(await storage.records.getDevice()).toEqual(backedUp)
      })

      it('lists, puts, replaces and deletes circles', async () => {
        expect(await storage.records.listCircles()).toEqual([])
        const second = circle('ff00ff00ff00ff00ff00ff00ff00ff00', { relays: [] })
        const first = circle('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a')
        await storage.records.putCircle(second)
        await storage.records.putCircle(first)
        await storage.records.putDevice(device())
        const listed = await storage.records.listCircles()
        expect(listed).toEqual([first, second])
        expectPlainBytes(listed[0]?.key)

        const renamed = { ...first, name: 'Renamed', relays: ['/dns4/a/tcp/443/wss', '/dns4/b/tcp/443/wss'] }
        await storage.records.putCircle(renamed)
        expect(await storage.records.listCircles()).toEqual([renamed, second])

        await storage.records.deleteCircle(renamed.id)
        await storage.records.deleteCircle('00000000000000000000000000000000')
        expect(await storage.records.listCircles()).toEqual([second])
        expect(await storage.records.getDevice()).toEqual(device())
      })
    })

    describe('blobs', () => {
      it('round-trips blobs (empty and 300 KiB) and answers undefined for an unknown hash', async () => {
        expect(await storage.blobs.getBlob('00'.repeat(32))).toBeUndefined()
        const big = pattern(300 * 1024, 9)
        await storage.blobs.putBlob('11'.repeat(32), big)
        await storage.blobs.putBlob('22'.repeat(32), new Uint8Array(0))
        await storage.blobs.putBlob('11'.repeat(32), big)

        const stored = await storage.blobs.getBlob('11'.repeat(32))
        expect(stored).toEqual(big)
        expectPlainBytes(stored)
        const empty = await storage.blobs.getBlob('22'.repeat(32))
        expect(empty).toEqual(new Uint8Array(0))
        expectPlainBytes(empty)
      })
    })

    describe('snapshots', () => {
      it('stores a batch, replaces by name, and lists one circle by prefix in name order', async () => {
        const state = pattern(40 * 1024)
        await storage.snapshots.putSnapshots([
          { name: 'c1:bbb', state, covers: { f1: 3 } },
          { name: 'c1:aaa', state: new Uint8Array([1]), covers: {} },
          { name: 'c2:aaa', state: new Uint8Array([2]), covers: { f9: 0 } },
        ])
        await storage.snapshots.putSnapshots([{ name: 'c1:aaa', state: new Uint8Array([7, 7]), covers: { f2: 11 } }])
        await storage.snapshots.putSnapshots([])
        const c1 = await storage.snapshots.getSnapshots('c1:')
        expect(c1.map((s) => s.name)).toEqual(['c1:aaa', 'c1:bbb'])
        expect(c1[0]).toEqual({ name: 'c1:aaa', state: new Uint8Array([7, 7]), covers: { f2: 11 } })
        expect(c1[1]!.state).toEqual(state)
        expectPlainBytes(c1[1]!.state)
        expect(await storage.snapshots.getSnapshots('c3:')).toEqual([])
      })
    })

    describe('journal of own entries not yet stored', () => {
      it('keeps noted entries per feed, oldest first, until they are forgotten', async () => {
        const first = entry(TOPIC, FEED_A, 3, 0, pattern(900, 1))
        const second = entry(TOPIC, FEED_A, 4, 0, pattern(300 * 1024, 2))
        storage.journal.note(second)
        storage.journal.note(first)
        storage.journal.note(entry(TOPIC, FEED_B, 1))
        storage.journal.note(entry(OTHER_TOPIC, FEED_A, 1))
        const noted = storage.journal.noted(TOPIC, FEED_A)
        expect(noted.map((item) => item.seq)).toEqual([3, 4])
        expect(noted[0]!.bytes).toEqual(first.bytes)
        expect(noted[1]!.bytes).toEqual(second.bytes)
        expectPlainBytes(noted[1]!.bytes)
        storage.journal.forget([first])
        expect(storage.journal.noted(TOPIC, FEED_A).map((item) => item.seq)).toEqual([4])
        expect(storage.journal.noted(TOPIC, FEED_B).map((item) => item.seq)).toEqual([1])
        expect(storage.journal.noted(OTHER_TOPIC, FEED_A).map((item) => item.seq)).toEqual([1])
        expect(storage.journal.noted(TOPIC, FEED_C)).toEqual([])
      })
    })

    describe('docs', () => {
      it('loads into a fresh Y.Doc what an earlier attachment saved, and keeps docs apart', async () => {
        const doc = new Y.Doc()
        doc.getMap('profile').set('name', 'Ana') // before attaching: saved on attach
        const attachment = await storage.attachDoc('member-a', doc)
        doc.getMap('offers').set('drill', { title: 'Drill', kind: 'thing' })
        for (let i = 0; i < 50; i++) doc.getArray<number>('log').push([i])
        await attachment.close()
        doc.getMap('profile').set('name', 'after close') // not saved: the attachment is closed
        doc.destroy()

        const fresh = new Y.Doc()
        const again = await storage.attachDoc('member-a', fresh)
        expect(fresh.getMap('profile').get('name')).toBe('Ana')
        expect(fresh.getMap('offers').get('drill')).toEqual({ title: 'Drill', kind: 'thing' })
        expect(fresh.getArray('log').length).toBe(50)
        await again.close()
        await again.close()

        const other = new Y.Doc()
        const otherAttachment = await storage.attachDoc('member-b', other)
        expect(other.getMap('profile').size).toBe(0)
        await otherAttachment.close()
      })

      it('keeps a covers mark with the doc; a mark made while saves are held waits for them', async () => {
        const doc = new Y.Doc()
        const attachment = await storage.attachDoc('member-a', doc)
        expect(attachment.covers).toEqual({})
        const release = attachment.hold()
        doc.getMap('profile').set('name', 'Ana')
        let marked = false
        const marking = attachment.markCovered({ [FEED_A]: 4, [FEED_B]: 0 }).then(() => (marked = true))
        await new Promise((done) => setTimeout(done, 20))
        expect(marked).toBe(false)
        release()
        await marking
        await attachment.close()

        const fresh = new Y.Doc()
        const again = await storage.attachDoc('member-a', fresh)
        expect(again.covers).toEqual({ [FEED_A]: 4, [FEED_B]: 0 })
        expect(fresh.getMap('profile').get('name')).toBe('Ana')
        await again.close()
      })
    })

    it('keeps everything across close and reopen', async (context) => {
      if (!subject.reopen) return context.skip()
      const records = [entry(TOPIC, FEED_A, 0), entry(TOPIC, FEED_A, 1), entry(TOPIC, FEED_B, 0, 0, pattern(300 * 1024))]
      await storage.entries.putEntries(records)
      await storage.entries.putFork(TOPIC, FEED_A, 1, [records[1]!.bytes, entry(TOPIC, FEED_A, 1, 1).bytes])
      await storage.records.putDevice(device())
      await storage.records.putCircle(circle('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a'))
      await storage.blobs.putBlob('11'.repeat(32), pattern(1000))
      const doc = new Y.Doc()
      await storage.attachDoc('member-a', doc)
      doc.getMap('profile').set('name', 'Ana')
      // No attachment.close(): closing the storage must close (and flush) its attachments.

      storage.journal.note(entry(TOPIC, FEED_C, 9))
      const reopened = await subject.reopen()
      expect(reopened.journal.noted(TOPIC, FEED_C).map((item) => item.seq)).toEqual([9])
      doc.getMap('profile').set('name', 'after close') // not saved: closing the storage detached the doc
      expect(await reopened.entries.getAll(TOPIC)).toEqual(records)
      expect(await reopened.entries.heads(TOPIC)).toEqual([
        { feed: FEED_A, seq: 1, hash: records[1]!.hash },
        { feed: FEED_B, seq: 0, hash: records[2]!.hash },
      ])
      expect(await reopened.entries.getForks(TOPIC)).toHaveLength(1)
      expect(await reopened.records.getDevice()).toEqual(device())
      expect(await reopened.records.listCircles()).toEqual([circle('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a')])
      expect(await reopened.blobs.getBlob('11'.repeat(32))).toEqual(pattern(1000))
      const fresh = new Y.Doc()
      const attachment = await reopened.attachDoc('member-a', fresh)
      expect(fresh.getMap('profile').get('name')).toBe('Ana')
      await attachment.close()
    })

    it.skipIf(!options.injectQuotaFailure)('reports a full disk as StorageFullError, and the failed write stores nothing', async () => {
      const before = [entry(TOPIC, FEED_A, 0)]
      await storage.entries.putEntries(before)
      const heads = await storage.entries.heads(TOPIC)

      const restore = options.injectQuotaFailure!()
      try {
        const error = await expectRejectsNamed(storage.entries.putEntries([entry(TOPIC, FEED_A, 1), entry(TOPIC, FEED_B, 0)]), 'StorageFullError')
        expect(((error as Error).cause as Error | undefined)?.name).toBe('QuotaExceededError')
        await expectRejectsNamed(storage.entries.putFork(TOPIC, FEED_A, 0, [pattern(3), pattern(4)]), 'StorageFullError')
        await expectRejectsNamed(storage.records.putDevice(device()), 'StorageFullError')
        await expectRejectsNamed(storage.records.putCircle(circle('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a')), 'StorageFullError')
        await expectRejectsNamed(storage.blobs.putBlob('11'.repeat(32), pattern(10)), 'StorageFullError')
        await expectRejectsNamed(storage.attachDoc('member-a', new Y.Doc()), 'StorageFullError')
      } finally {
        restore()
      }

      expect(await storage.entries.getAll(TOPIC)).toEqual(before)
      expect(await storage.entries.heads(TOPIC)).toEqual(heads)
      expect(await storage.entries.getForks(TOPIC)).toEqual([])
      expect(await storage.records.getDevice()).toBeUndefined()
      expect(await storage.records.listCircles()).toEqual([])
      expect(await storage.blobs.getBlob('11'.repeat(32))).toBeUndefined()

      await storage.entries.putEntries([entry(TOPIC, FEED_A, 1)])
      expect(await storage.entries.heads(TOPIC)).toEqual([{ feed: FEED_A, seq: 1, hash: entry(TOPIC, FEED_A, 1).hash }])
    })
  })
}
