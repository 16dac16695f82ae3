/**
 * Promises over IndexedDB's requests and transactions, and the mapping from the browser's
 * DOMExceptions to the store's named errors. Writes resolve on the transaction's `complete`, never on
 * a request's `success`: only `complete` means the data is on disk.
 */
import { BLOCKED_TIMEOUT_MS } from './constants'
import { StorageBlockedError, StorageClosedError, StorageFullError, StorageUnavailableError } from './errors'

/** Wraps a request callback so that a throw aborts the transaction and becomes the write's error. */
export type Guard = <A extends unknown[]>(callback: (...args: A) => void) => (...args: A) => void

export interface OpenDatabaseOptions {
  factory: IDBFactory
  name: string
  version: number
  upgrade(db: IDBDatabase, oldVersion: number, transaction: IDBTransaction): void
  /** How long to wait out `blocked` before failing; default BLOCKED_TIMEOUT_MS. */
  blockedTimeoutMs?: number
}

// Firefox before version 70 named the quota error differently.
const QUOTA_ERROR_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED'])

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('name' in error)) return undefined
  return typeof error.name === 'string' ? error.name : undefined
}

export function isQuotaError(error: unknown): boolean {
  const name = errorName(error)
  return name !== undefined && QUOTA_ERROR_NAMES.has(name)
}

/** Quota errors become StorageFullError (the original as `cause`); anything else passes through. */
export function mapWriteError(error: unknown): unknown {
  return isQuotaError(error) ? new StorageFullError(undefined, { cause: error }) : error
}

export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new DOMException('The request failed', 'UnknownError'))
  })
}

export function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve()
    transaction.onabort = () => reject(transaction.error ?? new DOMException('The transaction was aborted', 'AbortError'))
  })
}

/**
 * Starts a transaction; a connection that is closing or closed becomes StorageClosedError. Writes are
 * 'strict' unless told otherwise: the browser flushes them to disk before `complete`, since a
 * local-first app has no server copy to fall back on if the OS crashes right after a write.
 */
export function startTransaction(db: IDBDatabase, stores: string[], mode: IDBTransactionMode, durability: IDBTransactionDurability = 'strict'): IDBTransaction {
  try {
    return mode === 'readwrite' ? db.transaction(stores, mode, { durability }) : db.transaction(stores, mode)
  } catch (error) {
    if (errorName(error) === 'InvalidStateError') throw new StorageClosedError(undefined, { cause: error })
    throw error
  }
}

function abortQuietly(transaction: IDBTransaction): void {
  try {
    transaction.abort()
  } catch {
    // Already finished or aborting: the abort event reports the outcome either way.
  }
}

/**
 * Runs `fill` in one readwrite transaction and resolves with its result once the transaction has
 * completed. Any failure aborts the whole transaction, so a rejected write stored nothing.
 */
export async function write<T>(
  db: IDBDatabase,
  stores: string[],
  fill: (transaction: IDBTransaction, guard: Guard) => T,
  durability: IDBTransactionDurability = 'strict',
): Promise<T> {
  const transaction = startTransaction(db, stores, 'readwrite', durability)
  const done = transactionDone(transaction)
  let failure: { error: unknown } | undefined
  const guard: Guard =
    (callback) =>
    (...args) => {
      try {
        callback(...args)
      } catch (error) {
        failure ??= { error }
        abortQuietly(transaction)
      }
    }
  let result: T | undefined
  guard(() => {
    result = fill(transaction, guard)
  })()
  try {
    await done
  } catch (error) {
    // A transaction the browser aborted says why in `error` (a quota failure arrives this way); one we
    // aborted after a throw does not, so the throw is the reason.
    throw mapWriteError(transaction.error ?? failure?.error ?? error)
  }
  if (failure) throw mapWriteError(failure.error)
  return result as T
}

/** One request in a readonly transaction of one store. */
export async function read<T>(db: IDBDatabase, store: string, ask: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const transaction = startTransaction(db, [store], 'readonly')
  return requestResult(ask(transaction.objectStore(store)))
}

