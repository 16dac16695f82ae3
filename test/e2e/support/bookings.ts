/**
 * Steps for e2e tests of bookings: two members in one circle (the second joins from the first's
 * invite), adding an offer of any kind, asking for one, taking a booking's steps, and reading where a
 * booking stands. Every wait polls; nothing sleeps a fixed time.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { newProfile } from './app'
import { firstRun } from './circle'

/**
 * Polls until `read` gives a value `accept` takes, or throws after `timeout`. Not vitest's
 * expect.poll: the screenshot script uses these steps outside any test run.
 */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeout = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeout
  let last: T | undefined
  for (;;) {
    last = await read()
    if (accept(last)) return last
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}; last value: ${String(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export interface Pair {
  a: Page
  b: Page
  contexts: BrowserContext[]
  /** The circle's base URL, `…/#/c/<id>`. */
  circleUrl: string
}

/** Ana makes a circle and invites Ben, who joins in a fresh profile. */
export async function twoMembers(
  browser: Browser,
  url: string,
  names: [string, string] = ['Ana', 'Ben'],
  options: Parameters<typeof newProfile>[1] = {},
  /** Runs on the first member's profile before any page opens (permissions, init scripts). */
  prepareFirst?: (context: BrowserContext) => Promise<void>,
): Promise<Pair> {
  const contextA = await newProfile(browser, options)
  await prepareFirst?.(contextA)
  const a = await contextA.newPage()
  await firstRun(a, url, names[0])
  await a.getByTestId('circle-name').fill('Elm Street')
  await a.getByTestId('create-circle').click()
  await a.getByTestId('empty-add-offer').waitFor()
  await a.getByTestId('catalogue-invite').click()
  const linkField = a.getByTestId('invite-link')
  await until(() => linkField.inputValue(), (value) => value.includes('/#/join/'), 15_000, 'the invite link')
  const link = await linkField.inputValue()
  const circleUrl = a.url().replace(/\/invite$/, '')
  await a.getByTestId('nav-catalogue').first().click()

  const contextB = await newProfile(browser, options)
  const b = await contextB.newPage()
  await b.goto(link)
  await b.getByTestId('join-name').fill(names[1])
  await b.getByTestId('join-submit').click()
  await b.getByTestId('catalogue-connecting').or(b.getByTestId('empty-state')).or(b.getByTestId('offer-card')).first().waitFor({ timeout: 15_000 })
  for (const page of [a, b]) await page.getByTestId('backup-banner-dismiss').click({ timeout: 2000 }).catch(() => undefined)
  return { a, b, contexts: [contextA, contextB], circleUrl }
}

/** Adds an offer of this kind with these editor fields (`offer-<field>` test ids); stays on its page. Returns its URL. */
export async function addOffer(page: Page, circleUrl: string, kind: string, fields: Record<string, string>): Promise<string> {
  await page.goto(`${circleUrl}/offer/new?kind=${kind}`)
  for (const [field, value] of Object.entries(fields)) await page.getByTestId(`offer-${field}`).fill(value)
  await page.getByTestId('offer-save').click()
  await page.getByTestId('offer-page').waitFor()
  await page.getByTestId('booking-panel').waitFor()
  return page.url()
}

/** Opens the offer with this title from the catalogue, once it has arrived. */
export async function openOffer(page: Page, circleUrl: string, title: string): Promise<void> {
  await page.goto(circleUrl)
  const card = page.getByTestId('offer-card').filter({ hasText: title }).first()
  await card.waitFor({ timeout: 30_000 })
  await card.click()
  await page.getByTestId('request-form').or(page.getByTestId('booking-panel')).first().waitFor()
}

/** On an offer's page: asks for it and lands on the new booking's page. Returns that page's URL. */
export async function requestIt(page: Page, request: { from?: string; to?: string; count?: number; message?: string }): Promise<string> {
  if (request.from) await page.getByTestId('request-from').fill(request.from)
  if (request.to) await page.getByTestId('request-to').fill(request.to)
  if (request.count !== undefined) await page.getByTestId('request-count').fill(String(request.count))
  if (request.message) await page.getByTestId('request-message').fill(request.message)
  await until(() => page.getByTestId('request-feedback').getAttribute('data-ok'), (ok) => ok === 'true', 5_000, 'the request to fit')
  await page.getByTestId('request-submit').click()
  await page.getByTestId('booking-page').waitFor()
  return page.url()
}

/** The state shown on the booking page on screen. */
export function stateOf(page: Page): Promise<string | null> {
  return page.getByTestId('booking-page').getAttribute('data-state')
}

/** Waits until the booking page on screen shows this state (synced from the other side). */
export async function expectState(page: Page, state: string, timeout = 20_000): Promise<void> {
  await until(() => stateOf(page), (shown) => shown === state, timeout, `state ${state}`)
}

/** Takes one step (`booking-action-<action>`) once the other side's last step has arrived. */
export async function act(page: Page, action: string, timeout = 20_000): Promise<void> {
  const button = page.getByTestId(`booking-action-${action}`)
  await button.waitFor({ timeout })
  await until(() => button.isEnabled(), Boolean, timeout, `${action} to be enabled`)
  await button.click()
}

/** Sends a message in the booking's thread and waits for it to show. */
export async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId('message-input').fill(text)
  await page.getByTestId('message-send').click()
  await page.getByTestId('message-text').filter({ hasText: text }).waitFor()
}

/** The day `days` from now in the browser's calendar (the test process shares its time zone). */
export function dayFromNow(days: number, now = Date.now()): string {
  const date = new Date(now + days * 86_400_000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}
