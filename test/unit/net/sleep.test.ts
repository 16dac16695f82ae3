import { describe, expect, it } from 'vitest'
import { backoffMs, timeoutSignal } from '../../../src/net/sleep'

describe('backoffMs', () => {
  it('starts at the minimum, doubles with each attempt, and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => backoffMs(1_000, 10_000, attempt))).toEqual([1_000, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000])
  })
})

describe('timeoutSignal', () => {
  it('aborts after its time, or with the given signal if that aborts first', async () => {
    const timed = timeoutSignal(5)
    expect(timed.aborted).toBe(false)
    await new Promise((wait) => setTimeout(wait, 30))
    expect(timed.reason).toMatchObject({ name: 'TimeoutError' })
    const stop = new AbortController()
    const either = timeoutSignal(60_000, stop.signal)
    stop.abort(new Error('stopped'))
    expect(either.reason).toMatchObject({ message: 'stopped' })
  })
})
