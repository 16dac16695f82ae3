/**
 * The invite flow between two browsers: A makes a circle and an invite (served by a real relay, so the
 * link carries its address), B opens the link in a fresh profile, names themselves and joins. Bad
 * links (expired, tampered) say why and join nothing.
 */
import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../../src/core/bytes'
import { newCircleSecrets } from '../../src/core/circle-secrets'
import { tweetnaclEd25519 } from '../../src/core/ed25519'
import { createInvite, inviteLink } from '../../src/core/invite'
import { newSigningKeyPair } from '../../src/core/keys'
import { secureRandom } from '../../src/core/random'
import { newProfile } from './support/app'
import { firstRun } from './support/circle'
import { useRelayAndBrowser } from './support/shared'

const shared = useRelayAndBrowser('invite')

describe('invites', () => {
  it('A invites, B opens the link in a new profile, names themselves and joins', async () => {
    const contextA = await newProfile(shared.browser)
    const a = await contextA.newPage()
    await firstRun(a, shared.relay.url, 'Ana')
    await a.getByTestId('circle-name').fill('Elm Street')
    await a.getByTestId('create-circle').click()
    await a.getByTestId('catalogue-invite').click()

    const linkField = a.getByTestId('invite-link')
    await expect.poll(() => linkField.inputValue(), { timeout: 15_000 }).toContain('/#/join/')
    // A new expiry is a new signed invite.
    const first = await linkField.inputValue()
    await a.getByTestId('invite-expiry').selectOption('30')
    await expect.poll(() => linkField.inputValue()).not.toBe(first)
    const link = await linkField.inputValue()
    expect(link.startsWith(shared.relay.url)).toBe(true)
    expect(await a.getByTestId('invite-qr').locator('rect').count()).toBeGreaterThan(50)
    const relays = await a.getByTestId('invite-relay').allInnerTexts()
    expect(relays).toEqual(shared.relay.multiaddrs)
    expect(relays[0]).toMatch(new RegExp(`/ws/p2p/${shared.relay.peerId}$`))

    const contextB = await newProfile(shared.browser)
    const b = await contextB.newPage()
    await b.goto(link)
    const preview = b.getByTestId('join-preview')
    await preview.waitFor()
    expect(await b.getByTestId('join-circle-name').innerText()).toBe('Elm Street')
    expect(await b.getByTestId('join-inviter').innerText()).toBe('Ana')
    await b.getByTestId('join-submit').click()
    // No identity on this browser yet: the name is asked first.
    await expect.poll(() => b.getByTestId('field-error').innerText()).toMatch(/call you/)
    await b.getByTestId('join-name').fill('Ben')
    await b.getByTestId('join-submit').click()
    await b.getByTestId('catalogue-connecting').waitFor({ timeout: 15_000 })
    expect(await b.locator('h1').innerText()).toBe('Elm Street')
    expect(new URL(b.url()).hash).toMatch(/^#\/c\/[0-9a-f]{32}$/)

    // The same link again: already in, nothing joined twice.
    await b.goto(link)
    await b.getByTestId('join-open').waitFor()
    await b.goto(`${shared.relay.url}#/settings`)
    await b.getByTestId('settings-invite').waitFor()
    await b.goto(shared.relay.url)
    await b.getByTestId('catalogue-connecting').waitFor()
    await contextA.close()
    await contextB.close()
  })

  it('an expired invite and a tampered link say why, and the paste field opens a good one', async () => {
    const ed = tweetnaclEd25519
    const inviter = newSigningKeyPair(secureRandom)
    const secrets = newCircleSecrets(secureRandom)
    const fields = { circleId: secrets.id, circleKey: secrets.key, circleName: 'Old Mill', relays: shared.relay.multiaddrs, inviterName: 'Cleo' }
    const now = Date.now()
    const expired = await createInvite(ed, inviter, { ...fields, issuedAt: now - 10 * 86_400_000, expiresAt: now - 86_400_000 }, secureRandom)
    const valid = await createInvite(ed, inviter, { ...fields, issuedAt: now, expiresAt: now + 86_400_000 }, secureRandom)

    const context = await newProfile(shared.browser)
    const page = await context.newPage()
    await page.goto(inviteLink(shared.relay.url, expired))
    const error = page.getByTestId('join-error')
    await expect.poll(() => error.innerText()).toBe('This invite has expired — ask for a new one.')
    expect(await error.getAttribute('data-reason')).toBe('expired')

    const good = inviteLink(shared.relay.url, valid)
    const payload = good.split('/#/join/')[1]!
    const tampered = `${payload.slice(0, 40)}${payload[40] === 'A' ? 'B' : 'A'}${payload.slice(41)}`
    await page.goto(`${shared.relay.url}#/join/${tampered}`)
    await expect.poll(() => page.getByTestId('join-error').innerText()).toMatch(/damaged or not a Sharecircle invite/)
    await page.goto(`${shared.relay.url}#/join/${toBase64Url(new Uint8Array([1, 2, 3]))}`)
    await expect.poll(() => page.getByTestId('join-error').innerText()).toMatch(/damaged/)

    // Welcome screen: paste a link wrapped across lines, as a mail client would.
    await page.goto(shared.relay.url)
    await page.getByTestId('paste-invite').fill('hello')
    await page.getByTestId('paste-invite-submit').click()
    await expect.poll(() => page.getByTestId('paste-invite-error').innerText()).toMatch(/damaged/)
    await page.getByTestId('paste-invite').fill(`${good.slice(0, 60)} ${good.slice(60)}`)
    await page.getByTestId('paste-invite-submit').click()
    await expect.poll(() => page.getByTestId('join-circle-name').innerText()).toBe('Old Mill')
    expect(await page.getByTestId('join-inviter').innerText()).toBe('Cleo')
    // Nothing was made on this browser by the bad links: it is still on first run.
    expect(await page.getByTestId('join-name').count()).toBe(1)
    await context.close()
  })
})
