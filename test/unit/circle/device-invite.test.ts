import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { fingerprint, toBase64Url, toHex } from '../../../src/core/bytes'
import { encodeInvite } from '../../../src/core/invite'
import { Device, previewInvite } from '../../../src/circle/device'
import { InvalidInviteError } from '../../../src/circle/invite-errors'
import { newTestDevice, openTestStorage, testEnvironment } from '../../support/circle-fixtures'

const ORIGIN = 'https://share.example/app/'
const START = 1_750_000_000_000
const DAY = 24 * 60 * 60 * 1000
const RELAY = '/ip4/127.0.0.1/tcp/8787/ws/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function device(name: string, seed: number, start = START): Promise<Device> {
  const made = await Device.create(await openTestStorage(name), name, testEnvironment(seed, start))
  cleanups.push(() => made.close())
  return made
}

async function anaWithCircle() {
  const { device: ana } = await newTestDevice('Ana', 1)
  cleanups.push(() => ana.close())
  const circle = await ana.createCircle({ name: 'Elm Street', description: 'Neighbours' })
  return { ana, circle }
}

async function rejection(promise: Promise<unknown>): Promise<InvalidInviteError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(InvalidInviteError)
  return error as InvalidInviteError
}

describe('invites from a device', () => {
  it('round trip: the link opens on another device, which joins with the circle key and relays', async () => {
    const { ana, circle } = await anaWithCircle()
    const created = await ana.createInvite(circle.id, { relays: [RELAY, ` ${RELAY} `, 'not a multiaddr'], expiresInDays: 7, origin: ORIGIN })
    expect(created.link.startsWith('https://share.example/app/#/join/')).toBe(true)
    expect(created.invite.relays).toEqual([RELAY])
    expect(created.expiresAt - created.invite.issuedAt).toBe(7 * DAY)

    const ben = await device('Ben', 2)
    const preview = await ben.previewInvite(created.link)
    expect(preview.ok).toBe(true)
    if (!preview.ok) return
    expect(preview.value.circleName).toBe('Elm Street')
    expect(preview.value.inviterName).toBe('Ana')
    expect(fingerprint(preview.value.inviter)).toBe(ana.fingerprint)
    expect(toHex(preview.value.inviter)).toBe(ana.me)
    // Opening needs no identity: the same answer before this browser has one.
    expect((await previewInvite(created.link, testEnvironment(9))).ok).toBe(true)

    const joined = await ben.joinFromInvite(created.link)
    expect(joined).toMatchObject({ id: circle.id, name: 'Elm Street', description: '', relays: [RELAY] })
    expect(toHex(joined.key)).toBe(toHex(circle.key))
    expect(ben.circles().map((known) => known.id)).toEqual([circle.id])
    // The joined circle opens, with this device as its only member until sync brings the others.
    const replica = await ben.openCircle(circle.id)
    expect([...replica.view().members.keys()]).toEqual([ben.me])
  })

  it('refuses an expired invite, naming the reason, and joins nothing', async () => {
    const { ana, circle } = await anaWithCircle()
    const { link } = await ana.createInvite(circle.id, { relays: [], expiresInDays: 1, origin: ORIGIN })
    const late = await device('Ben', 2, START + 2 * DAY)
    const preview = await late.previewInvite(link)
    expect(preview).toMatchObject({ ok: false, reason: 'expired' })
    const error = await rejection(late.joinFromInvite(link))
    expect(error.name).toBe('InvalidInviteError')
    expect(error.reason).toBe('expired')
    expect(late.circles()).toEqual([])
  })

  it('refuses a forged invite (fields changed after signing) and a damaged link', async () => {
    const { ana, circle } = await anaWithCircle()
    const { invite } = await ana.createInvite(circle.id, { relays: [RELAY], expiresInDays: 7, origin: ORIGIN })
    const forged = `${ORIGIN}#/join/${toBase64Url(encodeInvite({ ...invite, inviterName: 'Mallory' }))}`
    const ben = await device('Ben', 2)
    expect((await rejection(ben.joinFromInvite(forged))).reason).toBe('bad-signature')
    expect((await rejection(ben.joinFromInvite('https://share.example/#/join/AAAA'))).reason).toBe('malformed')
    expect((await rejection(ben.joinFromInvite('hello neighbour'))).reason).toBe('malformed')
    expect(ben.circles()).toEqual([])
  })

  it('joining a circle already joined returns it unchanged', async () => {
    const { ana, circle } = await anaWithCircle()
    const ben = await device('Ben', 2)
    const first = await ana.createInvite(circle.id, { relays: [], expiresInDays: 7, origin: ORIGIN })
    const second = await ana.createInvite(circle.id, { relays: [RELAY], expiresInDays: 30, origin: ORIGIN })
    const joined = await ben.joinFromInvite(first.link)
    const again = await ben.joinFromInvite(second.link)
    expect(again).toBe(joined)
    expect(ben.circles()).toHaveLength(1)
    // The founder following their own invite is already in the circle.
    expect(await ana.joinFromInvite(first.link)).toBe(circle)
    expect(ana.circles()).toHaveLength(1)
  })

  it('refuses to invite to a circle it does not have, or with no expiry', async () => {
    const { ana, circle } = await anaWithCircle()
    await expect(ana.createInvite('00'.repeat(16), { relays: [], expiresInDays: 7, origin: ORIGIN })).rejects.toMatchObject({ name: 'UnknownCircleError' })
    await expect(ana.createInvite(circle.id, { relays: [], expiresInDays: 0, origin: ORIGIN })).rejects.toBeInstanceOf(RangeError)
  })
})
