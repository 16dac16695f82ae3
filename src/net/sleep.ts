/** A wait that ends early, rejecting with the signal's reason, when the signal aborts. */
export function sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const { signal } = options
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** A signal that aborts after `ms`, or when `signal` does if that comes first. */
export function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms)
  return signal ? AbortSignal.any([signal, timeout]) : timeout
}

/** The wait before try `attempt` (1: the first retry): `minMs`, doubling each time, never over `maxMs`. */
export function backoffMs(minMs: number, maxMs: number, attempt: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1))
}
