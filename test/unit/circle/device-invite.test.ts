import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { concat, fingerprint, toBase64Url, toHex, utf8 } from '../../../src/core/bytes'
import { INVITE_LIMITS, encodeInvite, type Invite } from '../../../src/core/invite'
import { Device, previewInvite } from '../../../src/circle/device'
import { InvalidInviteError } from '../../../src/circle/invite-errors'
import { newTestDevice, openTestStorage, testEnvironment } from '../../support/circle-fixtures'

const ORIGIN = 'https://share.example/app/'
const START = 1_750_000_000_000
const DAY = 24 * 60 * 60 * 1000
const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const RELAY = `/ip4/127.0.0.1/tcp/8787/ws/p2p/${PEER}`
/** Multiaddr-looking text that is no WebSocket relay address a browser could dial. */
const UNUSABLE = ['/ip4/127.0.0.1/tcp/8787/ws', `/dns4/relay.example/tcp/443/tls/p2p/${PEER}`, `/ip4/127.0.0.1/tcp/8787/p2p/${PEER}`, '/relay']
/** Distinct usable relays, `relayN.example`. */
const relays = (from: number, count: number) => Array.from({ length: count }, (_, i) => `/dns4/relay${from + i}.example/tcp/443/wss/p2p/${PEER}`)

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

/**
 * What createInvite no longer writes: an invite with these relays, signed by the device's identity
 * key over the same domain-tagged bytes (an inviter running older or other code could send one).
 */
