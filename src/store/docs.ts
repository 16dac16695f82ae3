/**
 * Member docs persisted with y-indexeddb, one IndexedDB database per doc. y-indexeddb (through
 * lib0/indexeddb) always uses the global `indexedDB` and `IDBKeyRange`; it takes no factory.
 */
import * as Y from 'yjs'
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb'
import type { DocAttachment, DocCovers } from '../circle/types'
import { StorageClosedError, StorageUnavailableError } from './errors'
import { read, write } from './idb'
import { DEFAULT_NAME } from './schema'

/** The doc's covers mark, kept in y-indexeddb's `custom` store of the doc's own database. */
const COVERS_KEY = 'sharecircle:covers'

/** The database y-indexeddb keeps one doc in: `sharecircle-doc:<name>` for the default storage. */
export function docDatabaseName(storageName: string, docName: string): string {
  return `${storageName}-doc:${docName}`
}

export function globalIndexedDB(): IDBFactory | undefined {
  return (globalThis as { indexedDB?: IDBFactory }).indexedDB
}

/**
 * Loads what was saved for the doc into `doc` and keeps saving its updates until `close()`.
 * Resolves once the saved state has been applied.
 */
export async function persistDoc(databaseName: string, doc: Y.Doc): Promise<DocAttachment> {
  if (!globalIndexedDB()) throw new StorageUnavailableError()
  const persistence = new IndexeddbPersistence(databaseName, doc)
  let db: IDBDatabase
  try {
    // `whenSynced` never settles if the database fails to open, so wait on the open first.
    db = await persistence._db
  } catch (error) {
    // Unhook it from the doc; its own promise rejects with the same failure reported here.
    persistence.destroy().catch(() => undefined)
    throw new StorageUnavailableError(undefined, { cause: error })
  }
  // lib0 closes the connection when another tab deletes or upgrades the doc's database, but
  // y-indexeddb keeps listening to the doc, and its next write would throw into whoever edited the
  // doc. Stop listening instead; the doc lives on in memory.
  const detach = () => void persistence.destroy()
  db.addEventListener('versionchange', detach)
  db.addEventListener('close', detach)
  // A write to the doc's database that failed (a full disk) leaves the saved doc short of the one in
  // memory, and y-indexeddb never retries it: the next mark saves the whole doc with it.
  let damaged = false
  db.addEventListener('abort', () => (damaged = true))
  await persistence.whenSynced
  const covers = await readCovers(db)
  const gate = holdable(persistence)
  let closing: Promise<void> | undefined
  return {
    covers,
    hold: gate.hold,
    markCovered(next) {
      const mark = { ...next }
      return new Promise<void>((marked, failed) =>
        gate.run(() => {
          if (persistence._destroyed) return marked()
          // A readwrite transaction over `updates` starts only after every earlier one on it has
          // finished: the mark commits after the updates saved before it, and by the time the read
          // answers, any of them that failed has said so.
          write(db, ['updates', 'custom'], (transaction, guard) => {
            const custom = transaction.objectStore('custom')
            custom.get(COVERS_KEY).onsuccess = guard(() => {
              if (damaged) {
                damaged = false
                transaction.objectStore('updates').add(Y.encodeStateAsUpdate(persistence.doc))
              }
              custom.put(mark, COVERS_KEY)
            })
          }).then(marked, failed)
        }),
      )
    },
    close() {
      gate.releaseAll()
      closing ??= flushAndDestroy(persistence)
      return closing
    },
  }
}

/** The saved mark, or an empty one if there is none or it is not what `markCovered` writes. */
async function readCovers(db: IDBDatabase): Promise<DocCovers> {
  const saved: unknown = await read(db, 'custom', (store) => store.get(COVERS_KEY))
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) return {}
  const covers: DocCovers = {}
  for (const [feed, seq] of Object.entries(saved)) {
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) return {}
    covers[feed] = seq as number
  }
  return covers
}

/**
 * Puts a gate in front of y-indexeddb's update listener. y-indexeddb saves each update from inside
 * the transaction that made it; while a hold is on, updates (and covers marks) queue instead and go
 * out, in order, when the last hold is released. The gate takes the listener's place
 * (`_storeUpdate`, the field y-indexeddb's own `destroy()` unhooks), so destroying the persistence
 * unhooks the gate too.
 */
function holdable(persistence: IndexeddbPersistence): { hold(): () => void; run(action: () => void): void; releaseAll(): void } {
  const store = persistence._storeUpdate
  const queued: Array<() => void> = []
  let holds = 0
  const flush = () => {
    for (const action of queued.splice(0)) action()
  }
  const run = (action: () => void) => {
    if (holds > 0) queued.push(action)
    else action()
  }
  persistence.doc.off('update', store)
  persistence._storeUpdate = (update, origin) =>
    run(() => {
      // Destroyed meanwhile (another tab deleted the database, or the circle closed): y-indexeddb
      // would not have saved it either.
      if (!persistence._destroyed) store(update, origin)
    })
  persistence.doc.on('update', persistence._storeUpdate)
  return {
    hold() {
      holds++
      let released = false
      return () => {
        if (released) return
        released = true
        if (--holds === 0) flush()
      }
    },
    run,
    releaseAll() {
      holds = 0
      flush()
    },
  }
}

async function flushAndDestroy(persistence: IndexeddbPersistence): Promise<void> {
  const db = persistence.db
  if (db) {
    try {
      // y-indexeddb does not wait for its writes. A readwrite transaction on the same store completes
      // only after every earlier one has, and 'strict' durability flushes them to disk with it.
      await write(db, ['updates'], () => undefined)
    } catch (error) {
      // Closed already (the database was deleted, or a newer tab took over): nothing left to flush.
      if (!(error instanceof StorageClosedError)) throw error
    }
  }
  await persistence.destroy()
}

/** Deletes a doc's saved data. Close its attachment first: an open one would stop saving silently. */
export async function deleteDocData(name: string, options: { storageName?: string } = {}): Promise<void> {
  if (!globalIndexedDB()) throw new StorageUnavailableError()
  await clearDocument(docDatabaseName(options.storageName ?? DEFAULT_NAME, name))
}
