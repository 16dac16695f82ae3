/**
 * The device's tab lock with Chromium's real Web Locks. Locks are shared by every page of an origin,
 * so two claims from this one page stand for two tabs.
 */
import { describe, expect, it } from 'vitest'
import { claimDevice } from '../../src/ui/tab-lock'

const settles = (promise: Promise<unknown>) => Promise.race([promise.then(() => true), new Promise((done) => setTimeout(() => done(false), 50))])

describe('claimDevice', () => {
  it('gives the device to one tab; a second gets nothing until the first lets go', async () => {
    const name = crypto.randomUUID()
    const first = await claimDevice(name)
    expect(first).toBeDefined()
    expect(await claimDevice(name)).toBeUndefined()
    await first!.release()
    const second = await claimDevice(name)
    expect(second).toBeDefined()
    await second!.release()
  })

  it('hands the device over only once the tab it was taken from has let go', async () => {
    const name = crypto.randomUUID()
    const first = (await claimDevice(name))!
    const takeover = claimDevice(name, { takeOver: true })
    await first.lost
    // The first tab is told at once, and the second waits while the first closes its circles.
    expect(await settles(takeover)).toBe(false)
    void first.release()
    const second = (await takeover)!
    expect(second).toBeDefined()
    expect(await settles(second.lost)).toBe(false)
    expect(await claimDevice(name)).toBeUndefined()
    await second.release()
  })

  it('never reports a lock it let go itself as lost', async () => {
    const first = (await claimDevice(crypto.randomUUID()))!
    await first.release()
    expect(await settles(first.lost)).toBe(false)
  })
})
