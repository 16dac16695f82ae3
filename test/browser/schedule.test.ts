/**
 * nextTask in a real browser (one MessageChannel for the page): each task runs after everything the
 * caller's task queued, tasks run in the order they were asked for, no channel is made per call, and
 * one that throws neither stops the others nor goes unreported.
 */
import { describe, expect, it } from 'vitest'
import { FRAME_WITHIN_MS, nextFrame, nextTask } from '../../src/core/schedule'

describe('nextTask in the browser', () => {
  it('runs tasks after the current task’s microtasks, in order, each batch in a later task', async () => {
    const order: string[] = []
    await new Promise<void>((done) => {
      nextTask(() => order.push('first'))
      nextTask(() => {
        order.push('second')
        // Asked for while the batch runs: a task after it.
        nextTask(() => {
          order.push('fourth')
          done()
        })
        queueMicrotask(() => order.push('after second'))
      })
      queueMicrotask(() => order.push('microtask'))
      order.push('sync')
    })
    expect(order).toEqual(['sync', 'microtask', 'first', 'second', 'after second', 'fourth'])
  })

  it('keeps one channel for the page, however many tasks it runs', async () => {
    const Channel = globalThis.MessageChannel
    let made = 0
    globalThis.MessageChannel = class extends Channel {
      constructor() {
        super()
        made++
      }
    }
    try {
      for (let i = 0; i < 3; i++) await new Promise<void>((done) => nextTask(done))
    } finally {
      globalThis.MessageChannel = Channel
    }
    // The first test made it already; had it not, the first of these would.
    expect(made).toBeLessThanOrEqual(1)
  })

  it('reports a task that throws as uncaught, and still runs the tasks after it', async () => {
    const reported: unknown[] = []
    const onError = (event: ErrorEvent) => {
      reported.push(event.error)
      event.preventDefault()
    }
    addEventListener('error', onError)
    try {
      const ran = await new Promise<string[]>((done) => {
        const seen: string[] = []
        nextTask(() => {
          throw new Error('task failed')
        })
        nextTask(() => {
          seen.push('next')
          setTimeout(() => done(seen), 0)
        })
      })
      expect(ran).toEqual(['next'])
      expect(reported).toEqual([expect.objectContaining({ message: 'task failed' })])
    } finally {
      removeEventListener('error', onError)
    }
  })
})

describe('nextFrame in the browser', () => {
  it('runs a task after the current task’s microtasks, at a frame (or within FRAME_WITHIN_MS), once', async () => {
    const order: string[] = []
    let runs = 0
    await new Promise<void>((done) => {
      nextFrame(() => {
        runs++
        order.push('next frame')
        // A frame callback asked for now comes at a frame after it.
        requestAnimationFrame(() => {
          order.push('frame after')
          done()
        })
      })
      queueMicrotask(() => order.push('microtask'))
    })
    expect(order).toEqual(['microtask', 'next frame', 'frame after'])
    await new Promise((wait) => setTimeout(wait, FRAME_WITHIN_MS * 2))
    expect(runs).toBe(1)
  })
})
