/**
 * The browser entry: global styles, the app, and the service worker. `src/ui` holds the Svelte
 * components and rune state classes; it may import circle, store and core, never the other way round.
 */
import { mount } from 'svelte'
import App from './App.svelte'
import { registerServiceWorker } from './pwa/register'
import { AppState } from './state/app.svelte'
import './app.css'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')

// The composition root: the one place that makes the app state, then gives it to the components
// (through context, from App) and to the service worker's update prompt.
const app = new AppState()
mount(App, { target, props: { app } })
app.start()
// Leaving the page hangs up on peers and relays cleanly; a page restored from the back/forward cache
// (rare: the device's tab lock and open connections keep a page out of it) dials again.
addEventListener('pagehide', () => {
  app.pageHidden(true)
  void app.network.stop()
})
// A hidden page may be discarded without a pagehide (phones do), and it still writes (auto-accept):
// while it is hidden, what is sent and not yet stored is noted where it outlives the tab.
document.addEventListener('visibilitychange', () => app.pageHidden(document.visibilityState === 'hidden'))
addEventListener('pageshow', (event: PageTransitionEvent) => {
  if (event.persisted) app.reconnect()
})
// A node that could not start (offline at start-up) tries again when the browser is back online.
addEventListener('online', () => {
  if (app.network.phase === 'failed') app.reconnect()
})
registerServiceWorker({
  onUpdateReady: (apply) => app.toasts.offer('A new version of Sharecircle is ready.', { label: 'Reload', run: apply }),
})
