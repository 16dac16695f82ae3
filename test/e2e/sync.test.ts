/**
 * Two browsers really sync. A makes a circle and an offer and invites B (the link carries the relay
 * that served the app); B joins in a fresh profile and sees A's shelf arrive; B's offer reaches A
 * over a direct WebRTC connection, which survives the relay going away; and edits made while B's app
 * was closed meet again once B reopens it (relay back on the same port and key); and a third browser,
 * C, joins afterwards and gets everything.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startRelay, type Relay } from '../../src/relay/start-relay'
import { DIST, ensureBuilt, launchChromium, newProfile } from './support/app'
import { addThing, expectOffer, firstRun, readPeers } from './support/circle'


let relay: Relay | undefined
let browser: Browser
let keyDir: string

function relayOn(port: number): Promise<Relay> {
  return startRelay({ host: '127.0.0.1', port, dist: DIST, keyFile: join(keyDir, 'relay.key') })
}

beforeAll(async () => {
  await ensureBuilt()
  keyDir = await mkdtemp(join(tmpdir(), 'sharecircle-sync-e2e-'))
  relay = await relayOn(0)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await relay?.close()
  if (keyDir) await rm(keyDir, { recursive: true, force: true })
})

describe('sync between browsers', () => {
  it('invite → shelf arrives → offers both ways over WebRTC → relay down → offline edits merge → C joins later', async () => {
    const url = relay!.url
    const port = Number(new URL(url).port)

    const contextA = await newProfile(browser)
    const a = await contextA.newPage()
    await firstRun(a, url, 'Ana')
    await a.getByTestId('circle-name').fill('Elm Street')
    await a.getByTestId('create-circle').click()
    await a.getByTestId('empty-add-offer').waitFor()
    await addThing(a, 'Canary ladder')
    // Alone in the circle: honest, nobody is online.
    await expect.poll(() => a.getByTestId('network-status').getAttribute('data-state')).not.toBe('connected')

    await a.getByTestId('catalogue-invite').click()
    const linkField = a.getByTestId('invite-link')
    await expect.poll(() => linkField.inputValue(), { timeout: 15_000 }).toContain('/#/join/')
    const link = await linkField.inputValue()
    await a.getByTestId('nav-catalogue').first().click()

    const contextB = await newProfile(browser)
    let b = await contextB.newPage()
    await b.goto(link)
    await b.getByTestId('join-name').fill('Ben')
    await b.getByTestId('join-submit').click()
    await b.getByTestId('catalogue-connecting').or(b.getByTestId('offer-card')).first().waitFor({ timeout: 15_000 })
    await expectOffer(b, 'Canary ladder')
    expect(await b.getByTestId('catalogue-connecting').count()).toBe(0)
    await expect.poll(() => b.getByTestId('network-status').innerText(), { timeout: 15_000 }).toMatch(/^Network:\s+1 member online$/)

    await addThing(b, 'Bike pump from B')
    await expectOffer(a, 'Bike pump from B')
    // A and B talk directly: the panel says so (and the row's kind is WebRTC).
    await expect.poll(async () => (await readPeers(a)).some((peer) => peer.kind === 'webrtc' && /direct/.test(peer.text)), { timeout: 15_000 }).toBe(true)
    await expect.poll(async () => (await readPeers(b)).some((peer) => peer.kind === 'webrtc' && /up to date/.test(peer.text)), { timeout: 15_000 }).toBe(true)
    // Each side names the other's device by its member (a device claim signed for this session).
    await expect.poll(async () => (await readPeers(a)).some((peer) => /Ben's device/.test(peer.text)), { timeout: 15_000 }).toBe(true)

    // The relay goes away; the direct connection carries on.
    await relay!.close()
    relay = undefined
    await addThing(b, 'Bike bell from B')
    await expectOffer(a, 'Bike bell from B')

    // Apart: B's app closes and A adds something; B reopens with no relay to find A by (the service
    // worker serves the app) and adds something too. Then the relay returns on the same port and key.
    await b.close()
    await addThing(a, 'Tent from A')
    b = await contextB.newPage()
    await b.goto(url)
    await b.getByTestId('offer-card').first().waitFor()
    await addThing(b, 'Lamp from B')
    expect(await b.getByTestId('network-status').getAttribute('data-state')).not.toBe('connected')
    relay = await relayOn(port)
    expect(relay.url).toBe(url)
    await expectOffer(b, 'Tent from A', 60_000)
    await expectOffer(a, 'Lamp from B')
    // Both shelves hold the same five offers.
    for (const page of [a, b]) await expect.poll(() => page.getByTestId('offer-card').count()).toBe(5)

    // A third neighbour joins from the same link after the relay is back, and gets everything.
    const contextC = await newProfile(browser)
    const c = await contextC.newPage()
    await c.goto(link)
    await c.getByTestId('join-name').fill('Cleo')
    await c.getByTestId('join-submit').click()
    for (const title of ['Canary ladder', 'Bike pump from B', 'Bike bell from B', 'Tent from A', 'Lamp from B']) await expectOffer(c, title, 45_000)
    await expect.poll(() => c.getByTestId('offer-card').count()).toBe(5)

    await contextA.close()
    await contextB.close()
    await contextC.close()
  }, 150_000)
})
