import { afterEach, describe, expect, it, vi } from 'vitest'
import { FRAME_WITHIN_MS, nextFrame, nextTask } from '../../../src/core/schedule'

const globals = globalThis as { requestAnimationFrame?: (task: () => void) => number; document?: { visibilityState: string } }

afterEach(() => {
  delete globals.requestAnimationFrame
  delete globals.document
  vi.useRealTimers()
})

describe('nextFrame', () => {
  it('runs the task at the next frame, once, where the page draws frames', () => {
    vi.useFakeTimers()
    const frames: Array<() => void> = []
    globals.requestAnimationFrame = (task) => frames.push(task)
    globals.document = { visibilityState: 'visible' }
    const task = vi.fn()
    nextFrame(task)
    expect(task).not.toHaveBeenCalled()
    frames[0]!()
    expect(task).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(FRAME_WITHIN_MS)
    expect(task).toHaveBeenCalledTimes(1)
  })

  it('waits no longer than FRAME_WITHIN_MS for a frame that does not come', () => {
    vi.useFakeTimers()
    globals.requestAnimationFrame = () => 0
    globals.document = { visibilityState: 'visible' }
    const task = vi.fn()
    nextFrame(task)
    vi.advanceTimersByTime(FRAME_WITHIN_MS - 1)
    expect(task).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(task).toHaveBeenCalledTimes(1)
  })

  it('is the next task in a hidden page and outside a browser', async () => {
    for (const hidden of [true, false]) {
      if (hidden) {
        globals.requestAnimationFrame = () => 0
        globals.document = { visibilityState: 'hidden' }
      }
      const order: string[] = []
      nextFrame(() => order.push('frame'))
      queueMicrotask(() => order.push('microtask'))
      await new Promise<void>((done) => nextTask(done))
      expect(order).toEqual(['microtask', 'frame'])
      delete globals.requestAnimationFrame
      delete globals.document
    }
  })
})