async function signedWithRelays(signer: Device, invite: Invite, relayList: string[]): Promise<string> {
  const { ed, identity } = signer.attestationSigner()
  const body = encodeInvite({ ...invite, relays: relayList, signature: new Uint8Array(0) })
  const signature = await ed.sign(identity.secretKey, concat(utf8('sharecircle/invite/v1\0'), body))
  return `${ORIGIN}#/join/${toBase64Url(concat(body, signature))}`
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

  it('a backup keeps who invited the member in, and a restore holds the names to their limits', async () => {
    const { ana, circle } = await anaWithCircle()
    const created = await ana.createInvite(circle.id, { relays: [RELAY], expiresInDays: 7, origin: ORIGIN })
    const ben = await device('Ben', 3)
    await ben.joinFromInvite(created.link)
    await ben.rename('B'.repeat(59))
    const restored = await Device.restoreFromBackup(await openTestStorage('restored'), await ben.exportBackup('correct horse'), 'correct horse', testEnvironment(4, START))
    cleanups.push(() => restored.close())
    expect(restored.circles()[0]).toMatchObject({ id: circle.id, invitedBy: ana.me, relays: [RELAY] })

    // A file from elsewhere, with text no form would have let through.
    const { encryptBackup } = await import('../../../src/core/backup')
    const env = testEnvironment(5, START)
    const crafted = await encryptBackup(env.subtle, env.random, {
      identitySeed: new Uint8Array(32).fill(7),
      name: 'N'.repeat(300),
      circles: [{ id: circle.id, key: toHex(circle.key), name: ' C'.repeat(200), description: 'D'.repeat(2000), createdAt: START, relays: [RELAY, 'nonsense'] }],
      exportedAt: START,
    }, 'correct horse')
    const fromFile = await Device.restoreFromBackup(await openTestStorage('crafted'), crafted, 'correct horse', testEnvironment(6, START))
    cleanups.push(() => fromFile.close())
    expect(fromFile.name).toHaveLength(60)
    expect(fromFile.circles()[0]!.name.length).toBeLessThanOrEqual(80)
    expect(fromFile.circles()[0]!.description).toHaveLength(600)
    expect(fromFile.circles()[0]!.relays).toEqual([RELAY])
    // Its join (which carries the name) is one peers accept: the circle opens with this device in it.
    const replica = await fromFile.openCircle(circle.id)
    expect([...replica.view().members.keys()]).toEqual([fromFile.me])
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

  it('joining a circle already joined with nothing new returns it unchanged', async () => {
    const { ana, circle } = await anaWithCircle()
    const ben = await device('Ben', 2)
    const first = await ana.createInvite(circle.id, { relays: [RELAY], expiresInDays: 7, origin: ORIGIN })
    const second = await ana.createInvite(circle.id, { relays: [RELAY], expiresInDays: 30, origin: ORIGIN })
    const joined = await ben.joinFromInvite(first.link)
    const again = await ben.joinFromInvite(second.link)
    expect(again).toBe(joined)
    expect(ben.circles()).toHaveLength(1)
    // The founder following their own invite is already in the circle.
    const own = await ana.createInvite(circle.id, { relays: [], expiresInDays: 7, origin: ORIGIN })
    expect(await ana.joinFromInvite(own.link)).toBe(circle)
    expect(ana.circles()).toHaveLength(1)
  })

  it('a second invite adds the relays the joined circle lacks, newest first, within the limit, and keeps them', async () => {
    const { ana, circle } = await anaWithCircle()
    const storage = await openTestStorage('Ben')
    const ben = await Device.create(storage, 'Ben', testEnvironment(2, START))
    cleanups.push(() => ben.close())
    const first = await ana.createInvite(circle.id, { relays: relays(0, INVITE_LIMITS.relays - 1), expiresInDays: 7, origin: ORIGIN })
    const joined = await ben.joinFromInvite(first.link)
    expect(joined.relays).toEqual(relays(0, INVITE_LIMITS.relays - 1))

    let notified = 0
    ben.subscribe(() => notified++)
    // One relay it has, two it lacks: eight in all fit, so the last of the known ones drops off.
    const second = await ana.createInvite(circle.id, { relays: [RELAY, relays(0, 1)[0]!, ...relays(20, 1)], expiresInDays: 30, origin: ORIGIN })
    const updated = await ben.joinFromInvite(second.link)
    const expected = [RELAY, ...relays(0, 1), ...relays(20, 1), ...relays(1, INVITE_LIMITS.relays - 3)]
    expect(updated.relays).toEqual(expected)
    expect(updated).toMatchObject({ id: circle.id, name: joined.name, createdAt: joined.createdAt, invitedBy: joined.invitedBy })
    expect(ben.circles()).toEqual([updated])
    expect(notified).toBe(1)
    // Persisted through the device's storage: a reload sees the merged relays.
    const reloaded = await Device.load(storage, testEnvironment(3, START))
    cleanups.push(async () => reloaded?.close())
    expect(reloaded?.circles().map((known) => known.relays)).toEqual([expected])
  })

  it('keeps only usable relays when inviting and when joining; an invite with none still joins', async () => {
    const { ana, circle } = await anaWithCircle()
    const created = await ana.createInvite(circle.id, { relays: [...UNUSABLE, RELAY], expiresInDays: 7, origin: ORIGIN })
    expect(created.invite.relays).toEqual([RELAY])

    // Signed by Ana with relays a browser cannot use: it opens as signed, and joins with the usable one.
    const mixed = await signedWithRelays(ana, created.invite, [UNUSABLE[0]!, RELAY, ...UNUSABLE.slice(1)])
    const ben = await device('Ben', 2)
    const preview = await ben.previewInvite(mixed)
    expect(preview.ok && preview.value.relays).toEqual([UNUSABLE[0], RELAY, ...UNUSABLE.slice(1)])
    expect((await ben.joinFromInvite(mixed)).relays).toEqual([RELAY])

    const none = await signedWithRelays(ana, created.invite, UNUSABLE)
    const cam = await device('Cam', 3)
    expect((await cam.previewInvite(none)).ok).toBe(true)
    expect((await cam.joinFromInvite(none)).relays).toEqual([])
  })

  it('drops unusable relays from circles stored before relays were checked', async () => {
    const { device: ana, storage, env } = await newTestDevice('Ana', 1)
    cleanups.push(() => ana.close())
    const circle = await ana.createCircle({ name: 'Elm Street', description: '' })
    await storage.records.putCircle({ ...circle, relays: [UNUSABLE[0]!, RELAY, 'not a multiaddr'] })
    const reloaded = await Device.load(storage, env)
    cleanups.push(async () => reloaded?.close())
    expect(reloaded?.circles().map((known) => known.relays)).toEqual([[RELAY]])
  })

  it('refuses to invite to a circle it does not have, or with no expiry', async () => {
    const { ana, circle } = await anaWithCircle()
    await expect(ana.createInvite('00'.repeat(16), { relays: [], expiresInDays: 7, origin: ORIGIN })).rejects.toMatchObject({ name: 'UnknownCircleError' })
    await expect(ana.createInvite(circle.id, { relays: [], expiresInDays: 0, origin: ORIGIN })).rejects.toBeInstanceOf(RangeError)
  })
})
