/**
 * Measurements of the app itself, as a person meets it: how long until the catalogue is on screen,
 * and how long from a keystroke in the search box until the results are painted.
 */
import type { Page } from 'playwright-core'
import { median, percentile } from './stats'

const CARD = '[data-testid="offer-card"]'
const SEARCH = '[data-testid="search"]'

export async function measureAppStart(page: Page, url: string): Promise<number> {
  await page.goto(url)
  await page.waitForSelector(CARD, { timeout: 60_000 })
  return page.evaluate(() => new Promise<number>((done) => requestAnimationFrame(() => done(performance.now()))))
}

/**
 * Types phrases one character at a time. A sample runs from the input event until Svelte has updated
 * the DOM and the browser has laid it out (a forced layout after the next task), which is the work a
 * keystroke costs; waiting for frames instead would measure the 60 Hz clock.
 */
export async function measureAppKeystrokes(page: Page, url: string): Promise<{ median: number; p95: number; count: number }> {
  await page.goto(url)
  await page.waitForSelector(CARD, { timeout: 60_000 })
  const samples = await page.evaluate(async (selector) => {
    const input = document.querySelector<HTMLInputElement>(selector)
    if (!input) throw new Error('no search box')
    const frame = () => new Promise((done) => requestAnimationFrame(done))
    const channel = new MessageChannel()
    const nextTask = () => new Promise((done) => {
      channel.port1.onmessage = done
      channel.port2.postMessage(null)
    })
    const out: number[] = []
    for (const phrase of ['cordless drill', 'tent', 'ride to', 'member 42']) {
      input.value = ''
      input.dispatchEvent(new Event('input', { bubbles: true }))
      await frame()
      for (let length = 1; length <= phrase.length; length++) {
        const start = performance.now()
        input.value = phrase.slice(0, length)
        input.dispatchEvent(new Event('input', { bubbles: true }))
        await nextTask()
        void document.body.offsetHeight
        out.push(performance.now() - start)
        await frame()
      }
    }
    return out
  }, SEARCH)
  return { median: median(samples), p95: percentile(samples, 95), count: samples.length }
}
