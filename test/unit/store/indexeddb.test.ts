/**
 * The IndexedDB store over fake-indexeddb: the shared acceptance suite, then what only this adapter
 * has (lifecycle, schema, errors). Each test gets its own `IDBFactory`, installed as the global too,
 * because y-indexeddb (through lib0/indexeddb) only ever uses the global `indexedDB`.
 */
import 'fake-indexeddb/auto'
import { IDBFactory, IDBObjectStore as FakeObjectStore } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deleteDocData, docDatabaseName, openStorage, SCHEMA_VERSION, type CloseReason } from '../../../src/store'
import { runStorageAcceptance } from '../../support/store-acceptance'

function installFactory(): { factory: IDBFactory; restore(): void } {
  const previous = globalThis.indexedDB
  const factory = new IDBFactory()
  globalThis.indexedDB = factory
  return { factory, restore: () => (globalThis.indexedDB = previous) }
}

/** Every following put or add fails the way a browser's full disk makes it fail. */
function injectQuotaFailure(): () => void {
  const proto = FakeObjectStore.prototype
  const { put, add } = proto
  const refuse = (): never => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
  }
  proto.put = refuse
  proto.add = refuse
  return () => {
    proto.put = put
    proto.add = add
  }
}

/** Raw reads of a doc's database, as it is on disk. */
async function inDocDatabase<T>(storageName: string, docName: string, read: (transaction: IDBTransaction) => IDBRequest<T>): Promise<T> {
  const db = await new Promise<IDBDatabase>((opened, failed) => {
    const request = indexedDB.open(docDatabaseName(storageName, docName))
    request.onsuccess = () => opened(request.result)
    request.onerror = () => failed(request.error)
  })
  try {
    const request = read(db.transaction(['updates', 'custom'], 'readonly'))
    return await new Promise<T>((done, failed) => {
      request.onsuccess = () => done(request.result)
      request.onerror = () => failed(request.error)
    })
  } finally {
    db.close()
  }
}

/** A new storage with one attached doc whose profile name, Ana, is saved. */
async function docNamedAna(storageName: string) {
  const storage = await openStorage({ name: storageName })
  const doc = new Y.Doc()
  const attachment = await storage.attachDoc('member-a', doc)
  doc.getMap('profile').set('name', 'Ana')
  return { storage, doc, attachment }
}

/** Attaches a fresh doc to what `docName` saved: how the next opening sees it. */
async function reattach(storage: Awaited<ReturnType<typeof openStorage>>, docName = 'member-a') {
  const doc = new Y.Doc()
  return { doc, attachment: await storage.attachDoc(docName, doc) }
}

/**
 * 500 saved updates (a fold comes due from the 500th on; attaching saved one more), then
 * a hold and an edit behind it, and time for the fold to come due (a second after it was asked for).
 */
async function foldDueWhileHeld(storageName: string) {
  const storage = await openStorage({ name: storageName })
  const doc = new Y.Doc()
  const attachment = await storage.attachDoc('member-a', doc)
  for (let i = 0; i < 500; i++) doc.getArray<number>('log').push([i])
  const release = attachment.hold()
  doc.getMap('profile').set('name', 'held')
  await new Promise((done) => setTimeout(done, 1_800))
  return { storage, attachment, release }
}

/**
 * Runs `edit` while every save to a doc's `updates` store fails: its request succeeds and its
 * transaction then fails to commit (as a quota failure does), or the request itself fails.
 */
async function whileSavesFail<T>(how: 'at commit' | 'at the request', edit: () => T): Promise<Awaited<T>> {
  const { add } = FakeObjectStore.prototype
  FakeObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
    const request = add.apply(this, args)
    if (this.name === 'updates') {
      if (how === 'at commit') request.addEventListener('success', () => this.transaction.abort())
      else this.transaction.abort()
    }
    return request
  }
  try {
    // Only what `edit` does synchronously, and until its promise settles, meets the failing saves.
    return await edit()
  } finally {
    FakeObjectStore.prototype.add = add
  }
}

