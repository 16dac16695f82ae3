/** Tunables of the store. */

/**
 * How long an open or delete may stay blocked before it fails with StorageBlockedError. A connection
 * that is closing but still finishing a transaction blocks too, for a moment (Chromium reports
 * `blocked` right after `close()` while a read is still in flight); only one that stays open past
 * this is a real blocker, such as a tab that ignores `versionchange`.
 */
export const BLOCKED_TIMEOUT_MS = 3_000
