/**
 * src/store — durable storage on this device: raw feed entries (with heads and forks), the device
 * record, circles, blobs, and Yjs member docs (through y-indexeddb), all in IndexedDB. It implements
 * the storage interfaces of `src/circle/types.ts`; `test/support/store-acceptance.ts` is the suite
 * every implementation re-runs.
 *
 * May import: `src/core` and `src/circle` as types only (`import type`), yjs, y-indexeddb and lib0.
 * No UI, no network.
 */
export { openStorage } from './storage'
export type { CloseReason, IndexeddbStorage, OpenStorageOptions } from './storage'
export type { ForkRecord, IndexeddbEntryStorage } from './entries'
export { deleteDocData, docDatabaseName } from './docs'
export { DEFAULT_NAME, SCHEMA_VERSION } from './schema'
export { StorageBlockedError, StorageClosedError, StorageDamagedError, StorageFullError, StorageUnavailableError } from './errors'
