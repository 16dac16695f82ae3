/**
 * When deferred work runs, for the layers that must keep it off a latency-critical path (a received
 * edit reaching the screen, a local edit reaching peers). Timing only: it feature-detects the
 * browser's scheduling functions and falls back to timers, so it behaves the same in Node.
 */

/** Idle work still runs within this long, however busy the page stays. */
export const IDLE_WITHIN_MS = 1000

/** Tasks waiting for the shared channel's next message, oldest first. */
let waiting: Array<() => void> = []
let channel: MessageChannel | undefined

/**
 * Runs `task` in a later task, after everything the current one queued (its microtasks, so a
 * re-render they scheduled, included); tasks asked for before that one runs run with it, in order.
 * In a browser, one MessageChannel kept for the page rather than `setTimeout(0)`, which browsers
 * clamp to 4 ms when nested (a new channel per call cost 0.2 ms, before the render, on a received
 * edit's path); in Node, `setImmediate`, which does not keep a finished process alive as an open
 * port would.
 */
export function nextTask(task: () => void): void {
  if (typeof setImmediate === 'function') {
    setImmediate(task)
    return
  }
  if (typeof MessageChannel !== 'function') {
    setTimeout(task, 0)
    return
  }
  waiting.push(task)
  if (waiting.length > 1) return
  channel ??= sharedChannel()
  channel.port2.postMessage(undefined)
}

function sharedChannel(): MessageChannel {
  const shared = new MessageChannel()
  shared.port1.onmessage = () => {
    const due = waiting
    waiting = []
    // Each reported as uncaught, as it would be from a task of its own; the others still run.
    for (const task of due) runReporting(task)
  }
  return shared
}

/**
 * Reports an error as uncaught without stopping the caller: `reportError` where the platform has it
 * (browsers: the page's error event and the console), else a throw from a microtask.
 */
export function reportUncaught(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError
  if (typeof report === 'function') report(error)
  else
    queueMicrotask(() => {
      throw error
    })
}

/** A frame that does not come within this long (a page that draws none) is not waited for. */
export const FRAME_WITHIN_MS = 20

/**
 * Runs `task` at the start of the page's next frame: for work whose result is only seen once drawn,
 * done then rather than at once, so that what is latency-critical (a local edit reaching peers, and
 * their re-render) has the CPU first. Work done at once would be drawn in that same frame anyway.
 * A hidden page draws no frames and throttles timers, so there, and outside a browser, it is the
 * next task.
 */
export function nextFrame(task: () => void): void {
  const frame = (globalThis as { requestAnimationFrame?: (task: () => void) => number }).requestAnimationFrame
  const hidden = (globalThis as { document?: { visibilityState?: string } }).document?.visibilityState === 'hidden'
  if (typeof frame !== 'function' || hidden) {
    nextTask(task)
    return
  }
  let done = false
  const once = () => {
    if (done) return
    done = true
    clearTimeout(timer)
    task()
  }
  const timer = setTimeout(once, FRAME_WITHIN_MS)
  frame(once)
}

/** Runs `task`; if it throws, the error is reported as uncaught (`reportUncaught`) instead of thrown. */
export function runReporting(task: () => void): void {
  try {
    task()
  } catch (error) {
    reportUncaught(error)
  }
}

/** Runs `task` once the browser is idle (within IDLE_WITHIN_MS), or in the next task where it cannot say. */
export function whenIdle(task: () => void): void {
  const idle = (globalThis as { requestIdleCallback?: (task: () => void, options: { timeout: number }) => number }).requestIdleCallback
  if (typeof idle === 'function') idle(task, { timeout: IDLE_WITHIN_MS })
  else setTimeout(task, 0)
}
