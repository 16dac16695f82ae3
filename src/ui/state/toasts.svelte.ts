/**
 * Short status messages. The region that shows them is always in the page (aria-live only announces
 * changes to a region that already exists), so this only holds the list.
 */
export type ToastTone = 'info' | 'error'

export interface ToastAction {
  label: string
  run: () => void
}

export interface Toast {
  id: number
  tone: ToastTone
  message: string
  /** A toast with an action stays until it is used or dismissed. */
  action?: ToastAction
}

const INFO_MS = 4000
/** Older messages make way: a pile of toasts would cover the screen they talk about. */
const MAX_SHOWN = 3
const ERROR_MS = 9000

export class Toasts {
  items = $state<Toast[]>([])
  #next = 1

  info(message: string): void {
    this.#push('info', message, INFO_MS)
  }

  error(message: string): void {
    this.#push('error', message, ERROR_MS)
  }

  /** A message with a button, e.g. "A new version is ready — Reload". */
  offer(message: string, action: ToastAction): void {
    this.#push('info', message, undefined, action)
  }

  dismiss(id: number): void {
    this.items = this.items.filter((toast) => toast.id !== id)
  }

  #push(tone: ToastTone, message: string, ms: number | undefined, action?: ToastAction): void {
    const id = this.#next++
    const toast: Toast = action ? { id, tone, message, action } : { id, tone, message }
    const items = [...this.items.filter((item) => item.message !== message), toast]
    // Toasts with a button stay until used or dismissed; only passing ones make room, oldest first.
    let excess = items.length - MAX_SHOWN
    this.items = items.filter((item) => item.action !== undefined || item === toast || excess-- <= 0)
    if (ms !== undefined) setTimeout(() => this.dismiss(id), ms)
  }
}
