/**
 * The service worker, kept as a template: the build (the `sharecircle:service-worker` plugin in
 * vite.config.ts) strips the types and emits it as `/sw.js`, with SHARECIRCLE_PRECACHE (every built
 * asset, every public file and the app's root) and SHARECIRCLE_VERSION (a hash of their contents)
 * defined in front. The app never imports this file. It must stay a single file with no imports:
 * it runs as a classic worker script.
 *
 * Policy: precache everything at install, answer from the cache first, answer navigations with the
 * cached app shell so the app opens with the network off, and never touch anything but same-origin
 * GETs (sync traffic, WebSockets and other origins go straight to the network).
 */

declare const self: ServiceWorkerGlobalScope
declare const SHARECIRCLE_PRECACHE: readonly string[]
declare const SHARECIRCLE_VERSION: string

const CACHE_PREFIX = 'sharecircle-'
const CACHE_NAME = `${CACHE_PREFIX}${SHARECIRCLE_VERSION}`
/** Sent by `registerServiceWorker`'s update hook when the member chooses to switch versions. */
const SKIP_WAITING = 'skip-waiting'

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE_NAME)
  // `reload` skips the HTTP cache, so a new version never precaches a stale copy of an unhashed file.
  await cache.addAll(SHARECIRCLE_PRECACHE.map((url) => new Request(url, { cache: 'reload' })))
}

async function dropOldCaches(): Promise<void> {
  const names = await caches.keys()
  await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME).map((name) => caches.delete(name)))
  // Take over the pages opened before this worker existed, so the first visit already works offline.
  await self.clients.claim()
}

async function fromCache(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE_NAME)
  // Module scripts are requested with an Origin header; a server that answers `Vary: Origin` would
  // otherwise make every cached script miss, and the app would open blank offline.
  return (await cache.match(request, { ignoreVary: true })) ?? fetch(request)
}

async function navigate(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE_NAME)
  // A precached file opened directly (`/icon.svg`) is itself; any other path is a route of the app.
  const hit = (await cache.match(request, { ignoreSearch: true })) ?? (await cache.match(new URL('index.html', self.registration.scope).href))
  return hit ?? fetch(request)
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache())
})

self.addEventListener('activate', (event) => {
  event.waitUntil(dropOldCaches())
})

self.addEventListener('message', (event) => {
  const data: unknown = event.data
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING) {
    event.waitUntil(self.skipWaiting())
  }
})

/** Sent to a page to open a route (a hash) when a notification of it is tapped; register.ts listens. */
const OPEN_ROUTE = 'open-route'

/** A tap on a reminder shown through this worker: the app comes forward (or opens) on its screen. */
self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const href: unknown = (event.notification.data as { href?: unknown } | null)?.href
  event.waitUntil(openRoute(typeof href === 'string' && href.startsWith('#/') ? href : '#/'))
})

async function openRoute(href: string): Promise<void> {
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const page = pages.find((client) => client.url.startsWith(self.registration.scope))
  if (!page) {
    await self.clients.openWindow(new URL(href, self.registration.scope).href)
    return
  }
  page.postMessage({ type: OPEN_ROUTE, href })
  await page.focus()
}

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return
  event.respondWith(request.mode === 'navigate' ? navigate(request) : fromCache(request))
})

export {}
