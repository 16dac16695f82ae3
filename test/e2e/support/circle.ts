/**
 * Steps shared by e2e tests that drive a circle through the UI: first run, adding an offer, reading
 * the catalogue and the network status panel. Every wait polls; nothing sleeps a fixed time.
 */
import { expect } from 'vitest'
import type { Page } from 'playwright-core'

/** Welcome screen → name → the first-circle screen. */
export async function firstRun(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url)
  await page.getByTestId('welcome-name').fill(name)
  await page.getByTestId('get-started').click()
}

/** Adds a thing to lend with this title, then goes back to the catalogue. */
export async function addThing(page: Page, title: string): Promise<void> {
  await page.getByTestId('add-offer').first().click()
  await page.getByTestId('kind-option-thing').click()
  await page.getByTestId('offer-title').fill(title)
  await page.getByTestId('offer-save').click()
  await page.getByTestId('offer-page').waitFor()
  await page.getByTestId('nav-catalogue').first().click()
  await page.getByTestId('offer-card').first().waitFor()
}

/** The titles on the catalogue's cards (their whole text: title, owner, kind). */
export function catalogueTexts(page: Page): Promise<string[]> {
  return page.getByTestId('offer-card').allInnerTexts()
}

/** Waits until a card with this title is on the catalogue. */
export async function expectOffer(page: Page, title: string, timeout = 30_000): Promise<void> {
  await expect.poll(async () => (await catalogueTexts(page)).some((text) => text.includes(title)), { timeout, interval: 250 }).toBe(true)
}

/** Opens the network panel, returns its peer rows' kinds and texts, and closes it again. */
export async function readPeers(page: Page): Promise<{ kind: string | null; text: string }[]> {
  await page.getByTestId('network-status').click()
  const panel = page.getByTestId('network-panel')
  await panel.waitFor()
  const rows = await panel.getByTestId('peer-row').all()
  const peers = await Promise.all(rows.map(async (row) => ({ kind: await row.getAttribute('data-kind'), text: await row.innerText() })))
  await page.keyboard.press('Escape')
  await panel.waitFor({ state: 'hidden' })
  return peers
}
