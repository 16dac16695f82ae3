/**
 * Member docs persisted with y-indexeddb, one IndexedDB database per doc. y-indexeddb opens the
 * database and loads what is saved; from then on the doc's updates are saved here (GatedSaves), in
 * y-indexeddb's layout. y-indexeddb (through lib0/indexeddb) always uses the global `indexedDB` and
 * `IDBKeyRange`; it takes no factory. This reaches into three of its fields (`_db`, `_storeUpdate`,
 * `_destroyed`), so package.json pins its exact version: an upgrade is a change to review here.
 */
import * as Y from 'yjs'
import * as idb from 'lib0/indexeddb'
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb'
import type { DocAttachment, DocCovers } from '../circle/types'
import { StorageClosedError, StorageUnavailableError } from './errors'
import { asCovers } from './covers'
import { openError, requestResult, startTransaction, write } from './idb'
import { DEFAULT_NAME } from './schema'

/** The doc's covers mark, kept in y-indexeddb's `custom` store of the doc's own database. */
const COVERS_KEY = 'sharecircle:covers'
/** Saved updates are folded into one once there are this many (y-indexeddb's own threshold)… */
const FOLD_AT_ROWS = 500
/** …this long after the threshold is reached. */
const FOLD_DELAY_MS = 1_000

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
export async function persistDoc(databaseName: string, doc: Y.Doc, checked?: Promise<void>): Promise<DocAttachment> {
  if (!globalIndexedDB()) throw new StorageUnavailableError()
  await (checked ?? dropIfDamaged(databaseName))
  const persistence = new IndexeddbPersistence(databaseName, doc)
  let db: IDBDatabase
  try {
    // `whenSynced` never settles if the database fails to open, so wait on the open first.
    db = await persistence._db
  } catch (error) {
    // Unhook it from the doc; its own promise rejects with the same failure reported here.
    persistence.destroy().catch(() => undefined)
    throw openError(error)
  }
  // lib0 closes the connection when another tab deletes or upgrades the doc's database, but
  // y-indexeddb keeps listening to the doc, and its next write would throw into whoever edited the
  // doc. Stop listening instead; the doc lives on in memory.
  let closedEarly!: (error: Error) => void
  const closed = new Promise<never>((_, reject) => (closedEarly = reject))
  const detach = () => {
    void persistence.destroy()
    // Destroyed before it loaded, y-indexeddb never says it did.
    closedEarly(new StorageClosedError('The doc\'s database was closed while it loaded'))
  }
  db.addEventListener('versionchange', detach)
  db.addEventListener('close', detach)
  closed.catch(() => undefined)
  await Promise.race([persistence.whenSynced, closed])
  const { covers, rows } = await readSaved(db)
  const saves = new GatedSaves(persistence, db, rows)
  let closing: Promise<void> | undefined
  return {
    covers,
    hold: () => saves.hold(),
    markCovered: (next) => saves.mark(next),
    close() {
      if (!closing) {
        saves.dropHeld()
        closing = flushAndDestroy(persistence)
      }
      return closing
    },
  }
}

/**
 * y-indexeddb applies the saved rows in a promise chain nobody can catch: a damaged row (a disk
 * fault) would leave `whenSynced` pending forever and the circle never open. The own doc is a cache
 * of the device's own stored entries, so a damaged one is dropped and rebuilt from them (no covers
 * mark: the caller replays every entry). Costs a database open: Storage.prepareDoc starts it early,
 * alongside the circle's other reads.
 */
export async function dropIfDamaged(databaseName: string): Promise<void> {
  if (await hasDamagedRows(databaseName)) await clearDocument(databaseName)
}

/**
 * Whether the rows y-indexeddb saved for the doc do not apply, in order, as it will apply them (a row
 * can decode as a Yjs update and still throw when applied). Opens the database as y-indexeddb does
 * (same stores, so a new one is created the same way) and closes it again.
 */
