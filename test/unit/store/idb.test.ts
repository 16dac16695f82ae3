/**
 * The promise helpers under the store, where a browser's failure modes are easier to stage than
 * through the whole storage: blocked opens and deletes, aborted transactions, quota errors.
 */
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { beforeEach, describe, expect, it } from 'vitest'
import { deleteDatabase, mapWriteError, openDatabase, read, write } from '../../../src/store/idb'

let factory: IDBFactory

beforeEach(() => {
  factory = new IDBFactory()
})

const oneStore = (db: IDBDatabase) => {
  if (!db.objectStoreNames.contains('things')) db.createObjectStore('things')
}

/** A connection that, like an old tab without a versionchange handler, never lets go on its own. */
async function stubbornConnection(name: string): Promise<IDBDatabase> {
  return openDatabase({ factory, name, version: 1, upgrade: oneStore })
}

describe('openDatabase', () => {
  it('waits out a connection that closes while blocking', async () => {
    const old = await stubbornConnection('brief')
    const opening = openDatabase({ factory, name: 'brief', version: 2, upgrade: oneStore, blockedTimeoutMs: 1_000 })
    setTimeout(() => old.close(), 20)
    const db = await opening
    expect(db.version).toBe(2)
    db.close()
  })

  it('rejects with StorageBlockedError when an older connection will not close, and closes the late connection', async () => {
    const old = await stubbornConnection('blocked')
    await expect(openDatabase({ factory, name: 'blocked', version: 2, upgrade: oneStore, blockedTimeoutMs: 20 })).rejects.toMatchObject({
      name: 'StorageBlockedError',
    })
    old.close()
    // The pending upgrade now completes, and its connection is closed for us: deleting is not blocked.
    await expect(deleteDatabase(factory, 'blocked')).resolves.toBeUndefined()
  })

  it('reports an upgrade step that throws as StorageUnavailableError with the throw as cause', async () => {
    const failure = new TypeError('bad migration')
    const error = await openDatabase({
      factory,
      name: 'broken',
      version: 1,
      upgrade: () => {
        throw failure
      },
    }).catch((reason: unknown) => reason)
    expect(error).toMatchObject({ name: 'StorageUnavailableError' })
    expect((error as Error).cause).toBe(failure)
  })
})

describe('deleteDatabase', () => {
  it('rejects with StorageBlockedError while a connection will not close', async () => {
    const old = await stubbornConnection('held')
    await expect(deleteDatabase(factory, 'held', 20)).rejects.toMatchObject({ name: 'StorageBlockedError' })
    old.close()
  })
})

describe('write', () => {
  it('aborts on a throw, stores nothing, and rejects with the throw', async () => {
    const db = await openDatabase({ factory, name: 'writes', version: 1, upgrade: oneStore })
    const failure = new RangeError('half way')
    const error = await write(db, ['things'], (transaction) => {
      transaction.objectStore('things').put('first', 1)
      throw failure
    }).catch((reason: unknown) => reason)
    expect(error).toBe(failure)
    expect(await read(db, 'things', (store) => store.count())).toBe(0)
    db.close()
  })

  it('maps a transaction the browser aborts with QuotaExceededError to StorageFullError', async () => {
    // How a real quota failure arrives: the requests succeed, then commit fails and the transaction
    // aborts with `error` set. fake-indexeddb cannot stage that, so a stand-in transaction does.
    const transaction = { error: null as DOMException | null, onabort: null as (() => void) | null, oncomplete: null }
    const db = { transaction: () => transaction } as unknown as IDBDatabase
    const pending = write(db, ['things'], () => {
      queueMicrotask(() => {
        transaction.error = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
        transaction.onabort?.()
      })
    })
    const error = await pending.catch((reason: unknown) => reason)
    expect(error).toMatchObject({ name: 'StorageFullError', cause: { name: 'QuotaExceededError' } })
  })

  it('maps old Firefox quota errors too, and leaves other errors alone', () => {
    expect(mapWriteError(new DOMException('full', 'NS_ERROR_DOM_QUOTA_REACHED'))).toMatchObject({ name: 'StorageFullError' })
    const other = new DOMException('nope', 'DataError')
    expect(mapWriteError(other)).toBe(other)
  })
})
