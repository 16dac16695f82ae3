/** Toasts: passing messages make room for new ones; one with a button (a new version) stays. */
import { describe, expect, it } from 'vitest'
import { Toasts } from '../../src/ui/state/toasts.svelte'

describe('Toasts', () => {
  it('keeps a toast with a button however many passing ones come after it', () => {
    const toasts = new Toasts()
    toasts.offer('A new version of Sharecircle is ready.', { label: 'Reload', run: () => undefined })
    for (let i = 0; i < 6; i++) toasts.info(`Changes saved ${i}`)
    const messages = toasts.items.map((toast) => toast.message)
    expect(messages[0]).toBe('A new version of Sharecircle is ready.')
    expect(messages.at(-1)).toBe('Changes saved 5')
    expect(messages).not.toContain('Changes saved 0')
  })

  it('drops the oldest passing toasts first', () => {
    const toasts = new Toasts()
    for (let i = 0; i < 6; i++) toasts.error(`Failed ${i}`)
    const messages = toasts.items.map((toast) => toast.message)
    expect(messages.at(-1)).toBe('Failed 5')
    expect(messages).toEqual([...messages].sort())
    expect(messages).not.toContain('Failed 0')
  })
})
