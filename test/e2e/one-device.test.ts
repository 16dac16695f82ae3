/**
 * Issue 2, "must show" 3: one person, one browser, the whole first-run path — and it all survives a
 * reload, a reload with the network off, and a restore into a fresh browser profile.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { StaticServer } from '../../src/relay/static-server'
import { launchChromium, newProfile, pngFromCanvas, serveApp } from './support/app'

let server: StaticServer
let browser: Browser

beforeAll(async () => {
  server = await serveApp()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function addOffer(page: Page, kind: string, fields: Record<string, string>, photo?: Buffer): Promise<void> {
  await page.getByTestId('add-offer').first().click()
  await page.getByTestId(`kind-option-${kind}`).click()
  for (const [field, value] of Object.entries(fields)) await page.getByTestId(`offer-${field}`).fill(value)
  if (photo) {
    await page.getByTestId('offer-photos').setInputFiles({ name: 'drill.png', mimeType: 'image/png', buffer: photo })
    await expect.poll(() => page.getByTestId('offer-photo-list').locator('li').count()).toBe(1)
  }
  await page.getByTestId('offer-save').click()
  await page.getByTestId('offer-page').waitFor()
}

async function expectCatalogue(page: Page, titles: string[]): Promise<void> {
  await expect.poll(async () => (await page.getByTestId('offer-card').allInnerTexts()).length, { timeout: 15_000 }).toBe(titles.length)
  const texts = await page.getByTestId('offer-card').allInnerTexts()
  for (const title of titles) expect(texts.some((text) => text.includes(title)), title).toBe(true)
}

describe('a circle on one device', () => {
  it('first run → circle → offers, photo and want → search and filters → reload → offline → backup → restore', async () => {
    const context = await newProfile(browser)
    const page = await context.newPage()
    await page.goto(server.url)

    await page.getByTestId('welcome-name').fill('Ana')
    await page.getByTestId('get-started').click()
    // With no circle yet, home is the form that makes the first one.
    await page.getByTestId('circle-name').fill('Elm Street')
    await page.getByTestId('circle-description').fill('Neighbours between the park and the bakery')
    await page.getByTestId('create-circle').click()
    await page.getByTestId('empty-add-offer').waitFor()

    await addOffer(page, 'thing', { title: 'Cordless drill', description: 'Bosch 18 V, two batteries', category: 'tools', tags: 'drill, diy' }, await pngFromCanvas(page, 1600, 1200))
    await addOffer(page, 'ride', { title: 'Ride to the coast', from: 'Elm Street', to: 'Brighton', seats: '3', departure: '2026-12-20T09:00' })
    await addOffer(page, 'gift', { title: 'Surplus apples', quantity: '5', 'best-before': '2026-12-24', 'pickup-window': 'today 17–19h' })

    await page.getByTestId('nav-wants').first().click()
    await page.getByTestId('want-new').first().click()
    await page.getByTestId('want-kind-borrow').click()
    await page.getByTestId('want-title').fill('Ladder on Saturday')
    await page.getByTestId('want-save').click()
    await expect.poll(() => page.getByTestId('want-card').count()).toBe(1)

    await page.getByTestId('nav-catalogue').first().click()
    await expectCatalogue(page, ['Cordless drill', 'Ride to the coast', 'Surplus apples'])
    // The photo is stored encrypted, decrypted on display, and really renders.
    const thumbnail = page.getByTestId('offer-card').filter({ hasText: 'Cordless drill' }).locator('img')
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0)
    expect(await thumbnail.evaluate((img: HTMLImageElement) => Math.max(img.naturalWidth, img.naturalHeight))).toBeLessThanOrEqual(1024)

    const search = page.getByTestId('search')
    await search.fill('drill')
    await expectCatalogue(page, ['Cordless drill'])
    await search.fill('BRIGHTON coast')
    await expectCatalogue(page, ['Ride to the coast'])
    await search.fill('')
    await page.getByTestId('kind-chip-gift').click()
    await expectCatalogue(page, ['Surplus apples'])
    await page.getByTestId('kind-chip-gift').click()
    await page.getByTestId('category-chip').filter({ hasText: 'tools' }).click()
    await expectCatalogue(page, ['Cordless drill'])
    await page.getByTestId('category-chip').filter({ hasText: 'tools' }).click()

    // Pause the drill; "available only" hides it.
    await page.getByTestId('offer-card').filter({ hasText: 'Cordless drill' }).click()
    await page.getByTestId('offer-pause').click()
    await page.getByTestId('nav-catalogue').first().click()
    await page.getByTestId('available-only').click()
    await expectCatalogue(page, ['Ride to the coast', 'Surplus apples'])
    await page.getByTestId('available-only').click()
    await expectCatalogue(page, ['Cordless drill', 'Ride to the coast', 'Surplus apples'])

    await page.reload()
    await expectCatalogue(page, ['Cordless drill', 'Ride to the coast', 'Surplus apples'])
    expect(await page.getByTestId('paused-badge').count()).toBe(1)

    // The network off: the service worker serves the app, IndexedDB serves the data.
    await page.evaluate(() => navigator.serviceWorker.ready)
    await context.setOffline(true)
    await page.reload()
    await expectCatalogue(page, ['Cordless drill', 'Ride to the coast', 'Surplus apples'])
    await page.getByTestId('nav-wants').first().click()
    await expect.poll(() => page.getByTestId('want-card').allInnerTexts()).toEqual([expect.stringContaining('Ladder on Saturday')])
    await context.setOffline(false)

    await page.getByTestId('nav-settings').first().click()
    const fingerprint = (await page.getByTestId('device-fingerprint').innerText()).trim()
    await page.getByTestId('backup-passphrase').fill('plum tree by the gate')
    await page.getByTestId('backup-passphrase-confirm').fill('plum tree by the gate')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('backup-export').click()])
    const backup = await readFile((await download.path())!)
    await context.close()

    // A new browser profile: restore the identity and its circles from the file.
    const fresh = await newProfile(browser)
    const second = await fresh.newPage()
    await second.goto(server.url)
    await second.getByTestId('have-identity').click()
    await second.getByTestId('restore-file').setInputFiles({ name: 'sharecircle-backup-Ana.scb', mimeType: 'application/octet-stream', buffer: backup })
    await second.getByTestId('restore-passphrase').fill('wrong passphrase')
    await second.getByTestId('restore-file-submit').click()
    await expect.poll(() => second.getByTestId('restore-error').innerText()).toMatch(/passphrase/i)
    await second.getByTestId('restore-passphrase').fill('plum tree by the gate')
    await second.getByTestId('restore-file-submit').click()
    await second.getByText('Elm Street').first().waitFor()
    await second.goto(`${server.url}#/settings`)
    expect((await second.getByTestId('device-fingerprint').innerText()).trim()).toBe(fingerprint)
    await fresh.close()
  })

  it('a circle that fails to open says so, keeps Settings within reach, and opens on "Try again"', async () => {
    const context = await newProfile(browser)
    // The circle's stored feed heads cannot be read, once, while `failOpen` is set (as a transient
    // IndexedDB error would have it); the device itself opens without reading them.
    await context.addInitScript(() => {
      const getAll = IDBObjectStore.prototype.getAll
      IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...args: Parameters<typeof getAll>) {
        if (this.name === 'heads' && sessionStorage.getItem('failOpen') === '1') {
          sessionStorage.removeItem('failOpen')
          throw new DOMException('The data could not be read', 'UnknownError')
        }
        return getAll.apply(this, args)
      }
    })
    const page = await context.newPage()
    await page.goto(server.url)
    await page.getByTestId('welcome-name').fill('Ana')
    await page.getByTestId('get-started').click()
    await page.getByTestId('circle-name').fill('Elm Street')
    await page.getByTestId('create-circle').click()
    await addOffer(page, 'thing', { title: 'Cordless drill' })

    await page.evaluate(() => sessionStorage.setItem('failOpen', '1'))
    await page.reload()
    await page.getByTestId('circle-open-failed').waitFor()
    await page.goto(`${server.url}#/settings`)
    await page.getByTestId('device-fingerprint').waitFor()
    await page.goBack()
    await page.getByTestId('circle-open-retry').click()
    // Back where the reload was: the drill's page.
    await page.getByTestId('offer-page').getByText('Cordless drill').first().waitFor()
    await context.close()
  })
})
