/**
 * Two tabs of one browser profile share one device, and one device key signs one feed: only one tab
 * at a time may write. The second tab says so and offers to take over; the first then stops, and the
 * feed stays one unbroken chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { StaticServer } from '../../src/relay/static-server'
import { launchChromium, newProfile, serveApp } from './support/app'
import { addThing, firstRun } from './support/circle'

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

async function titles(page: Page): Promise<string[]> {
  return (await page.getByTestId('offer-card').locator('.title').allInnerTexts()).sort()
}

/** Every stored entry of this profile as `feed/seq`, and how many forks are on record. */
function storedFeeds(page: Page): Promise<{ entries: string[]; forks: number }> {
  return page.evaluate(
    () =>
      new Promise((done, failed) => {
        const open = indexedDB.open('sharecircle')
        open.onerror = () => failed(open.error)
        open.onsuccess = () => {
          const db = open.result
          const transaction = db.transaction(['entries', 'forks'])
          const entries = transaction.objectStore('entries').getAll()
          const forks = transaction.objectStore('forks').count()
          transaction.oncomplete = () => {
            db.close()
            done({ entries: (entries.result as Array<{ feed: string; seq: number }>).map((row) => `${row.feed}/${row.seq}`), forks: forks.result })
          }
        }
      }),
  )
}

describe('two tabs of one browser profile', () => {
  it('lets one tab write at a time: the second offers to take over, and the first stops', async () => {
    const context = await newProfile(browser)
    const first = await context.newPage()
    await firstRun(first, server.url, 'Ana')
    await first.getByTestId('circle-name').fill('Elm Street')
    await first.getByTestId('create-circle').click()
    await first.getByTestId('empty-add-offer').waitFor()
    await addThing(first, 'Ladder')

    const second = await context.newPage()
    await second.goto(server.url)
    await second.getByTestId('open-elsewhere').waitFor()
    await second.getByTestId('use-here').click()
    await expect.poll(() => titles(second)).toEqual(['Ladder'])
    await first.getByTestId('open-elsewhere').waitFor()

    await addThing(second, 'Drill')
    // Back to the first tab: it starts again from what is stored, the second tab's edit included.
    await first.getByTestId('use-here').click()
    await expect.poll(() => titles(first)).toEqual(['Drill', 'Ladder'])
    await second.getByTestId('open-elsewhere').waitFor()
    await addThing(first, 'Tent')
    await expect.poll(() => titles(first)).toEqual(['Drill', 'Ladder', 'Tent'])

    // One device feed, one entry per seq, no fork: join, profile, circle… and three offers in order.
    const { entries, forks } = await storedFeeds(first)
    expect(forks).toBe(0)
    const seqs = entries.map((entry) => Number(entry.split('/')[1]))
    expect(new Set(entries.map((entry) => entry.split('/')[0])).size).toBe(1)
    expect(seqs).toEqual(seqs.map((_, index) => index))
    await context.close()
  })
})