/** Reopens member-a and expects the whole profile (Ana, Elm Street) and `covers`, then clears up. */
async function expectWholeProfileOnReopen(storage: Awaited<ReturnType<typeof openStorage>>, covers: Record<string, number>) {
  const { doc, attachment } = await reattach(storage)
  expect(attachment.covers).toEqual(covers)
  expect(doc.getMap('profile').toJSON()).toEqual({ name: 'Ana', place: 'Elm Street' })
  await attachment.close()
  await storage.destroy()
}

const coversOnDisk = (storageName: string, docName: string) => inDocDatabase(storageName, docName, (t) => t.objectStore('custom').get('sharecircle:covers'))
const rowsOnDisk = (storageName: string, docName: string) => inDocDatabase(storageName, docName, (t) => t.objectStore('updates').count())

runStorageAcceptance(
  'fake-indexeddb',
  async () => {
    const { factory, restore } = installFactory()
    const name = 'sharecircle-test'
    let storage = await openStorage({ name, indexedDB: factory })
    return {
      storage,
      async reopen() {
        await storage.close()
        storage = await openStorage({ name, indexedDB: factory })
        return storage
      },
      async teardown() {
        await storage.destroy()
        expect(await factory.databases()).toEqual([])
        restore()
      },
    }
  },
  { injectQuotaFailure },
)

