import { describe, expect, it } from 'vitest'
import type { EntryRecord } from '../../../src/circle/types'
import { createEntryJournal, memoryStore } from '../../../src/store/journal'

const TOPIC = 'a0'.repeat(32)
const FEED = '01'.repeat(32)

function record(seq: number, bytes = new Uint8Array([seq, 1, 2, 3])): EntryRecord {
  return { topic: TOPIC, feed: FEED, seq, hash: new Uint8Array(32), bytes }
}

describe('the journal of own entries not yet stored', () => {
  it('reads back every byte value, in seq order, and survives a new journal over the same store', () => {
    const store = memoryStore()
    const all = new Uint8Array(256).map((_, index) => index)
    expect(createEntryJournal('db', store).note(record(10, all))).toBe(true)
    createEntryJournal('db', store).note(record(2))
    const noted = createEntryJournal('db', store).noted(TOPIC, FEED)
    expect(noted.map((item) => item.seq)).toEqual([2, 10])
    expect(noted[1]!.bytes).toEqual(all)
  })

  it('keeps storages apart, and clear() removes only its own', () => {
    const store = memoryStore()
    const mine = createEntryJournal('db', store)
    const theirs = createEntryJournal('db-2', store)
    mine.note(record(1))
    theirs.note(record(5))
    store.setItem('unrelated', 'kept')
    expect(mine.noted(TOPIC, FEED).map((item) => item.seq)).toEqual([1])
    mine.clear()
    expect(mine.noted(TOPIC, FEED)).toEqual([])
    expect(theirs.noted(TOPIC, FEED).map((item) => item.seq)).toEqual([5])
    expect(store.getItem('unrelated')).toBe('kept')
  })

  it('drops a value it cannot read, and keeps the rest', () => {
    const store = memoryStore()
    const journal = createEntryJournal('db', store)
    journal.note(record(1))
    store.setItem(`sharecircle-unstored:db:${TOPIC}:${FEED}:2`, '%% not base64 %%')
    store.setItem(`sharecircle-unstored:db:${TOPIC}:${FEED}:x`, 'AAAA')
    expect(journal.noted(TOPIC, FEED).map((item) => item.seq)).toEqual([1])
    expect(store.length).toBe(1)
  })

  it('does not throw when the store refuses a note (full, or blocked)', () => {
    const store = memoryStore()
    store.setItem = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }
    const journal = createEntryJournal('db', store)
    expect(journal.note(record(1))).toBe(false)
    expect(journal.noted(TOPIC, FEED)).toEqual([])
  })
})
