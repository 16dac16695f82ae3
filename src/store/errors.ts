/**
 * The store's failures, one class per failure. Callers branch on `error.name`, never on message text;
 * the browser's own DOMException, when there is one, travels as `cause`.
 */

/** No IndexedDB here (an old browser, Node without a polyfill) or the browser refuses it (private mode, a sandboxed frame, data written by a newer version of the app). */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError'
  constructor(message = 'This browser does not let Sharecircle keep data on this device', options?: ErrorOptions) {
    super(message, options)
  }
}

/** The browser's storage quota is used up; nothing of the failed write was stored. */
export class StorageFullError extends Error {
  override name = 'StorageFullError'
  constructor(message = 'The storage on this device is full', options?: ErrorOptions) {
    super(message, options)
  }
}

/** Another tab holds the database open at an older version and did not let go. */
export class StorageBlockedError extends Error {
  override name = 'StorageBlockedError'
  constructor(message = 'Another Sharecircle tab is blocking the database; close it and try again', options?: ErrorOptions) {
    super(message, options)
  }
}

/** The storage was closed (by `close()`, by a newer version in another tab, or by the browser). */
export class StorageClosedError extends Error {
  override name = 'StorageClosedError'
  constructor(message = 'The storage is closed', options?: ErrorOptions) {
    super(message, options)
  }
}

/** A stored record is not what this app wrote (a disk or browser fault): nothing was changed by reading it. */
export class StorageDamagedError extends Error {
  override name = 'StorageDamagedError'
  constructor(message = 'Some data stored on this device is damaged', options?: ErrorOptions) {
    super(message, options)
  }
}