async function hasDamagedRows(databaseName: string): Promise<boolean> {
  let db: IDBDatabase
  try {
    db = await idb.openDB(databaseName, (created) => idb.createStores(created, [['updates', { autoIncrement: true }], ['custom']]))
  } catch (error) {
    throw openError(error)
  }
  try {
    const rows = await requestResult<unknown[]>(startTransaction(db, ['updates'], 'readonly').objectStore('updates').getAll())
    return !appliesInOrder(rows)
  } catch {
    // Rows that cannot even be read are damaged the same way.
    return true
  } finally {
    db.close()
  }
}

function appliesInOrder(rows: unknown[]): boolean {
  if (!rows.every((row) => row instanceof Uint8Array)) return false
  const scratch = new Y.Doc({ gc: true })
  try {
    Y.transact(scratch, () => rows.forEach((row) => Y.applyUpdate(scratch, row as Uint8Array)))
    return true
  } catch {
    return false
  } finally {
    scratch.destroy()
  }
}

/** The saved mark (empty if there is none or it is not what `markCovered` writes) and the saved rows. */
async function readSaved(db: IDBDatabase): Promise<{ covers: DocCovers; rows: number }> {
  const transaction = startTransaction(db, ['updates', 'custom'], 'readonly')
  const [saved, rows] = await Promise.all([
    requestResult<unknown>(transaction.objectStore('custom').get(COVERS_KEY)),
    requestResult(transaction.objectStore('updates').count()),
  ])
  return { covers: asCovers(saved), rows }
}


interface Gated {
  run(): void
  /** Closed while it was held back (or asked for after): a mark settles here. */
  drop?(): void
}

/**
 * Every write to the doc's database after loading goes through here: each update (in the layout
 * y-indexeddb reads, in place of its own listener, which neither waits nor reports a failed save),
 * the covers mark, and the folding of many saved updates into one. While a hold is on they queue, and
 * go out in order when the last hold is released. Closing with a hold still on drops them: what a
 * hold keeps back is not durable anywhere else yet, so the disk must not have it either.
 */
class GatedSaves {
  readonly #persistence: IndexeddbPersistence
  readonly #db: IDBDatabase
  readonly #queued: Gated[] = []
  /** Rows in `updates`, as far as this tab knows: when to fold. */
  #rows: number
  #holds = 0
  /** Closing: nothing more is written, whatever asks. */
  #closed = false
  /** A write to the doc's database failed (a full disk): what is saved falls short of the doc. */
  #damaged = false
  #foldTimer: ReturnType<typeof setTimeout> | undefined