/** Adds `value` unless the key is taken; an existing record is kept and is not an error. */
export function addIfAbsent(
  store: IDBObjectStore,
  value: unknown,
  key: IDBValidKey | undefined,
  onAdded?: () => void,
): void {
  const request = key === undefined ? store.add(value) : store.add(value, key)
  if (onAdded) request.onsuccess = onAdded
  request.onerror = (event) => {
    // Any other error aborts the transaction, and `write` reports it.
    if (request.error?.name !== 'ConstraintError') return
    // Cancelling keeps the transaction alive; stopping keeps the benign error from reaching db.onerror.
    event.preventDefault()
    event.stopPropagation()
  }
}

/** What a failed database open means to the person: a full disk, or storage this app cannot use. */
export function openError(error: unknown): Error {
  if (isQuotaError(error)) return new StorageFullError(undefined, { cause: error })
  // Private modes, sandboxed frames and data from a newer app version (VersionError) all end here:
  // the app cannot use this database, and the cause says why.
  return new StorageUnavailableError(undefined, { cause: error })
}

interface VersionRequestHandlers<T> {
  blockedTimeoutMs: number
  onUpgradeNeeded?(request: IDBOpenDBRequest, event: IDBVersionChangeEvent): void
  result(request: IDBOpenDBRequest): T
  /** Why the request failed; default its own `error`. */
  failure?(request: IDBOpenDBRequest): unknown
  /** Disposes of a result that arrived after the caller was told the request was blocked. */
  late?(request: IDBOpenDBRequest): void
}

/**
 * An open or delete request as a promise. `blocked` starts a grace period instead of failing at once
 * (see BLOCKED_TIMEOUT_MS); past it the promise rejects with StorageBlockedError, and if the request
 * succeeds after all, `late` disposes of the result nobody is waiting for.
 */
function versionRequest<T>(start: () => IDBOpenDBRequest, handlers: VersionRequestHandlers<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest
    try {
      request = start()
    } catch (error) {
      reject(openError(error))
      return
    }
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const settle = (done: () => void) => {
      clearTimeout(timer)
      if (settled) return
      settled = true
      done()
    }
    if (handlers.onUpgradeNeeded) request.onupgradeneeded = (event) => handlers.onUpgradeNeeded?.(request, event)
    request.onblocked = () => {
      timer ??= setTimeout(() => settle(() => reject(new StorageBlockedError())), handlers.blockedTimeoutMs)
    }
    request.onsuccess = () => {
      if (settled) handlers.late?.(request)
      else settle(() => resolve(handlers.result(request)))
    }
    request.onerror = () => settle(() => reject(openError(handlers.failure ? handlers.failure(request) : request.error)))
  })
}

/** Opens (and if needed upgrades) a database; see versionRequest for `blocked`. */
export function openDatabase(options: OpenDatabaseOptions): Promise<IDBDatabase> {
  const { factory, name, version, upgrade, blockedTimeoutMs = BLOCKED_TIMEOUT_MS } = options
  let upgradeFailure: { error: unknown } | undefined
  return versionRequest(() => factory.open(name, version), {
    blockedTimeoutMs,
    onUpgradeNeeded(request, event) {
      const transaction = request.transaction
      if (!transaction) return
      try {
        upgrade(request.result, event.oldVersion, transaction)
      } catch (error) {
        // Thrown out of the event handler it would surface as an uncaught error; reported here it
        // becomes the open's rejection.
        upgradeFailure = { error }
        abortQuietly(transaction)
      }
    },
    result: (request) => request.result,
    failure: (request) => (upgradeFailure ? upgradeFailure.error : request.error),
    late: (request) => request.result.close(),
  })
}

/**
 * Deletes a database; see versionRequest for `blocked`. After StorageBlockedError the browser still
 * deletes the database once the blocking connection closes.
 */
export function deleteDatabase(factory: IDBFactory, name: string, blockedTimeoutMs = BLOCKED_TIMEOUT_MS): Promise<void> {
  return versionRequest(() => factory.deleteDatabase(name), { blockedTimeoutMs, result: () => undefined })
}

/** The open database as the stores see it: `current()` throws StorageClosedError once it is gone. */
export interface Connection {
  current(): IDBDatabase
}
