/**
 * `npm run screenshots`: the README's pictures, made the way a person would make them — a fresh
 * browser, a first run, a circle with a shelf of real offers (one with a photo) and a want — at phone
 * (390×844) and desktop (1280×800) size, into public/screenshots/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { networkInterfaces, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startRelay } from '../../src/relay/start-relay'
import { DESKTOP, DIST, PHONE, launchChromium, newProfile, serveApp } from '../e2e/support/app'
import { act, addOffer, dayFromNow, expectState, openOffer, requestIt, say, twoMembers } from '../e2e/support/bookings'

const OUT = resolve(import.meta.dirname, '../../public/screenshots')

/** A photo-like picture drawn by the browser: a toolbox on a workbench. */
async function photo(page: Page): Promise<Buffer> {
  const url = await page.evaluate(() => {
    const canvas = document.createElement('canvas')
    canvas.width = 1400
    canvas.height = 1050
    const g = canvas.getContext('2d')!
    const wall = g.createLinearGradient(0, 0, 0, 1050)
    wall.addColorStop(0, '#d9cbb3')
    wall.addColorStop(1, '#b59b77')
    g.fillStyle = wall
    g.fillRect(0, 0, 1400, 1050)
    g.fillStyle = '#7a5a3a'
    g.fillRect(0, 760, 1400, 290)
    g.fillStyle = '#c8402f'
    g.beginPath()
    g.roundRect(380, 420, 640, 360, 36)
    g.fill()
    g.fillStyle = '#9e2f22'
    g.fillRect(380, 540, 640, 26)
    g.strokeStyle = '#2b2b2b'
    g.lineWidth = 34
    g.beginPath()
    g.moveTo(560, 420)
    g.lineTo(560, 330)
    g.lineTo(840, 330)
    g.lineTo(840, 420)
    g.stroke()
    g.fillStyle = '#e8e1d4'
    g.fillRect(660, 600, 80, 50)
    return canvas.toDataURL('image/jpeg', 0.9)
  })
  return Buffer.from(url.split(',')[1]!, 'base64')
}

async function offer(page: Page, kind: string, fields: Record<string, string>, picture?: Buffer) {
  await page.goto(`${new URL(page.url()).origin}/${new URL(page.url()).hash.replace(/^(#\/c\/[^/]+).*$/, '$1')}/offer/new?kind=${kind}`)
  for (const [field, value] of Object.entries(fields)) await page.getByTestId(`offer-${field}`).fill(value)
  if (picture) {
    await page.getByTestId('offer-photos').setInputFiles({ name: 'toolbox.jpg', mimeType: 'image/jpeg', buffer: picture })
    await page.getByTestId('offer-photo-list').locator('li').first().waitFor()
  }
  await page.getByTestId('offer-save').click()
  await page.getByTestId('offer-page').waitFor()
}

async function shoot(page: Page, name: string) {
  // Toasts fade on their own; a picture should show the screen, not the last confirmation.
  await page.evaluate(() => document.querySelectorAll('[data-testid="toast"]').forEach((toast) => toast.remove()))
  await page.waitForTimeout(150)
  await page.screenshot({ path: resolve(OUT, `${name}.png`) })
}

/**
 * The booking screens need two members whose browsers sync (WebRTC through a local relay), so they
 * are made only where the network is loopback alone: `unshare -rn sh -c 'ip link set lo up && npm run screenshots'`.
 */
function loopbackOnly(): boolean {
  return Object.values(networkInterfaces()).every((addresses) => (addresses ?? []).every((address) => address.internal))
}

