/**
 * Vouching across three browsers (and, on the way, a photo that travels from Ana to Cleo). Cleo vouches for Ana; Ana vouches for Ben; on Ben's page Cleo sees
 * "vouched for by Ana" and why. Ben exports what he received and `npm run verify` checks the file
 * offline. Ana takes her vouch back and Cleo's view of Ben follows.
 */
import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { newProfile, pngFromCanvas } from './support/app'
import { addThing, expectOffer, firstRun } from './support/circle'
import { useRelayAndBrowser } from './support/shared'

const ROOT = resolve(import.meta.dirname, '../..')
const shared = useRelayAndBrowser('trust')

/** From the catalogue: the offer with this title → its owner's page. */
async function openOwnerOf(page: Page, title: string): Promise<void> {
  await page.getByTestId('nav-catalogue').first().click()
  await expectOffer(page, title)
  await page.getByTestId('offer-card').filter({ hasText: title }).click()
  await page.getByTestId('offer-page').getByTestId('member-link').first().click()
  await page.getByTestId('member-page').waitFor()
}

/** A thing with a real PNG drawn by the browser: photos travel from member to member on demand. */
async function addThingWithPhoto(page: Page, title: string): Promise<void> {
  const png = await pngFromCanvas(page, 640, 480)
  await page.getByTestId('add-offer').first().click()
  await page.getByTestId('kind-option-thing').click()
  await page.getByTestId('offer-title').fill(title)
  await page.getByTestId('offer-photos').setInputFiles({ name: 'ladder.png', mimeType: 'image/png', buffer: png })
  // Saved at once, while the photo is still being shrunk and stored: the save waits for it.
  await page.getByTestId('offer-save').click()
  await page.getByTestId('offer-page').waitFor()
  await page.getByTestId('nav-catalogue').first().click()
}

async function vouchOnPage(page: Page, strength: 1 | 2 | 3): Promise<void> {
  await page.getByTestId('vouch-start').click()
  await page.getByTestId(`vouch-strength-${strength}`).check()
  await page.getByTestId('vouch-submit').click()
  await page.getByTestId('vouch-current').waitFor()
}

async function joinFrom(link: string, name: string): Promise<Page> {
  const page = await (await newProfile(shared.browser)).newPage()
  await page.goto(link)
  await page.getByTestId('join-name').fill(name)
  await page.getByTestId('join-submit').click()
  await page.getByTestId('catalogue-connecting').or(page.getByTestId('offer-card')).first().waitFor({ timeout: 15_000 })
  return page
}

describe('vouching between browsers', () => {
  it('a vouch shows through trust, exports and verifies offline, and its revocation shows too', async () => {
    const a = await (await newProfile(shared.browser)).newPage()
    await firstRun(a, shared.relay.url, 'Ana')
    await a.getByTestId('circle-name').fill('Elm Street')
    await a.getByTestId('create-circle').click()
    await a.getByTestId('empty-add-offer').waitFor()
    await addThingWithPhoto(a, 'Ladder of Ana')
    await a.getByTestId('catalogue-invite').click()
    await expect.poll(() => a.getByTestId('invite-link').inputValue(), { timeout: 15_000 }).toContain('/#/join/')
    const link = await a.getByTestId('invite-link').inputValue()

    const b = await joinFrom(link, 'Ben')
    await addThing(b, 'Pump of Ben')
    const c = await joinFrom(link, 'Cleo')
    await expectOffer(c, 'Pump of Ben')
    // Ana's photo was never on Cleo's device: it is fetched from a member and shows.
    await expectOffer(c, 'Ladder of Ana')
    const thumbnail = c.getByTestId('offer-card').filter({ hasText: 'Ladder of Ana' }).locator('img')
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0)

    // Cleo vouches for Ana; Ana vouches for Ben.
    await openOwnerOf(c, 'Ladder of Ana')
    await vouchOnPage(c, 3)
    await openOwnerOf(a, 'Pump of Ben')
    await vouchOnPage(a, 2)

    // Cleo, who vouched for Ana, sees Ana's vouch on Ben's page, and the path that explains it.
    await openOwnerOf(c, 'Pump of Ben')
    const sentence = c.getByTestId('trust-sentence')
    await expect.poll(() => sentence.innerText(), { timeout: 30_000 }).toBe('Vouched for by Ana.')
    await c.getByTestId('trust-why').click()
    await expect.poll(() => c.getByTestId('trust-paths').innerText()).toBe('you → Ana → Ben')

    // The People screen lists Ben with the same line.
    await c.getByTestId('nav-catalogue').first().click()
    await c.getByTestId('catalogue-people').click()
    await expect.poll(() => c.getByTestId('member-row').filter({ hasText: 'Ben' }).innerText()).toContain('Vouched for by Ana.')
    await openOwnerOf(c, 'Pump of Ben')

    // Ben exports what he received; the command line verifies it offline.
    await openOwnerOf(b, 'Pump of Ben')
    await expect.poll(() => b.getByTestId('received-attestations').innerText(), { timeout: 30_000 }).toContain('1 vouch and 0 reviews')
    const [download] = await Promise.all([b.waitForEvent('download'), b.getByTestId('export-attestations').click()])
    const file = join(shared.dir, 'ben.json')
    await download.saveAs(file)
    expect(JSON.parse(await readFile(file, 'utf8')).credentials).toHaveLength(1)
    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'src/tools/verify.ts', file], { cwd: ROOT, encoding: 'utf8' })
    expect(verify.status, verify.stdout + verify.stderr).toBe(0)
    expect(verify.stdout).toMatch(/vouch/i)
    expect(verify.stdout).toMatch(/valid/i)

    // Shown someone's file from elsewhere, Cleo's app verifies it and keeps it apart.
    await c.getByTestId('import-attestations').setInputFiles(file)
    await expect.poll(() => c.getByTestId('import-summary').innerText()).toContain('Verified: 1 vouch and 0 reviews')

    // Ana takes her vouch back; Cleo's view of Ben follows.
    await a.getByTestId('vouch-revoke').click()
    await a.getByTestId('confirm-yes').click()
    await a.getByTestId('vouch-start').waitFor()
    await expect.poll(() => sentence.innerText(), { timeout: 30_000 }).toBe('No one you trust has vouched for Ben yet.')
    await expect.poll(() => c.getByTestId('trust-score').innerText()).toBe('Trust 0')
  }, 150_000)
})
