/**
 * Tunables of the relay. Defaults bind to loopback: serving a whole street from one laptop is a
 * deliberate `--host 0.0.0.0`, never an accident.
 */

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_DIST = 'dist'

/** Hashed build assets never change under the same name, so browsers may keep them for a year. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'
/** Everything else is revalidated on each use (cheap: an ETag answer is a 304 without a body). */
export const REVALIDATE_CACHE_CONTROL = 'no-cache'

/** How long `close()` lets in-flight responses finish before cutting their connections. */
export const CLOSE_GRACE_MS = 2_000
