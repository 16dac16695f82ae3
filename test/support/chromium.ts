/**
 * Where the tests find Chromium, and the flags every test browser starts with. Debian's
 * `/usr/bin/chromium` unless CHROMIUM_PATH says otherwise; `test/run.ts` installs it when missing.
 */
import { existsSync } from 'node:fs'

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv && existsSync(fromEnv)) return fromEnv
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path))
}

/** Flags for a quiet, offline-safe headless Chromium (no calls home, no GPU, loopback WebRTC). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
]

export function chromiumLaunchOptions(): { executablePath: string | undefined; args: string[] } {
  return { executablePath: findChromium(), args: CHROMIUM_ARGS }
}
