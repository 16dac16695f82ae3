/**
 * The router in a real browser: a hash change lets go of the old screen's focus before anything
 * re-renders, so the old screen is never removed while it holds focus (which costs Chromium a
 * synchronous style and layout pass).
 */
import { flushSync } from 'svelte'
import { afterEach, describe, expect, it } from 'vitest'
import { Router } from '../../src/ui/state/router.svelte'

function nextHashChange(): Promise<void> {
  return new Promise((done) => window.addEventListener('hashchange', () => done(), { once: true }))
}

describe('Router', () => {
  afterEach(() => {
    document.body.replaceChildren()
    history.replaceState(null, '', '#/')
  })

  it('blurs the focused element when the hash changes, before subscribers see the new route', async () => {
    const router = new Router()
    const button = document.createElement('button')
    document.body.append(button)
    const seen: Array<{ hash: string; focused: boolean }> = []
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push({ hash: router.hash, focused: document.activeElement === button })
      })
    })
    flushSync()
    button.focus()
    expect(document.activeElement).toBe(button)

    const changed = nextHashChange()
    location.hash = '#/somewhere'
    await changed
    flushSync()

    expect(document.activeElement).toBe(document.body)
    expect(seen.at(-1)).toEqual({ hash: '#/somewhere', focused: false })
    stop()
  })
})