  constructor(persistence: IndexeddbPersistence, db: IDBDatabase, rows: number) {
    this.#persistence = persistence
    this.#db = db
    this.#rows = rows
    // A failed transaction tells the database it belongs to, whoever started it.
    db.addEventListener('abort', () => (this.#damaged = true))
    persistence.doc.off('update', persistence._storeUpdate)
    // `_storeUpdate` is the field y-indexeddb's own `destroy()` unhooks, so destroying unhooks this too.
    persistence._storeUpdate = (update, origin) => {
      // What y-indexeddb itself applied while loading is saved already.
      if (origin !== persistence) this.#run({ run: () => this.#saveUpdate(update) })
    }
    persistence.doc.on('update', persistence._storeUpdate)
  }

  hold(): () => void {
    if (this.#closed) return () => undefined
    this.#holds++
    let released = false
    return () => {
      if (released || this.#holds === 0) return
      released = true
      if (--this.#holds === 0) for (const item of this.#queued.splice(0)) this.#attempt(item)
    }
  }

  /** Writes the covers mark once every save asked for before it is made (see markCovered). */
  mark(covers: DocCovers): Promise<void> {
    const mark = { ...covers }
    return new Promise<void>((marked, failed) => this.#run({ run: () => this.#writeMark(mark).then(marked, failed), drop: marked }))
  }

  /** Closing: what is still held back is never written, nor is anything asked for from now on. */
  dropHeld(): void {
    this.#closed = true
    this.#holds = 0
    clearTimeout(this.#foldTimer)
    for (const item of this.#queued.splice(0)) item.drop?.()
  }

  #run(item: Gated): void {
    if (this.#closed) item.drop?.()
    else if (this.#holds > 0) this.#queued.push(item)
    else this.#attempt(item)
  }

  #attempt(item: Gated): void {
    try {
      item.run()
    } catch {
      // Anything that throws before its transaction starts (a connection that is closing) is a save
      // that did not happen.
      this.#damaged = true
    }
  }

  #saveUpdate(update: Uint8Array): void {
    // Destroyed meanwhile (another tab deleted the database, or the circle closed).
    if (this.#persistence._destroyed) return
    // 'relaxed', as y-indexeddb's own saves: the stored entries are what is durable; a mark, strict,
    // flushes the saves before it.
    write(this.#db, ['updates'], (transaction) => void transaction.objectStore('updates').add(update), 'relaxed').catch(
      () => undefined, // Its abort marked the doc damaged: the next mark saves it whole.
    )
    if (++this.#rows >= FOLD_AT_ROWS && this.#foldTimer === undefined) {
      this.#foldTimer = setTimeout(() => {
        this.#foldTimer = undefined
        this.#run({ run: () => this.#fold() })
      }, FOLD_DELAY_MS)
    }
  }

  /**
   * Replaces every saved update with one: the whole doc, encoded now (nothing is held back), merged
   * with what is saved, which may hold another tab's updates this doc has not seen.
   */
  #fold(): void {
    const persistence = this.#persistence
    if (persistence._destroyed) return
    const whole = Y.encodeStateAsUpdate(persistence.doc)
    this.#rows = 1
    write(this.#db, ['updates'], (transaction, guard) => {
      const updates = transaction.objectStore('updates')
      const saved = updates.getAll()
      const keys = updates.getAllKeys()
      keys.onsuccess = guard(() => {
        const last = keys.result.at(-1)
        updates.add(Y.mergeUpdates([...(saved.result as Uint8Array[]), whole]))
        if (last !== undefined) updates.delete(IDBKeyRange.upperBound(last))
      })
    }).catch(
      () => undefined, // The abort marked the doc damaged; the next mark saves it whole.
    )
  }

  #writeMark(mark: DocCovers): Promise<void> {
    const persistence = this.#persistence
    if (persistence._destroyed) return Promise.resolve()
    // Encoded now, while nothing is held back, if a save failed or if Yjs keeps updates pending
    // (waiting for ones they build on: the update event leaves those out, so they were never saved;
    // a whole-doc encoding includes them).
    const { store } = persistence.doc
    const whole = this.#damaged || store.pendingStructs !== null || store.pendingDs !== null ? Y.encodeStateAsUpdate(persistence.doc) : undefined
    // A readwrite transaction over `updates` starts only after every earlier one on it has finished:
    // the mark commits after the saves asked for before it, and by the time the read answers, any of
    // them that failed has said so.
    return write(this.#db, ['updates', 'custom'], (transaction, guard) => {
      const custom = transaction.objectStore('custom')
      custom.get(COVERS_KEY).onsuccess = guard(() => {
        // Only a whole-doc save encoded when the mark was asked for covers a failed one; without
        // it, the mark stays where it is and the next one is made whole.
        if (this.#damaged && !whole) return
        if (whole) transaction.objectStore('updates').add(whole)
        this.#damaged = false
        custom.put(mark, COVERS_KEY)
      })
    })
  }
}

async function flushAndDestroy(persistence: IndexeddbPersistence): Promise<void> {
  const db = persistence.db
  if (db) {
    try {
      // The saves are not waited for. A readwrite transaction on the same store completes only after
      // every earlier one has, and 'strict' durability flushes them to disk with it.
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