async function bookingScreens(browser: Browser) {
  const keyDir = await mkdtemp(join(tmpdir(), 'sharecircle-screenshots-'))
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dist: DIST, keyFile: join(keyDir, 'relay.key') })
  try {
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const { a, b, contexts, circleUrl } = await twoMembers(browser, relay.url, ['Ana', 'Ben'], { viewport, deviceScaleFactor: 1 })
      await addOffer(a, circleUrl, 'thing', { title: 'Long ladder', description: 'Aluminium, 4.5 m, folds in three.', handover: 'Garage of no. 12', category: 'tools' })
      await a.getByTestId('calendar-day').and(a.locator(`[data-date="${dayFromNow(8)}"]`)).click()
      await a.getByTestId('calendar-day').and(a.locator(`[data-date="${dayFromNow(9)}"]`)).click()
      await a.locator(`[data-date="${dayFromNow(9)}"][data-status="blocked"]`).waitFor()
      await openOffer(b, circleUrl, 'Long ladder')
      const first = await requestIt(b, { from: dayFromNow(2), to: dayFromNow(4), message: 'For the gutters on Saturday' })
      await openOffer(b, circleUrl, 'Long ladder')
      await b.getByTestId('request-from').fill(dayFromNow(3))
      await b.getByTestId('request-to').fill(dayFromNow(5))
      await b.getByTestId('request-message').fill('And once more next week?')
      await b.getByTestId('request-feedback').waitFor()
      await a.goto(first.replace(/^.*#/, `${new URL(a.url()).origin}/#`))
      await act(a, 'accept')
      await expectState(a, 'accepted')
      await openOffer(b, circleUrl, 'Long ladder')
      await b.getByTestId('request-from').fill(dayFromNow(3))
      await b.getByTestId('request-to').fill(dayFromNow(5))
      await b.getByTestId('request-message').fill('And for a second job?')
      await b.locator('[data-testid="request-feedback"][data-ok="false"]').waitFor({ timeout: 20_000 })
      await b.evaluate(() => document.querySelector('[data-testid="booking-panel"]')?.scrollIntoView({ block: 'start' }))
      await shoot(b, `${size}-booking-request`)
      await b.goto(first)
      await expectState(b, 'accepted')
      await say(b, 'Saturday at ten?')
      await a.getByTestId('message-text').filter({ hasText: 'Saturday at ten?' }).waitFor({ timeout: 20_000 })
      await say(a, 'Ten is fine — ring at the garage.')
      await b.getByTestId('message-text').filter({ hasText: 'Ten is fine' }).waitFor({ timeout: 20_000 })
      await act(a, 'hand-over')
      await expectState(b, 'handed-over')
      await b.evaluate(() => {
        ;(document.activeElement as HTMLElement | null)?.blur()
        window.scrollTo(0, 0)
      })
      await shoot(b, `${size}-booking`)
      await b.getByTestId('nav-bookings').first().click()
      await b.getByTestId('reminder').first().waitFor()
      await shoot(b, `${size}-my-bookings`)
      await a.getByTestId('nav-bookings').first().click()
      await a.getByTestId('bookings-tab-lending').click()
      await a.getByTestId('booking-card').first().waitFor()
      await shoot(a, `${size}-lending`)
      await trustScreens(a, b, circleUrl, size)
      for (const context of contexts) await context.close()
    }
  } finally {
    await relay.close()
    await rm(keyDir, { recursive: true, force: true })
  }
}

