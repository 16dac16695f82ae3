/**
 * This device's own entries between leaving for the network and being stored. A local edit goes to
 * peers before its IndexedDB write commits (peers should not wait on this disk). A tab that died in
 * between would forget an entry its peers already hold, and sign a different one at the same seq
 * with its next edit: a fork, and every peer that saw both freezes the feed. So each entry is noted
 * here once it has left (its write waits for the next frame), and forgotten once stored; opening the
 * circle again stores whatever is still noted (replica.ts, `#append`, `pageHidden` and
 * `#recoverUnstored`).
 *
 * Kept in localStorage: a write there is synchronous and reaches the browser process at once, so it
 * outlives the tab (not a crash of the whole browser). Where there is no localStorage (Node), a map
 * in this process stands in, with the same lifetime as fake IndexedDB.
 */
import type { EntryJournal, EntryRecord } from '../circle/types'

/** The part of the Web Storage API the journal uses. */
export type KeyValueStore = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>

const PREFIX = 'sharecircle-unstored'

/** `store` defaults to localStorage, or this process's map where there is none. */
export function createEntryJournal(storageName: string, store: KeyValueStore = defaultStore()): EntryJournal & { clear(): void } {
  const prefix = `${PREFIX}:${storageName}:`
  const keyOf = (record: Pick<EntryRecord, 'topic' | 'feed' | 'seq'>) => `${prefix}${record.topic}:${record.feed}:${record.seq}`
  const keys = (within: string) => {
    const found: string[] = []
    for (let index = 0; index < store.length; index++) {
      const key = store.key(index)
      if (key?.startsWith(within)) found.push(key)
    }
    return found
  }
  return {
    note(record) {
      try {
        store.setItem(keyOf(record), toBase64(record.bytes))
        return true
      } catch {
        // Full or refused (a sandboxed frame): the entry is still sent and stored as before; only a
        // tab dying before the store is not covered (the replica tries again on the next note).
        return false
      }
    },
    forget(records) {
      for (const record of records) store.removeItem(keyOf(record))
    },
    noted(topic, feed) {
      const found: Array<{ seq: number; bytes: Uint8Array }> = []
      for (const key of keys(`${prefix}${topic}:${feed}:`)) {
        const seq = Number(key.slice(key.lastIndexOf(':') + 1))
        const bytes = fromBase64(store.getItem(key) ?? '')
        // Anything unreadable is dropped here; what is readable still goes through every check.
        if (Number.isSafeInteger(seq) && bytes) found.push({ seq, bytes })
        else store.removeItem(key)
      }
      return found.sort((a, b) => a.seq - b.seq)
    },
    clear() {
      for (const key of keys(prefix)) store.removeItem(key)
    },
  }
}

function defaultStore(): KeyValueStore {
  try {
    if (globalThis.localStorage) return globalThis.localStorage
  } catch {
    // Reading localStorage throws where the browser refuses it (blocked site data).
  }
  return processStore
}

/** A store in this process's memory: what stands in for localStorage where there is none. */
export function memoryStore(): KeyValueStore {
  const memory = new Map<string, string>()
  return {
    getItem: (key) => memory.get(key) ?? null,
    setItem: (key, value) => void memory.set(key, value),
    removeItem: (key) => void memory.delete(key),
    key: (index) => [...memory.keys()][index] ?? null,
    get length() {
      return memory.size
    },
  }
}

const processStore = memoryStore()

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000))
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array | undefined {
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
    return bytes
  } catch {
    return undefined
  }
}
