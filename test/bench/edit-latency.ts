/**
 * Edit → visible between two browser pages of one build, as a person's edits come: A creates a circle
 * and an invite, B joins from the link; then each edit is an offer A saves with both pages idle, timed
 * from the save click to the moment B's catalogue shows its title (a mutation observer in B), on the
 * shared wall clock (performance.timeOrigin + performance.now()). Used by sync-latency.ts (the README
 * row) and latency-ab.ts (two builds in one run); both run inside a loopback-only network namespace
 * (namespace.ts).
 */
import type { Browser, Page } from 'playwright-core'
import { newProfile } from '../e2e/support/app'

export interface EditPair {
  a: Page
  b: Page
}

/** A with a new circle at `url`, B joined from its invite and online with A. */
export async function openEditPair(browser: Browser, url: string): Promise<EditPair> {
  const a = await (await newProfile(browser)).newPage()
  await a.goto(url)
  await a.getByTestId('welcome-name').fill('Ana')
  await a.getByTestId('get-started').click()
  await a.getByTestId('circle-name').fill('Bench Street')
  await a.getByTestId('create-circle').click()
  await a.getByTestId('empty-add-offer').waitFor()
  await a.getByTestId('catalogue-invite').click()
  await a.waitForFunction(() => (document.querySelector('[data-testid="invite-link"]') as HTMLInputElement | null)?.value.includes('/#/join/'))
  const link = await a.getByTestId('invite-link').inputValue()
  await a.getByTestId('nav-catalogue').first().click()

  const b = await (await newProfile(browser)).newPage()
  await b.goto(link)
  await b.getByTestId('join-name').fill('Ben')
  await b.getByTestId('join-submit').click()
  await b.waitForFunction(() => /member online|members online/.test(document.querySelector('[data-testid="network-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 })
  return { a, b }
}

/** One offer saved in A with both pages idle; milliseconds until B shows it. Leaves A on its page. */
export async function timeEdit({ a, b }: EditPair, title: string): Promise<number> {
  const seen = b.evaluate(
    (wanted) =>
      new Promise<number>((done) => {
        const check = () => {
          const found = [...document.querySelectorAll('[data-testid="offer-card"]')].some((card) => card.textContent?.includes(wanted))
          if (found) {
            observer.disconnect()
            done(performance.timeOrigin + performance.now())
          }
        }
        const observer = new MutationObserver(check)
        observer.observe(document.body, { childList: true, subtree: true, characterData: true })
        check()
      }),
    title,
  )
  await a.getByTestId('add-offer').first().click()
  await a.getByTestId('kind-option-thing').click()
  await a.getByTestId('offer-title').fill(title)
  await Promise.all([a, b].map((page) => page.evaluate(() => new Promise<void>((idle) => requestIdleCallback(() => idle())))))
  const clicked = await a.evaluate(() => {
    const at = performance.timeOrigin + performance.now()
    ;(document.querySelector('[data-testid="offer-save"]') as HTMLButtonElement).click()
    return at
  })
  const latency = (await seen) - clicked
  await a.getByTestId('offer-page').waitFor()
  return latency
}