/** Ana vouches for Ben and Ben for Ana; Ana looks at Ben's page (with why), Ben at the People screen. */
async function trustScreens(a: Page, b: Page, circleUrl: string, size: string) {
  const vouchFor = async (page: Page, name: string, strength: 1 | 2 | 3) => {
    await page.goto(`${circleUrl.replace(/^.*#/, `${new URL(page.url()).origin}/#`)}/members`)
    await page.getByTestId('member-row').filter({ hasText: name }).click()
    await page.getByTestId('vouch-start').click()
    await page.getByTestId(`vouch-strength-${strength}`).check()
    await page.getByTestId('vouch-scope').fill('tools')
    await page.getByTestId('vouch-submit').click()
    await page.getByTestId('vouch-current').waitFor()
  }
  await vouchFor(b, 'Ana', 3)
  await vouchFor(a, 'Ben', 2)
  await a.getByTestId('trust-why').click()
  await a.getByTestId('trust-paths').waitFor()
  await a.evaluate(() => window.scrollTo(0, 0))
  await shoot(a, `${size}-member`)
  await b.goto(`${circleUrl.replace(/^.*#/, `${new URL(b.url()).origin}/#`)}/members`)
  await b.getByTestId('member-row').filter({ hasText: 'Vouched for by' }).waitFor({ timeout: 20_000 })
  await shoot(b, `${size}-people`)
}

async function main() {
  await mkdir(OUT, { recursive: true })
  const server = await serveApp()
  const browser = await launchChromium()
  try {
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await newProfile(browser, { viewport, deviceScaleFactor: 1 })
      const page = await context.newPage()
      await page.goto(server.url)
      await page.getByTestId('welcome-name').waitFor()
      await shoot(page, `${size}-welcome`)
      await page.getByTestId('welcome-name').fill('Ana')
      await page.getByTestId('get-started').click()
      await page.getByTestId('circle-name').fill('Linden Street')
      await page.getByTestId('circle-description').fill('Neighbours of Linden Street, numbers 1–40, and the bakery.')
      await page.getByTestId('create-circle').click()
      await page.getByTestId('empty-add-offer').waitFor()
      await offer(page, 'thing', { title: 'Toolbox with the lot', description: 'Hammer, screwdrivers, spirit level, a good saw. Bring it back tidy!', category: 'tools', tags: 'diy, repairs', value: '€150', handover: 'Front porch, no. 12' }, await photo(page))
      const offerUrl = page.url()
      await offer(page, 'ride', { title: 'Lift to the farmers market', from: 'Linden Street', to: 'Market square', seats: '3', departure: '2026-12-05T08:30' })
      await offer(page, 'space', { title: 'Parking space behind no. 12', slot: 'weekdays 8–18', capacity: '1', category: 'parking' })
      await offer(page, 'skill', { title: 'Bike tune-ups', description: 'Brakes, gears, punctures. I have the stand and the tools.', 'session-minutes': '45', category: 'repairs' })
      await offer(page, 'gift', { title: 'Apples from our tree', quantity: '20', 'best-before': '2026-12-10', 'pickup-window': 'evenings 17–19h', category: 'food' })
      await offer(page, 'thing', { title: 'Tent for four', description: 'Easy to pitch, dry and clean.', category: 'outdoors', value: '€200', deposit: '€40' })
      await page.getByTestId('nav-wants').first().click()
      await page.getByTestId('want-new').first().click()
      await page.getByTestId('want-kind-borrow').click()
      await page.getByTestId('want-title').fill('A ladder for Saturday')
      await page.getByTestId('want-description').fill('Clearing the gutters — two hours in the morning.')
      await page.getByTestId('want-save').click()
      await page.getByTestId('want-card').first().waitFor()
      await shoot(page, `${size}-wants`)

      await page.getByTestId('nav-catalogue').first().click()
      await page.getByTestId('backup-banner-dismiss').click().catch(() => undefined)
      await page.getByTestId('offer-card').first().waitFor()
      await shoot(page, `${size}-catalogue`)
      await page.goto(offerUrl)
      await page.getByTestId('offer-page').locator('img').first().waitFor()
      await shoot(page, `${size}-offer`)
      await page.goto(`${server.url}${new URL(offerUrl).hash.replace(/^(#\/c\/[^/]+).*$/, '$1')}/offer/new?kind=ride`)
      await page.getByTestId('offer-title').fill('Ride to the coast')
      await shoot(page, `${size}-editor`)
      await page.getByTestId('nav-settings').first().click()
      await page.getByTestId('backup-form').waitFor()
      await shoot(page, `${size}-settings`)
      await context.close()
    }
    if (loopbackOnly()) await bookingScreens(browser)
    else process.stdout.write('Booking screens skipped: they need a loopback-only network (see bookingScreens)\n')
  } finally {
    await browser.close()
    await server.close()
  }
  process.stdout.write(`Screenshots written to ${OUT}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
