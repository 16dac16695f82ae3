/**
 * When deferred work runs, for the layers that must keep it off a latency-critical path (a received
 * edit reaching the screen, a local edit reaching peers). Timing only: it feature-detects the
 * browser's scheduling functions and falls back to timers, so it behaves the same in Node.
 */

/** Idle work still runs within this long, however busy the page stays. */
export const IDLE_WITHIN_MS = 1000

/**
 * Runs `task` in a task of its own, after everything the current one queued (its microtasks, so a
 * re-render they scheduled, included). MessageChannel rather than `setTimeout(0)`: browsers clamp
 * nested timeouts to 4 ms.
 */
export function nextTask(task: () => void): void {
  if (typeof MessageChannel !== 'function') {
    setTimeout(task, 0)
    return
  }
  const channel = new MessageChannel()
  channel.port1.onmessage = () => {
    channel.port1.close()
    task()
  }
  channel.port2.postMessage(undefined)
}

/** Runs `task` once the browser is idle (within IDLE_WITHIN_MS), or in the next task where it cannot say. */
export function whenIdle(task: () => void): void {
  const idle = (globalThis as { requestIdleCallback?: (task: () => void, options: { timeout: number }) => number }).requestIdleCallback
  if (typeof idle === 'function') idle(task, { timeout: IDLE_WITHIN_MS })
  else setTimeout(task, 0)
}
