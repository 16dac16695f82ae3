/**
 * The app as e2e tests meet it: the production build served by the relay's static server on a
 * loopback port, and headless Debian Chromium driven by playwright-core. `npm test` builds first;
 * run alone, this builds when dist/ is missing.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { startStaticServer, type StaticServer } from '../../../src/relay/static-server'
import { chromiumLaunchOptions } from '../../support/chromium'

const ROOT = resolve(import.meta.dirname, '../../..')
/** The production build the e2e tests serve. */
export const DIST = resolve(ROOT, 'dist')

export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1280, height: 800 }

/** `npm test` builds before e2e; a test run on its own builds when dist/ is missing. */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(resolve(DIST, 'index.html'))) return
  const { build } = await import('vite')
  await build({ root: ROOT, logLevel: 'warn' })
}

export async function serveApp(): Promise<StaticServer> {
  await ensureBuilt()
  return startStaticServer({ host: '127.0.0.1', port: 0, dist: DIST })
}

export async function launchChromium(): Promise<Browser> {
  const options = chromiumLaunchOptions()
  if (!options.executablePath) throw new Error('Chromium not found: run `npm test` (it installs it) or set CHROMIUM_PATH')
  return chromium.launch({ headless: true, ...options })
}

/** A fresh browser profile: its own IndexedDB, service workers and downloads. */
export async function newProfile(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: PHONE, acceptDownloads: true, ...options })
  // Functions handed to page.evaluate may carry a transpiler's `__name` helper; pages do not have it.
  await context.addInitScript('globalThis.__name = (fn) => fn')
  return context
}

/** A real PNG drawn by the browser (a green field with a yellow block in its middle), for a photo field. */
export async function pngFromCanvas(page: Page, width: number, height: number): Promise<Buffer> {
  const dataUrl = await page.evaluate(
    ([w, h]) => {
      const canvas = document.createElement('canvas')
      canvas.width = w
      canvas.height = h
      const context = canvas.getContext('2d')!
      context.fillStyle = '#2f6f5e'
      context.fillRect(0, 0, w, h)
      context.fillStyle = '#f2b134'
      context.fillRect(w / 4, h / 4, w / 2, h / 2)
      return canvas.toDataURL('image/png')
    },
    [width, height] as const,
  )
  return Buffer.from(dataUrl.split(',')[1]!, 'base64')
}
