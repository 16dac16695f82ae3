/**
 * The time, for "2 min ago": `current` is re-read every `tickMs` while something shows it, through
 * createSubscriber over an interval, so nothing ticks when no such text is on screen.
 */
import { createSubscriber } from 'svelte/reactivity'

export class Clock {
  readonly #subscribe: () => void

  constructor(tickMs = 15_000) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, tickMs)
      return () => clearInterval(timer)
    })
  }

  get current(): number {
    this.#subscribe()
    return Date.now()
  }
}
