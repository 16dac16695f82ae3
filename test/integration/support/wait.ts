/** Polling without timing assertions: the caller's signal (or the test timeout) bounds the wait. */

export const POLL_INTERVAL_MS = 25

/** Resolves with the first defined, non-false value `check` returns; rejects when `signal` aborts. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { signal?: AbortSignal; intervalMs?: number } = {},
): Promise<T> {
  const interval = options.intervalMs ?? POLL_INTERVAL_MS
  for (;;) {
    options.signal?.throwIfAborted()
    const value = await check()
    if (value !== undefined && value !== false) return value
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(done, interval)
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          fail(options.signal?.reason)
        },
        { once: true },
      )
    })
  }
}
