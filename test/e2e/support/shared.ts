/**
 * What the tests of one e2e file share: a relay serving the production build (its key in a folder
 * of its own, which a test may use too) and one Chromium. Started before the file's tests, stopped
 * after; read the fields inside tests and hooks only.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startRelay, type Relay } from '../../../src/relay/start-relay'
import { DIST, ensureBuilt, launchChromium } from './app'

export interface SharedApp {
  relay: Relay
  browser: Browser
  dir: string
}

export function useRelayAndBrowser(name: string): SharedApp {
  const shared = {} as SharedApp
  beforeAll(async () => {
    await ensureBuilt()
    shared.dir = await mkdtemp(join(tmpdir(), `sharecircle-${name}-e2e-`))
    shared.relay = await startRelay({ host: '127.0.0.1', port: 0, dist: DIST, keyFile: join(shared.dir, 'relay.key') })
    shared.browser = await launchChromium()
  })
  afterAll(async () => {
    await shared.browser?.close()
    await shared.relay?.close()
    if (shared.dir) await rm(shared.dir, { recursive: true, force: true })
  })
  return shared
}