describe('openStorage over fake-indexeddb', () => {
  let factory: IDBFactory
  let restore: () => void

  beforeEach(() => {
    ;({ factory, restore } = installFactory())
  })

  afterEach(() => {
    restore()
  })

  async function databaseNames(): Promise<string[]> {
    return (await factory.databases()).map((info) => info.name ?? '').sort()
  }

  it('names the database `sharecircle` and doc databases `sharecircle-doc:<name>` by default', async () => {
    const storage = await openStorage()
    const attachment = await storage.attachDoc('circle-1:member-a', new Y.Doc())
    await attachment.close()
    expect(storage.name).toBe('sharecircle')
    expect(await databaseNames()).toEqual(['sharecircle', 'sharecircle-doc:circle-1:member-a'])
    await storage.destroy()
    expect(await databaseNames()).toEqual([])
  })

  it('creates the schema at the current version', async () => {
    const storage = await openStorage({ name: 'schema' })
    await storage.close()
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open('schema')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    expect(db.version).toBe(SCHEMA_VERSION)
    expect([...db.objectStoreNames].sort()).toEqual(['blobs', 'docs', 'entries', 'forks', 'heads', 'records', 'snapshots'])
    db.close()
  })

  it('rejects every call after close() with StorageClosedError; close() twice is fine', async () => {
    const storage = await openStorage({ name: 'closed' })
    await storage.close()
    await storage.close()
    const calls: Array<() => Promise<unknown>> = [
      () => storage.entries.putEntries([]),
      () => storage.entries.getAll('aa'),
      () => storage.entries.getRange('aa', 'bb', 0),
      () => storage.entries.heads('aa'),
      () => storage.entries.putFork('aa', 'bb', 0, []),
      () => storage.entries.getForks('aa'),
      () => storage.records.getDevice(),
      () => storage.records.listCircles(),
      () => storage.records.deleteCircle('x'),
      () => storage.blobs.getBlob('x'),
      () => storage.blobs.putBlob('x', new Uint8Array(1)),
      () => storage.attachDoc('x', new Y.Doc()),
    ]
    for (const call of calls) await expect(call()).rejects.toMatchObject({ name: 'StorageClosedError' })
    await storage.destroy()
    expect(await databaseNames()).toEqual([])
  })

  it('closes politely when another tab upgrades or deletes the database, and says so', async () => {
    const reasons: CloseReason[] = []
    const storage = await openStorage({ name: 'polite', onClose: (reason) => reasons.push(reason) })
    await storage.records.putDevice({
      identitySecret: new Uint8Array(64),
      deviceSecret: new Uint8Array(64),
      boxSecret: new Uint8Array(32),
      name: 'Ana',
      createdAt: 1,
      backedUpAt: undefined,
    })
    const deleted = await new Promise<string>((resolve) => {
      const request = factory.deleteDatabase('polite')
      request.onsuccess = () => resolve('deleted')
      request.onblocked = () => resolve('blocked')
    })
    expect(deleted).toBe('deleted')
    expect(reasons).toEqual(['versionchange'])
    await expect(storage.records.getDevice()).rejects.toMatchObject({ name: 'StorageClosedError' })
  })

  it('reports no IndexedDB at all as StorageUnavailableError', async () => {
    const global = globalThis as { indexedDB?: IDBFactory }
    const installed = global.indexedDB
    delete global.indexedDB
    try {
      await expect(openStorage()).rejects.toMatchObject({ name: 'StorageUnavailableError' })
      await expect(deleteDocData('x')).rejects.toMatchObject({ name: 'StorageUnavailableError' })
    } finally {
      global.indexedDB = installed
    }
  })

  it('reports a browser that refuses IndexedDB (private mode, sandbox) as StorageUnavailableError', async () => {
    const refusing = {
      open() {
        throw new DOMException('Access to IndexedDB is denied in this context.', 'SecurityError')
      },
    } as unknown as IDBFactory
    const error = await openStorage({ indexedDB: refusing }).catch((reason: unknown) => reason)
    expect(error).toMatchObject({ name: 'StorageUnavailableError', cause: { name: 'SecurityError' } })
  })

  it('reports data from a newer app version as StorageUnavailableError (VersionError as cause)', async () => {
    await new Promise<void>((resolve, reject) => {
      const request = factory.open('newer', SCHEMA_VERSION + 5)
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(request.error)
    })
    const error = await openStorage({ name: 'newer' }).catch((reason: unknown) => reason)
    expect(error).toMatchObject({ name: 'StorageUnavailableError', cause: { name: 'VersionError' } })
  })

  it('refuses attachDoc when its factory is not the global one y-indexeddb would use', async () => {
    const storage = await openStorage({ name: 'elsewhere', indexedDB: new IDBFactory() })
    await expect(storage.attachDoc('x', new Y.Doc())).rejects.toMatchObject({ name: 'StorageUnavailableError' })
    await storage.destroy()
  })

  it('holds a doc’s saves until released, then saves them in order; close drops what is still held', async () => {
    const storage = await openStorage({ name: 'held' })
    const doc = new Y.Doc()
    const attachment = await storage.attachDoc('member-a', doc)
    const adds: unknown[] = []
    const add = FakeObjectStore.prototype.add
    FakeObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (this.name === 'updates') adds.push(args[0])
      return add.apply(this, args)
    }
    try {
      const release = attachment.hold()
      doc.getMap('profile').set('name', 'Ana')
      doc.getMap('profile').set('place', 'Elm Street')
      expect(adds).toHaveLength(0)
      release()
      release()
      expect(adds).toHaveLength(2)

      const never = attachment.hold()
      doc.getMap('profile').set('name', 'Ana B.')
      expect(adds).toHaveLength(2)
      // What a hold keeps back is not durable anywhere else yet: closing does not write it.
      await attachment.close()
      never()
      expect(adds).toHaveLength(2)
    } finally {
      FakeObjectStore.prototype.add = add
    }

    const fresh = new Y.Doc()
    const again = await storage.attachDoc('member-a', fresh)
    expect(fresh.getMap('profile').toJSON()).toEqual({ name: 'Ana', place: 'Elm Street' })
    await again.close()
    await storage.destroy()
  })

  it('keeps a covers mark with the doc, written only after the updates made before it, held ones too', async () => {
    const storage = await openStorage({ name: 'covers' })
    const doc = new Y.Doc()
    const attachment = await storage.attachDoc('member-a', doc)
    expect(attachment.covers).toEqual({})
    const writes: string[] = []
    const { add, put } = FakeObjectStore.prototype
    FakeObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      writes.push(`add ${this.name}`)
      return add.apply(this, args)
    }
    FakeObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      writes.push(`put ${this.name}`)
      return put.apply(this, args)
    }
    try {
      const release = attachment.hold()
      doc.getMap('profile').set('name', 'Ana')
      const marked = attachment.markCovered({ feedA: 3, feedB: 0 })
      // Both wait behind the hold; then the update goes first.
      await new Promise((done) => setTimeout(done, 10))
      expect(writes).toEqual([])
      release()
      await marked
      expect(writes).toEqual(['add updates', 'put custom'])
      await attachment.close()
    } finally {
      FakeObjectStore.prototype.add = add
      FakeObjectStore.prototype.put = put
    }

    const fresh = new Y.Doc()
    const again = await storage.attachDoc('member-a', fresh)
    expect(again.covers).toEqual({ feedA: 3, feedB: 0 })
    expect(fresh.getMap('profile').get('name')).toBe('Ana')
    await again.close()
    await storage.destroy()
  })

  it('after a save of the doc failed (a full disk at commit), a mark claims nothing until it can save the whole doc with it', async () => {
    const { storage, doc, attachment } = await docNamedAna('damaged')
    const first = whileSavesFail('at commit', () => {
      doc.getMap('profile').set('place', 'Elm Street')
      // Asked for while the failing save is still under way: it learns of the failure too late to
      // have encoded the doc, so it must not move.
      return attachment.markCovered({ feedA: 1 })
    })
    await first
    expect(await coversOnDisk('damaged', 'member-a')).toBeUndefined()
    // Asked for once the failure is known: the whole doc goes with it.
    await attachment.markCovered({ feedA: 2 })
    await attachment.close()
    await expectWholeProfileOnReopen(storage, { feedA: 2 })
  })

  it('handles a save refused at the request, not only at commit: no unhandled rejection, and the next mark saves the whole doc', async () => {
    const { storage, doc, attachment } = await docNamedAna('refused')
    await whileSavesFail('at the request', async () => {
      doc.getMap('profile').set('place', 'Elm Street')
      await new Promise((done) => setTimeout(done, 10))
    })
    await attachment.markCovered({ feedA: 1 })
    await attachment.close()
    await expectWholeProfileOnReopen(storage, { feedA: 1 })
  })

  it('keeps updates Yjs holds pending (waiting for ones they build on) with a mark, though y-indexeddb never saved them', async () => {
    const storage = await openStorage({ name: 'pending' })
    const author = new Y.Doc()
    const updates: Uint8Array[] = []
    author.on('update', (update: Uint8Array) => updates.push(update))
    author.getArray<string>('log').push(['first'])
    author.getArray<string>('log').push(['second'])
    const doc = new Y.Doc()
    const attachment = await storage.attachDoc('member-a', doc)
    Y.applyUpdate(doc, updates[1]!)
    expect(doc.store.pendingStructs).not.toBeNull()
    await attachment.markCovered({ feedA: 1 })
    await attachment.close()

    const { doc: fresh, attachment: again } = await reattach(storage)
    Y.applyUpdate(fresh, updates[0]!)
    expect(fresh.getArray('log').toArray()).toEqual(['first', 'second'])
    await again.close()
    await storage.destroy()
  })

  it('folds many saved updates into one only while nothing is held back', { timeout: 20_000 }, async () => {
    const { storage, attachment, release } = await foldDueWhileHeld('fold')
    expect(await rowsOnDisk('fold', 'member-a')).toBeGreaterThan(400)
    // Released: it starts at once (and the read below waits for it).
    release()
    expect(await rowsOnDisk('fold', 'member-a')).toBeLessThan(5)
    await attachment.close()

    const { doc: fresh, attachment: again } = await reattach(storage)
    expect(fresh.getArray('log').length).toBe(500)
    expect(fresh.getMap('profile').get('name')).toBe('held')
    await again.close()
    await storage.destroy()
  })

  it('never writes what is still held back when the fold comes due and the attachment then closes', { timeout: 20_000 }, async () => {
    const { storage, attachment } = await foldDueWhileHeld('fold-held')
    await attachment.close()

    const { doc: fresh, attachment: again } = await reattach(storage)
    expect(fresh.getArray('log').length).toBe(500)
    expect(fresh.getMap('profile').get('name')).toBeUndefined()
    await again.close()
    await storage.destroy()
  })

  it('folds in the updates another tab saved that this one never saw', { timeout: 20_000 }, async () => {
    const storage = await openStorage({ name: 'fold-tabs' })
    const mine = new Y.Doc()
    const theirs = new Y.Doc()
    const here = await storage.attachDoc('member-a', mine)
    const there = await storage.attachDoc('member-a', theirs)
    theirs.getMap('offers').set('from the other tab', 'E')
    for (let i = 0; i < 500; i++) mine.getArray<number>('log').push([i])
    await new Promise((done) => setTimeout(done, 1_800))
    expect(await rowsOnDisk('fold-tabs', 'member-a')).toBeLessThan(5)
    await here.close()
    await there.close()

    const { doc: fresh, attachment: again } = await reattach(storage)
    expect(fresh.getMap('offers').get('from the other tab')).toBe('E')
    expect(fresh.getArray('log').length).toBe(500)
    await again.close()
    await storage.destroy()
  })

  it('writes nothing once closing has begun: not a late edit, not a mark', async () => {
    const { storage, doc, attachment } = await docNamedAna('closing')
    const closing = attachment.close()
    doc.getMap('profile').set('name', 'late')
    await attachment.markCovered({ feedA: 9 })
    await closing

    const { doc: fresh, attachment: again } = await reattach(storage)
    expect(fresh.getMap('profile').get('name')).toBe('Ana')
    expect(again.covers).toEqual({})
    await again.close()
    await storage.destroy()
  })

  it('reads a covers mark that is not a map of feed to seq as no mark (everything is replayed)', async () => {
    const storage = await openStorage({ name: 'bad-covers' })
    for (const bad of [[1, 2], { feedA: -1 }, { feedA: 1.5 }, { feedA: '3' }, 'all', null]) {
      const doc = new Y.Doc()
      const attachment = await storage.attachDoc('member-a', doc)
      await new Promise<void>((done, failed) => {
        const request = indexedDB.open(docDatabaseName('bad-covers', 'member-a'))
        request.onsuccess = () => {
          const db = request.result
          const transaction = db.transaction(['custom'], 'readwrite')
          transaction.objectStore('custom').put(bad, 'sharecircle:covers')
          transaction.oncomplete = () => (db.close(), done())
          transaction.onerror = () => failed(transaction.error)
        }
        request.onerror = () => failed(request.error)
      })
      await attachment.close()
      const again = await storage.attachDoc('member-a', new Y.Doc())
      expect(again.covers).toEqual({})
      await again.close()
    }
    await storage.destroy()
  })

  it('deleteDocData removes what a doc saved', async () => {
    const storage = await openStorage({ name: 'docs' })
    const doc = new Y.Doc()
    const attachment = await storage.attachDoc('member-a', doc)
    doc.getMap('profile').set('name', 'Ana')
    await attachment.close()
    await deleteDocData('member-a', { storageName: 'docs' })

    const fresh = new Y.Doc()
    const again = await storage.attachDoc('member-a', fresh)
    expect(fresh.getMap('profile').get('name')).toBeUndefined()
    await again.close()
    await storage.destroy()
  })
})

describe('attachDoc when another tab deletes the doc database', () => {
  it('stops saving instead of throwing into the next edit, and close() still resolves', async () => {
    const { restore } = installFactory()
    try {
      const storage = await openStorage({ name: 'shared' })
      const doc = new Y.Doc()
      const attachment = await storage.attachDoc('member-a', doc)
      doc.getMap('profile').set('name', 'Ana')
      await deleteDocData('member-a', { storageName: 'shared' })
      expect(() => doc.getMap('profile').set('name', 'Ana B.')).not.toThrow()
      await attachment.close()
      await storage.destroy()
    } finally {
      restore()
    }
  })
})
