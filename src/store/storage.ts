/**
 * `openStorage`: one IndexedDB database holding entries, heads, forks, records, blobs and snapshots, plus one
 * y-indexeddb database per attached doc. The pieces live in entries.ts, records.ts and docs.ts; this
 * file owns the connection and its lifecycle.
 */
import type * as Y from 'yjs'
import type { DocAttachment, Storage } from '../circle/types'
import { createEntryStorage, type IndexeddbEntryStorage } from './entries'
import { StorageClosedError, StorageUnavailableError } from './errors'
import { deleteDatabase, openDatabase, read, write, type Connection } from './idb'
import { docDatabaseName, dropIfDamaged, globalIndexedDB, persistDoc } from './docs'
import { createEntryJournal, type KeyValueStore } from './journal'
import { createBlobStorage, createRecordStorage, createSnapshotStorage } from './records'
import { DEFAULT_NAME, SCHEMA_VERSION, STORES, upgradeSchema, type DocRow } from './schema'

/** Why the database closed without `close()`: another tab upgraded or deleted it, or the browser dropped it (e.g. site data cleared). */
export type CloseReason = 'versionchange' | 'lost'

export interface OpenStorageOptions {
  /** Database name; doc databases are named after it. Default `sharecircle`. */
  name?: string
  /**
   * The IndexedDB to use; default the global one. `attachDoc` works only when this is the global
   * one, because y-indexeddb cannot be given a factory.
   */
  indexedDB?: IDBFactory
  /** Told when the database closes on its own; every later call rejects with StorageClosedError. */
  onClose?: (reason: CloseReason) => void
  /** Where own entries wait between being sent and being stored (journal.ts); default localStorage. */
  journalStore?: KeyValueStore
}

export interface IndexeddbStorage extends Storage {
  readonly name: string
  entries: IndexeddbEntryStorage
  /** Closes the database and every doc attached through it; the data stays. Safe to call twice. */
  close(): Promise<void>
  /** Closes, then deletes the database and the databases of every doc ever attached through it. */
  destroy(): Promise<void>
}

export async function openStorage(options: OpenStorageOptions = {}): Promise<IndexeddbStorage> {
  const name = options.name ?? DEFAULT_NAME
  const factory = options.indexedDB ?? globalIndexedDB()
  if (!factory) throw new StorageUnavailableError()
  const open = () => openDatabase({ factory, name, version: SCHEMA_VERSION, upgrade: upgradeSchema })

  let db: IDBDatabase | undefined = await open()
  const attachments = new Set<DocAttachment>()
  const journal = createEntryJournal(name, options.journalStore)

  const lose = (reason: CloseReason) => {
    if (!db) return
    db.close()
    db = undefined
    options.onClose?.(reason)
  }
  // Closing at once is the polite answer to another tab's upgrade or delete: keeping the connection
  // open would block it.
  db.onversionchange = () => lose('versionchange')
  db.onclose = () => lose('lost')

  const connection: Connection = {
    current() {
      if (!db) throw new StorageClosedError()
      return db
    },
  }

  // Checks of doc databases started ahead of attaching them (prepareDoc).
  const checks = new Map<string, Promise<void>>()
  const prepareDoc = (docName: string): void => {
    if (factory !== globalIndexedDB() || checks.has(docName)) return
    const check = dropIfDamaged(docDatabaseName(name, docName))
    check.catch(() => undefined)
    checks.set(docName, check)
  }

  const attachDoc = async (docName: string, doc: Y.Doc): Promise<DocAttachment> => {
    const checked = checks.get(docName)
    checks.delete(docName)
    const current = connection.current()
    if (factory !== globalIndexedDB()) {
      throw new StorageUnavailableError('Docs can only be kept in the global indexedDB (y-indexeddb takes no factory)')
    }
    // Remembered first, so that destroy() finds the doc's database even if attaching fails halfway.
    // Read before writing: docs are attached on every start, and a durable write costs a disk flush.
    const known = await read(current, STORES.docs, (store) => store.getKey(docName))
    if (known === undefined) {
      const row: DocRow = { name: docName }
      await write(current, [STORES.docs], (transaction) => {
        transaction.objectStore(STORES.docs).put(row, docName)
      })
    }
    const persisted = await persistDoc(docDatabaseName(name, docName), doc, checked)
    const attachment: DocAttachment = {
      covers: persisted.covers,
      hold: persisted.hold,
      markCovered: persisted.markCovered,
      async close() {
        attachments.delete(attachment)
        await persisted.close()
      },
    }
    attachments.add(attachment)
    return attachment
  }

  const close = async () => {
    await Promise.all([...attachments].map((attachment) => attachment.close()))
    db?.close()
    db = undefined
  }

  const docNames = async (): Promise<string[]> => {
    const current = db ?? (await open())
    try {
      return (await read(current, STORES.docs, (store) => store.getAllKeys())) as string[]
    } finally {
      if (current !== db) current.close()
    }
  }

  return {
    name,
    entries: createEntryStorage(connection),
    records: createRecordStorage(connection),
    blobs: createBlobStorage(connection),
    snapshots: createSnapshotStorage(connection),
    attachDoc,
    prepareDoc,
    journal,
    close,
    async destroy() {
      const docs = await docNames()
      await close()
      journal.clear()
      for (const docName of docs) await deleteDatabase(factory, docDatabaseName(name, docName))
      await deleteDatabase(factory, name)
    },
  }
}
