/** A write button's pending state: a guard at once, the busy look only for a slow write. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PendingAction, SHOW_PENDING_AFTER_MS } from '../../../src/ui/state/pending.svelte'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('PendingAction', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('never shows a write that finishes within the delay', async () => {
    const pending = new PendingAction()
    const write = deferred<string>()
    const result = pending.run(() => write.promise)
    expect(pending.running).toBe(true)
    expect(pending.shown).toBe(false)
    vi.advanceTimersByTime(SHOW_PENDING_AFTER_MS - 1)
    write.resolve('saved')
    expect(await result).toBe('saved')
    vi.advanceTimersByTime(SHOW_PENDING_AFTER_MS)
    expect(pending.shown).toBe(false)
    expect(pending.running).toBe(false)
  })

  it('shows a slow write from the delay on, until it ends', async () => {
    const pending = new PendingAction()
    const write = deferred<void>()
    const result = pending.run(() => write.promise)
    vi.advanceTimersByTime(SHOW_PENDING_AFTER_MS)
    expect(pending.shown).toBe(true)
    write.resolve()
    await result
    expect(pending.shown).toBe(false)
  })

  it('ignores a second press while the first write runs', async () => {
    const pending = new PendingAction()
    const write = deferred<number>()
    const second = vi.fn(async () => 2)
    const first = pending.run(() => write.promise)
    expect(await pending.run(second)).toBeUndefined()
    expect(second).not.toHaveBeenCalled()
    write.resolve(1)
    expect(await first).toBe(1)
    expect(await pending.run(second)).toBe(2)
  })

  it('passes a failure on and is ready again after it', async () => {
    const pending = new PendingAction()
    const write = deferred<void>()
    const result = pending.run(() => write.promise)
    vi.advanceTimersByTime(SHOW_PENDING_AFTER_MS)
    write.reject(new Error('disk full'))
    await expect(result).rejects.toThrow('disk full')
    expect(pending.shown).toBe(false)
    expect(pending.running).toBe(false)
  })
})
