/**
 * Raw signed entries, kept verbatim because peers re-serve them, plus each feed's head and any forks.
 */
import type { EntryRecord, EntryStorage, FeedHead } from '../circle/types'
import { bytesEqual, bytesForStorage, bytesFromStorage } from './bytes'
import { addIfAbsent, read, write, type Connection } from './idb'
import { STORES, seqRange, topicRange, type EntryRow, type ForkRow, type HeadRow } from './schema'

/** Two or more validly signed entries at one (feed, seq): the evidence that froze the feed. */
export interface ForkRecord {
  topic: string
  feed: string
  seq: number
  entries: Uint8Array[]
}

export interface IndexeddbEntryStorage extends EntryStorage {
  /** Every fork kept for a topic, ordered by feed then seq; a frozen feed stays frozen across restarts. */
  getForks(topic: string): Promise<ForkRecord[]>
}

function entryRow(record: EntryRecord): EntryRow {
  // Copy field by field: the caller's object may carry extra fields or be a proxy that structured
  // clone refuses.
  return {
    topic: record.topic,
    feed: record.feed,
    seq: record.seq,
    hash: bytesForStorage(record.hash),
    bytes: bytesForStorage(record.bytes),
  }
}

function entryFromRow(row: EntryRow): EntryRecord {
  return { topic: row.topic, feed: row.feed, seq: row.seq, hash: bytesFromStorage(row.hash), bytes: bytesFromStorage(row.bytes) }
}

function forkFromRow(row: ForkRow): ForkRecord {
  return { topic: row.topic, feed: row.feed, seq: row.seq, entries: row.entries.map(bytesFromStorage) }
}

export function createEntryStorage(connection: Connection): IndexeddbEntryStorage {
  return {
    async putEntries(records) {
      const db = connection.current()
      if (records.length === 0) return
      await write(db, [STORES.entries, STORES.heads], (transaction, guard) => {
        const entries = transaction.objectStore(STORES.entries)
        const heads = transaction.objectStore(STORES.heads)
        const feeds = new Map<string, { topic: string; feed: string; newest?: EntryRow }>()
        for (const record of records) {
          const row = entryRow(record)
          const feedId = JSON.stringify([row.topic, row.feed])
          const tracked = feeds.get(feedId) ?? { topic: row.topic, feed: row.feed }
          feeds.set(feedId, tracked)
          // `add` never overwrites: the first record at a (topic, feed, seq) wins, in this batch or any.
          addIfAbsent(
            entries,
            row,
            undefined,
            guard(() => {
              if (!tracked.newest || tracked.newest.seq < row.seq) tracked.newest = row
            }),
          )
        }
        // A transaction runs its requests in the order they were made, so by the time these reads
        // answer, every add above has succeeded or been refused.
        for (const tracked of feeds.values()) {
          const { topic, feed } = tracked
          const request = heads.get([topic, feed])
          request.onsuccess = guard(() => {
            const added = tracked.newest
            const current = request.result as HeadRow | undefined
            if (!added || (current && current.seq >= added.seq)) return
            const head: HeadRow = { topic, feed, seq: added.seq, hash: added.hash }
            heads.put(head)
          })
        }
      })
    },

    async getRange(topic, feed, from, to) {
      const db = connection.current()
      if (to !== undefined && to < from) return []
      const rows = await read(db, STORES.entries, (store) => store.getAll(seqRange(topic, feed, from, to ?? Infinity)))
      return (rows as EntryRow[]).map(entryFromRow)
    },

    async getAll(topic) {
      const rows = await read(connection.current(), STORES.entries, (store) => store.getAll(topicRange(topic)))
      return (rows as EntryRow[]).map(entryFromRow)
    },

    async heads(topic) {
      const rows = await read(connection.current(), STORES.heads, (store) => store.getAll(topicRange(topic)))
      return (rows as HeadRow[]).map((row): FeedHead => ({ feed: row.feed, seq: row.seq, hash: bytesFromStorage(row.hash) }))
    },

    async putFork(topic, feed, seq, forked) {
      const db = connection.current()
      const incoming = forked.map(bytesForStorage)
      await write(db, [STORES.forks], (transaction, guard) => {
        const forks = transaction.objectStore(STORES.forks)
        const request = forks.get([topic, feed, seq])
        request.onsuccess = guard(() => {
          const existing = request.result as ForkRow | undefined
          const kept = (existing?.entries ?? []).map(bytesFromStorage)
          // A third conflicting entry joins the evidence; one already kept is not stored twice.
          const entries = [...kept]
          for (const entry of incoming) if (!entries.some((other) => bytesEqual(other, entry))) entries.push(entry)
          if (existing && entries.length === kept.length) return
          const row: ForkRow = { topic, feed, seq, entries }
          forks.put(row)
        })
      })
    },

    async getForks(topic) {
      const rows = await read(connection.current(), STORES.forks, (store) => store.getAll(topicRange(topic)))
      return (rows as ForkRow[]).map(forkFromRow)
    },
  }
}
