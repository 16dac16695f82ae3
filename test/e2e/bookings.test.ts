/**
 * Bookings between two browsers syncing through a local relay: a thing goes the whole way from
 * request to closed with messages both ways (the owner gets a reminder, a badge and a browser
 * notification for the request); a ride with three seats takes three bookings and refuses a fourth;
 * a gift is claimed and picked up; a want is answered with "I can help" and turned into a request;
 * and with the browsers' clocks moved past a loan's last day (the borrower said they received it before
 * the owner said it left: the owner's device records the handover), both sides see "overdue" and a reminder.
 */
import { describe, expect, it } from 'vitest'
import { act, addOffer, dayFromNow, expectState, openOffer, requestIt, say, twoMembers } from './support/bookings'
import { useRelayAndBrowser } from './support/shared'

const shared = useRelayAndBrowser('bookings')

describe('bookings between two browsers', () => {
  it('thing: request → accepted → handed over → received → returned → closed; ride seats; gift; want; overdue', async () => {
    // Ana has allowed browser notifications. Headless Chromium cannot show them, and granting the
    // permission through Playwright cuts the page off from loopback, so the page's Notification is a
    // recorder that says "granted": what is tested is that the app makes one for each new reminder.
    const { a, b, contexts, circleUrl } = await twoMembers(shared.browser, shared.relay.url, ['Ana', 'Ben'], {}, async (context) => {
      await context.addInitScript(() => {
        const shown: string[] = []
        class RecordedNotification {
          static readonly permission = 'granted'
          static requestPermission = () => Promise.resolve('granted')
          onclick: (() => void) | null = null
          constructor(title: string, options?: NotificationOptions) {
            shown.push(options?.body ?? title)
          }
          close() {}
        }
        Object.assign(window, { shownNotifications: shown, Notification: RecordedNotification })
      })
    })
    // A thing, the whole way, with messages both ways.
    await addOffer(a, circleUrl, 'thing', { title: 'Long ladder', handover: 'Garage of no. 12' })
    await openOffer(b, circleUrl, 'Long ladder')
    // The handover point is for the two sides of a booking, not the whole circle.
    expect(await b.getByTestId('offer-details').innerText()).not.toContain('Garage of no. 12')
    const bookingUrl = await requestIt(b, { from: dayFromNow(2), to: dayFromNow(3), message: 'For the gutters' })
    await expectState(b, 'requested')
    expect(await b.getByTestId('booking-next').innerText()).toMatch(/Waiting for Ana/)
    // The borrower learns it only once accepted: asking and cancelling must not be a way to find it out.
    expect(await b.getByTestId('booking-handover').count()).toBe(0)

    await expect.poll(() => a.getByTestId('nav-bookings-badge').first().innerText(), { timeout: 20_000 }).toMatch(/^1/)
    const notified = () => a.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications)
    await expect.poll(notified, { timeout: 10_000 }).toContain('Ben asks for “Long ladder”')
    await a.getByTestId('nav-bookings').first().click()
    await a.getByTestId('reminder').filter({ hasText: 'Ben asks for “Long ladder”' }).waitFor()
    await a.getByTestId('bookings-tab-lending').click()
    await a.getByTestId('booking-card').first().click()
    await expectState(a, 'requested')
    expect(await a.getByTestId('booking-handover').innerText()).toBe('Garage of no. 12')
    await act(a, 'accept')
    await expectState(a, 'accepted')
    await expectState(b, 'accepted')
    expect(await b.getByTestId('booking-handover').innerText()).toBe('Garage of no. 12')
    await say(b, 'Saturday at ten?')
    await a.getByTestId('message-text').filter({ hasText: 'Saturday at ten?' }).waitFor({ timeout: 20_000 })
    await say(a, 'Ten is fine, see you')
    await b.getByTestId('message-text').filter({ hasText: 'Ten is fine, see you' }).waitFor({ timeout: 20_000 })

    await act(a, 'hand-over')
    await expectState(b, 'handed-over')
    await act(b, 'receive')
    await expectState(a, 'received')
    await act(b, 'return')
    await expectState(a, 'returned')
    await a.getByTestId('booking-condition-input').fill('Clean, no scratches')
    await act(a, 'close')
    await expectState(a, 'closed')
    await expectState(b, 'closed')
    await expect.poll(() => b.getByTestId('booking-condition').innerText(), { timeout: 20_000 }).toBe('Clean, no scratches')
    expect(b.url()).toBe(bookingUrl)

    // Both review; each review stays sealed until the other one is written, then both show.
    await b.getByTestId('review-rating-5').check()
    await b.getByTestId('review-submit').click()
    await b.getByTestId('review-sealed').waitFor()
    await expect.poll(() => a.getByTestId('booking-review').count()).toBe(0)
    await a.getByTestId('review-rating-4').check()
    await a.getByTestId('review-submit').click()
    for (const page of [a, b]) await expect.poll(() => page.getByTestId('booking-review').count(), { timeout: 30_000 }).toBe(2)
    await expect.poll(() => b.getByTestId('booking-reviews').innerText()).toMatch(/You gave Ana\s*★★★★★/)

    // A ride with three seats takes three one-seat bookings and refuses the fourth.
    const rideUrl = await addOffer(a, circleUrl, 'ride', { title: 'Lift to the market', seats: '3', from: 'Elm Street', to: 'Market', departure: `${dayFromNow(3)}T08:30` })
    await openOffer(b, circleUrl, 'Lift to the market')
    const rideOnB = b.url()
    for (let seat = 1; seat <= 3; seat++) {
      await b.goto(rideOnB)
      await requestIt(b, { count: 1, message: `Seat ${seat}` })
    }
    await a.goto(rideUrl)
    const cards = a.getByTestId('booking-panel').getByTestId('booking-card')
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBe(3)
    for (let i = 0; i < 3; i++) {
      await a.goto(rideUrl)
      await a.locator('[data-testid="booking-panel"] [data-testid="booking-card"][data-state="requested"]').first().click()
      await act(a, 'accept')
      await expectState(a, 'accepted')
    }
    await b.goto(rideOnB)
    const feedback = b.getByTestId('request-feedback')
    await expect.poll(() => feedback.innerText(), { timeout: 20_000 }).toBe('No seats left for that many.')
    expect(await b.getByTestId('request-submit').isDisabled()).toBe(true)

    // A gift: claimed, the giver picks Ben, both confirm the pickup.
    await addOffer(a, circleUrl, 'gift', { title: 'Apples from the tree', quantity: '1' })
    await openOffer(b, circleUrl, 'Apples from the tree')
    await requestIt(b, { message: 'Would love some' })
    await a.getByTestId('nav-bookings').first().click()
    await a.getByTestId('bookings-tab-lending').click()
    await a.getByTestId('booking-card').filter({ hasText: 'Apples from the tree' }).click()
    await act(a, 'accept')
    await expectState(b, 'accepted')
    await act(a, 'hand-over')
    await act(b, 'receive')
    await expectState(b, 'closed')
    await expectState(a, 'closed')

    // Want → "I can help": Ben asks for a ladder; Ana answers with hers; Ben turns it into a request
    // with his want's dates already filled in.
    await b.goto(`${circleUrl}/want/new`)
    await b.getByTestId('want-kind-borrow').click()
    await b.getByTestId('want-title').fill('A ladder again')
    await b.getByTestId('want-needed-from').fill(dayFromNow(6))
    await b.getByTestId('want-needed-to').fill(dayFromNow(7))
    await b.getByTestId('want-save').click()
    await b.getByTestId('want-card').first().waitFor()
    await a.goto(`${circleUrl}/wants`)
    await a.getByTestId('want-help').click({ timeout: 20_000 })
    // The list opens on an offer, the one "Offer it" would send, not on a blank.
    expect(await a.getByTestId('want-help-offer').inputValue()).not.toBe('')
    await a.getByTestId('want-help-offer').selectOption({ label: 'Long ladder' })
    await a.getByTestId('want-help-note').fill('Mine is free then')
    await a.getByTestId('want-help-send').click()
    await b.getByTestId('want-answer').filter({ hasText: 'Long ladder' }).waitFor({ timeout: 20_000 })
    await b.getByTestId('want-answer-request').click()
    await b.getByTestId('request-form').waitFor()
    expect(await b.getByTestId('request-from').inputValue()).toBe(dayFromNow(6))
    expect(await b.getByTestId('request-to').inputValue()).toBe(dayFromNow(7))
    expect(await b.getByTestId('request-feedback').getAttribute('data-ok')).toBe('true')

    // Overdue: a tent goes out for two days, then both clocks move past its last day.
    await addOffer(a, circleUrl, 'thing', { title: 'Tent for four' })
    await openOffer(b, circleUrl, 'Tent for four')
    const tentUrl = await requestIt(b, { from: dayFromNow(1), to: dayFromNow(2) })
    const tentOnA = tentUrl.replace(/^.*#/, `${new URL(a.url()).origin}/#`)
    await a.goto(tentOnA)
    // Ben says he has it before Ana says it left: her device writes the handover down by itself.
    await act(a, 'accept')
    await expectState(b, 'accepted')
    await act(b, 'receive')
    await expectState(a, 'received')
    await expect.poll(() => a.getByTestId('booking-action-hand-over').count(), { timeout: 20_000 }).toBe(0)
    const later = new Date(Date.now() + 5 * 86_400_000)
    for (const page of [a, b]) {
      await page.clock.setFixedTime(later)
      await page.getByTestId('nav-bookings').first().click()
      await page.getByTestId('reminder').and(page.locator('[data-kind="overdue"]')).filter({ hasText: '“Tent for four” is overdue' }).waitFor({ timeout: 20_000 })
      await page.getByTestId('reminder').filter({ hasText: 'Tent for four' }).first().locator('a').click()
      await expectState(page, 'overdue')
      await page.getByTestId('booking-overdue').waitFor()
    }

    for (const context of contexts) await context.close()
  }, 150_000)
})
