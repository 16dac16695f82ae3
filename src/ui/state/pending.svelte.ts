/**
 * A button that writes to the circle: while its write runs, a second press does nothing, and the
 * button says so ("Saving…", disabled) only once the write has taken longer than SHOW_PENDING_AFTER_MS.
 *
 * Most writes finish well within that (the change made, sealed, signed, sent and stored), so the
 * screen changes once, to the result, with no flash of a busy button in between. It also keeps the
 * page's own re-render out of the write's way: a busy flag set at the press would be re-rendered in
 * the next microtask, ahead of the signature and the send that carry the change to the others'
 * screens, and the label it shows would only be painted in the next frame anyway.
 */
export const SHOW_PENDING_AFTER_MS = 150

export class PendingAction {
  #running = false
  #shown = $state(false)

  /** True once the running write has taken longer than SHOW_PENDING_AFTER_MS. */
  get shown(): boolean {
    return this.#shown
  }

  /** Whether a write is running (seen or not): not reactive, for guards. */
  get running(): boolean {
    return this.#running
  }

  /** Runs `write` unless one is running already, in which case it resolves to undefined at once. */
  async run<T>(write: () => Promise<T>): Promise<T | undefined> {
    if (this.#running) return undefined
    this.#running = true
    const show = setTimeout(() => (this.#shown = true), SHOW_PENDING_AFTER_MS)
    try {
      return await write()
    } finally {
      clearTimeout(show)
      this.#running = false
      this.#shown = false
    }
  }
}
