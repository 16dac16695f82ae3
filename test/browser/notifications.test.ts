/**
 * Reminders as browser notifications in a real browser, where the page may not construct one itself
 * (as on Chrome for Android): the app's service worker shows it instead, and one it could not show is
 * tried again rather than remembered as shown.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type NotificationItem, notifyNew } from '../../src/ui/state/notifications'

const realNotification = globalThis.Notification
const item = (id: string): NotificationItem => ({ id, title: 'Sharecircle', body: `Reminder ${id}`, href: `#/c/circle/booking/${id}` })

/** A Notification the page may not construct, permission granted; and a worker whose `showNotification` is recorded. */
function onlyTheWorkerMayShow(fails = 0): Array<[string, NotificationOptions | undefined]> {
  class PageMayNotShow {
    static readonly permission = 'granted'
    constructor() {
      throw new TypeError("Failed to construct 'Notification': Illegal constructor. Use ServiceWorkerRegistration.showNotification() instead.")
    }
  }
  Object.defineProperty(globalThis, 'Notification', { value: PageMayNotShow, configurable: true, writable: true })
  const shown: Array<[string, NotificationOptions | undefined]> = []
  let failures = fails
  const registration = {
    showNotification: async (title: string, options?: NotificationOptions) => {
      if (failures-- > 0) throw new TypeError('No notification permission has been granted for this origin.')
      shown.push([title, options])
    },
  }
  Object.defineProperty(navigator, 'serviceWorker', { value: { controller: {}, ready: Promise.resolve(registration) }, configurable: true })
  return shown
}

describe('notifications where only a service worker may show them', () => {
  afterEach(() => {
    Object.defineProperty(globalThis, 'Notification', { value: realNotification, configurable: true, writable: true })
    delete (navigator as unknown as { serviceWorker?: unknown }).serviceWorker
    localStorage.clear()
  })

  it('are shown by the worker, with the route a tap opens, each once', async () => {
    const shown = onlyTheWorkerMayShow()
    expect(notifyNew('circle', [item('a'), item('b')])).toBe(2)
    await new Promise((done) => setTimeout(done, 0))
    expect(shown).toEqual([
      ['Sharecircle', { body: 'Reminder a', tag: 'a', data: { href: '#/c/circle/booking/a' } }],
      ['Sharecircle', { body: 'Reminder b', tag: 'b', data: { href: '#/c/circle/booking/b' } }],
    ])
    expect(notifyNew('circle', [item('a'), item('b')])).toBe(0)
  })

  it('one the worker could not show is tried again next time', async () => {
    const shown = onlyTheWorkerMayShow(1)
    expect(notifyNew('circle', [item('a')])).toBe(1)
    await new Promise((done) => setTimeout(done, 0))
    expect(shown).toEqual([])
    expect(notifyNew('circle', [item('a')])).toBe(1)
    await new Promise((done) => setTimeout(done, 0))
    expect(shown.map(([, options]) => options?.tag)).toEqual(['a'])
  })

  it('are not remembered as shown when no worker controls the page', () => {
    onlyTheWorkerMayShow()
    Object.defineProperty(navigator, 'serviceWorker', { value: { controller: null, ready: new Promise(() => undefined) }, configurable: true })
    expect(notifyNew('circle', [item('a')])).toBe(0)
    expect(localStorage.getItem('sharecircle:notified:circle')).toBe('[]')
  })
})
