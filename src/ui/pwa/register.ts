/**
 * PWA entry: registers the service worker that the build emits as `/sw.js` (template:
 * `service-worker.ts`). Imports nothing but the browser. Call `registerServiceWorker()` once from
 * main.ts; in dev mode it does nothing, because Vite serves modules that no precache list names.
 */

export interface ServiceWorkerHooks {
  /**
   * A new version is installed and waiting for this page to let go. Call `apply` to switch now (the
   * page reloads once); otherwise it takes over when every Sharecircle tab has been closed.
   */
  onUpdateReady?: (apply: () => void) => void
  /** Registration failed (private mode, blocked by policy…): the app still runs, only not offline. */
  onError?: (error: unknown) => void
}

/** Must match the message the service worker template listens for. */
const SKIP_WAITING = 'skip-waiting'
/** Must match what the service worker sends when a notification of a route is tapped. */
const OPEN_ROUTE = 'open-route'

function whenLoaded(): Promise<void> {
  // Registering after `load` keeps precaching from competing with the first paint for bandwidth.
  if (document.readyState === 'complete') return Promise.resolve()
  return new Promise((done) => window.addEventListener('load', () => done(), { once: true }))
}

function offerUpdate(worker: ServiceWorker, hooks: ServiceWorkerHooks): void {
  hooks.onUpdateReady?.(() => {
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true })
    worker.postMessage({ type: SKIP_WAITING })
  })
}

function watchForUpdates(registration: ServiceWorkerRegistration, hooks: ServiceWorkerHooks): void {
  // Without a controller this is the first install, not an update: nothing to offer.
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting, hooks)
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker, hooks)
    })
  })
}

/** Registers `/sw.js`; resolves to the registration, or `undefined` in dev, unsupported or failed. */
export async function registerServiceWorker(hooks: ServiceWorkerHooks = {}): Promise<ServiceWorkerRegistration | undefined> {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return undefined
  try {
    await whenLoaded()
    const base = import.meta.env.BASE_URL
    // `updateViaCache: 'none'` makes every update check ask the server, whatever its cache headers say.
    const registration = await navigator.serviceWorker.register(`${base}sw.js`, { scope: base, updateViaCache: 'none' })
    watchForUpdates(registration, hooks)
    navigator.serviceWorker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const data = event.data as { type?: unknown; href?: unknown } | null
      if (data?.type === OPEN_ROUTE && typeof data.href === 'string' && data.href.startsWith('#/')) location.hash = data.href
    })
    return registration
  } catch (error) {
    hooks.onError?.(error)
    return undefined
  }
}
