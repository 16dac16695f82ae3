/**
 * Browser notifications for reminders, when the member allows them: each reminder is shown once per
 * device (its id is remembered in localStorage), from a visible or a background tab alike, since the
 * app keeps syncing in a background tab. Without the Notification API, or without permission, nothing
 * happens and the in-app list still shows everything. Where a page may not show notifications itself
 * (Chrome on Android: "use ServiceWorkerRegistration.showNotification"), the app's service worker
 * shows them, and a tap on one opens the app there (pwa/service-worker.ts).
 */

export type NotificationStatus = NotificationPermission | 'unsupported'

const KEY = 'sharecircle:notified:'
/** Enough to cover every live reminder; older ids fall off the front. */
const REMEMBERED = 300

export function notificationStatus(): NotificationStatus {
  try {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission
  } catch {
    // A replaced or half-supported Notification must not break the screen that asks.
    return 'unsupported'
  }
}

export async function askNotificationPermission(): Promise<NotificationStatus> {
  if (typeof Notification === 'undefined') return 'unsupported'
  try {
    return await Notification.requestPermission()
  } catch {
    return notificationStatus()
  }
}

export interface NotificationItem {
  id: string
  title: string
  body: string
  /** Where a click on the notification leads (a hash route). */
  href: string
}

/**
 * Shows the items not shown before on this device; returns how many were shown (or handed to the
 * service worker). An item that could not be shown at all is not remembered, so it is tried again.
 */
export function notifyNew(circleId: string, items: readonly NotificationItem[]): number {
  if (items.length === 0 || notificationStatus() !== 'granted') return 0
  const seen = readSeen(circleId)
  let shown = 0
  for (const item of items) {
    if (seen.includes(item.id) || !show(circleId, item)) continue
    seen.push(item.id)
    shown++
  }
  writeSeen(circleId, seen.slice(-REMEMBERED))
  return shown
}

function show(circleId: string, item: NotificationItem): boolean {
  try {
    const notification = new Notification(item.title, { body: item.body, tag: item.id })
    notification.onclick = () => {
      window.focus()
      location.hash = item.href
    }
    return true
  } catch {
    // Only a service worker may show one here; without one controlling the page, the list has it.
  }
  const worker = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker
  if (!worker?.controller) return false
  worker.ready
    .then((registration) => registration.showNotification(item.title, { body: item.body, tag: item.id, data: { href: item.href } }))
    .catch(() => writeSeen(circleId, readSeen(circleId).filter((id) => id !== item.id)))
  return true
}

function readSeen(circleId: string): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY + circleId) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : []
  } catch {
    return []
  }
}

function writeSeen(circleId: string, ids: string[]): void {
  try {
    localStorage.setItem(KEY + circleId, JSON.stringify(ids))
  } catch {
    // Storage refused (private mode, full): at worst a reminder is shown again.
  }
}
