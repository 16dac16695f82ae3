import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import { concat, fromBase64Url, sha256, toBase64Url, toHex, utf8 } from '../../../src/core/bytes'
import { tweetnaclEd25519, webCryptoEd25519 } from '../../../src/core/ed25519'
import type { Checked } from '../../../src/core/errors'
import {
  INVITE_CLOCK_SKEW_MS,
  INVITE_LIMITS,
  INVITE_REJECT_REASONS,
  MAX_INVITE_BYTES,
  createInvite,
  decodeInvite,
  encodeInvite,
  inviteId,
  inviteLink,
  openInvite,
  readInvite,
  usableRelays,
  verifyInviteSignature,
  type Invite,
  type InviteFields,
} from '../../../src/core/invite'
import { newSigningKeyPair, type SigningKeyPair } from '../../../src/core/keys'
import { isRelayAddress, relayAddress, webSocketAddress } from '../../../src/core/relay-address'
import { seededRandom } from '../../../src/core/random'

const random = seededRandom(7)
const ed = webCryptoEd25519(globalThis.crypto.subtle)
const ana = newSigningKeyPair(random)
const ben = newSigningKeyPair(random)
const ISSUED = 1_700_000_000_000
const WEEK = 7 * 24 * 60 * 60 * 1000
const NOW = ISSUED + 60_000
const ORIGIN = 'https://sharecircle.example'
const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const RSA_PEER = 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'
const RELAYS = [`/dns4/relay.example.org/tcp/443/wss/p2p/${PEER}`, `/ip4/192.0.2.7/tcp/9090/ws/p2p/${RSA_PEER}`]
/** What invites carried before relays were checked: slash-led ASCII, but no relay a browser can use. */
const OLD_RELAYS = ['/ip4/192.0.2.7/tcp/9090/ws', `/dns4/relay.example.org/tcp/443/tls/p2p/${PEER}`, '/relay']

function fields(overrides: Partial<InviteFields> = {}): InviteFields {
  return {
    circleId: random(16),
    circleKey: random(32),
    circleName: 'Linden Street',
    relays: RELAYS,
    inviterName: 'Ana',
    issuedAt: ISSUED,
    expiresAt: ISSUED + WEEK,
    ...overrides,
  }
}

function makeInvite(overrides: Partial<InviteFields> = {}, inviter: SigningKeyPair = ana): Promise<Invite> {
  return createInvite(ed, inviter, fields(overrides), random)
}

function payloadOf(link: string): string {
  return link.slice(link.indexOf('#/join/') + '#/join/'.length)
}

/**
 * The byte layout written out independently of the module, so the test pins the format PROTOCOL.md
 * documents and can sign invites that createInvite would refuse to make.
 */
interface RawInvite {
  version?: number
  circleId: Uint8Array
  circleKey: Uint8Array
  circleName: string | Uint8Array
  relays: Array<string | Uint8Array>
  inviter: Uint8Array
  inviterName: string | Uint8Array
  issuedAt: number
  expiresAt: number
  nonce: Uint8Array
}

function rawBody(raw: RawInvite): Uint8Array {
  const text = (value: string | Uint8Array) => (typeof value === 'string' ? utf8(value) : value)
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, raw.version ?? 1)
  encoding.writeUint8Array(encoder, raw.circleId)
  encoding.writeUint8Array(encoder, raw.circleKey)
  encoding.writeVarUint8Array(encoder, text(raw.circleName))
  encoding.writeVarUint(encoder, raw.relays.length)
  for (const relay of raw.relays) encoding.writeVarUint8Array(encoder, text(relay))
  encoding.writeUint8Array(encoder, raw.inviter)
  encoding.writeVarUint8Array(encoder, text(raw.inviterName))
  encoding.writeVarUint(encoder, raw.issuedAt)
  encoding.writeVarUint(encoder, raw.expiresAt)
  encoding.writeUint8Array(encoder, raw.nonce)
  return encoding.toUint8Array(encoder)
}

const DOMAIN = utf8('sharecircle/invite/v1\0')

async function signRaw(overrides: Partial<RawInvite> = {}, signer: SigningKeyPair = ana): Promise<Uint8Array> {
  const raw: RawInvite = {
    circleId: random(16),
    circleKey: random(32),
    circleName: 'Linden Street',
    relays: RELAYS,
    inviter: ana.publicKey,
    inviterName: 'Ana',
    issuedAt: ISSUED,
    expiresAt: ISSUED + WEEK,
    nonce: random(16),
    ...overrides,
  }
  const body = rawBody(raw)
  return concat(body, await ed.sign(signer.secretKey, concat(DOMAIN, body)))
}

function linkOf(bytes: Uint8Array): string {
  return `${ORIGIN}/#/join/${toBase64Url(bytes)}`
}

// Byte ranges of each field of an invite made by `makeInvite()`: one-byte lengths, two relays,
// six-byte times.
function fieldRanges(invite: Invite) {
  const ranges: Record<string, [number, number]> = {}
  let at = 0
  const field = (name: string, length: number) => {
    ranges[name] = [at, at + length]
    at += length
  }
  field('version', 1)
  field('circle-id', 16)
  field('circle-key', 32)
  field('circle-name-length', 1)
  field('circle-name', utf8(invite.circleName).length)
  field('relay-count', 1)
  invite.relays.forEach((relay, i) => {
    field(`relay-${i}-length`, 1)
    field(`relay-${i}-slash`, 1)
    field(`relay-${i}`, relay.length - 1)
  })
  field('inviter', 32)
  field('inviter-name-length', 1)
  field('inviter-name', utf8(invite.inviterName).length)
  field('issued-at', 6)
  field('expires-at', 6)
  field('nonce', 16)
  field('signature', 64)
  return ranges
}

describe('invite round trip', () => {
  it('link → open gives back every field, and the same bytes and id', async () => {
    const invite = await makeInvite()
    const link = inviteLink(ORIGIN, invite)
    expect(link.startsWith(`${ORIGIN}/#/join/`)).toBe(true)
    expect(payloadOf(link)).toMatch(/^[A-Za-z0-9_-]+$/)
    const opened = await openInvite(ed, link, NOW)
    expect(opened.ok).toBe(true)
    if (!opened.ok) return
    expect(opened.value).toEqual(invite)
    expect(toHex(encodeInvite(opened.value))).toBe(toHex(encodeInvite(invite)))
    expect(inviteId(opened.value)).toBe(inviteId(invite))
    expect(opened.value.relays).toEqual(RELAYS)
    expect(opened.value.inviter).toEqual(ana.publicKey)
  })

  it('encodes exactly the documented layout, signed over the domain tag and the fields', async () => {
    const invite = await makeInvite()
    const { signature, ...unsigned } = invite
    const body = rawBody({ ...unsigned })
    expect(toHex(encodeInvite(invite))).toBe(toHex(concat(body, signature)))
    expect(await ed.verify(ana.publicKey, concat(DOMAIN, body), signature)).toBe(true)
    expect(await ed.verify(ana.publicKey, body, signature)).toBe(false)
    expect(await verifyInviteSignature(ed, invite)).toBe(true)
    const ranges = fieldRanges(invite)
    expect(Object.values(ranges).at(-1)![1]).toBe(encodeInvite(invite).length)
  })

  it('the id is the hex SHA-256 of the canonical bytes, and the nonce makes every invite distinct', async () => {
    const same = fields()
    const a = await createInvite(ed, ana, same, random)
    const b = await createInvite(ed, ana, same, random)
    expect(inviteId(a)).toBe(toHex(sha256(encodeInvite(a))))
    expect(inviteId(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(inviteId(a)).not.toBe(inviteId(b))
    expect(toHex(a.nonce)).not.toBe(toHex(b.nonce))
  })

  it('tweetnacl and WebCrypto agree: an invite signed with one opens with the other', async () => {
    const invite = await createInvite(tweetnaclEd25519, ana, fields(), random)
    expect((await openInvite(ed, inviteLink(ORIGIN, invite), NOW)).ok).toBe(true)
    const fast = await makeInvite()
    expect((await openInvite(tweetnaclEd25519, inviteLink(ORIGIN, fast), NOW)).ok).toBe(true)
  })

  it('decodes from inside a larger structure, leaving the reader just past the invite', async () => {
    const invite = await makeInvite()
    const encoder = encoding.createEncoder()
    encoding.writeUint8(encoder, 0xaa)
    encoding.writeUint8Array(encoder, encodeInvite(invite))
    encoding.writeUint8(encoder, 0xbb)
    const decoder = decoding.createDecoder(encoding.toUint8Array(encoder))
    expect(decoding.readUint8(decoder)).toBe(0xaa)
    expect(readInvite(decoder)).toEqual(invite)
    expect(decoding.readUint8(decoder)).toBe(0xbb)
  })

  it('decodeInvite’s result is a Checked<Invite>: its reasons are errors.ts’s', async () => {
    const checked: Checked<Invite> = decodeInvite(encodeInvite(await makeInvite()))
    expect(checked.ok).toBe(true)
    expect(INVITE_REJECT_REASONS).toEqual(['too-large', 'malformed', 'bad-signature', 'expired', 'not-yet-valid'])
  })

  it('an invite at every limit, in four-byte characters, fits under the size limit and round-trips', async () => {
    const emoji = '😀'
    // `/dns4/<host>/tcp/4430/tls/sni/<host>/ws/p2p/<peer>` with hosts long enough to fill the limit
    // (in labels of at most 63 characters, as DNS has them).
    const hostChars = (INVITE_LIMITS.relay - `/dns4//tcp/4430/tls/sni//ws/p2p/${PEER}`.length) / 2
    const host = (i: number) => `r${i}.${'x'.repeat(50)}.${'x'.repeat(hostChars - 'r0.'.length - 51 - '.example'.length)}.example`
    const relays = Array.from({ length: INVITE_LIMITS.relays }, (_, i) => `/dns4/${host(i)}/tcp/4430/tls/sni/${host(i)}/ws/p2p/${PEER}`)
    const invite = await makeInvite({
      circleName: emoji.repeat(INVITE_LIMITS.circleName),
      inviterName: emoji.repeat(INVITE_LIMITS.inviterName),
      relays,
      expiresAt: Number.MAX_SAFE_INTEGER,
    })
    expect(invite.relays.every((relay) => relay.length === INVITE_LIMITS.relay && isRelayAddress(relay))).toBe(true)
    const bytes = encodeInvite(invite)
    expect(bytes.length).toBeLessThan(MAX_INVITE_BYTES)
    const opened = await openInvite(ed, inviteLink(ORIGIN, invite), NOW)
    expect(opened).toEqual({ ok: true, value: invite })
  })

  it('an invite with no relays and no inviter name still round-trips', async () => {
    const invite = await makeInvite({ relays: [], inviterName: '' })
    expect(await openInvite(ed, inviteLink(ORIGIN, invite), NOW)).toEqual({ ok: true, value: invite })
  })
})

describe('createInvite', () => {
  it('cleans text the way member text is cleaned: NFC, one line, no controls, trimmed', async () => {
    const invite = await makeInvite({ circleName: '  Cafe\u0301\u00a0 on\n the\tcorner\u0007 ', inviterName: ' Ana\u0000 ' })
    expect(invite.circleName).toBe('Café on the corner')
    expect(invite.circleName).toBe(invite.circleName.normalize('NFC'))
    expect(invite.inviterName).toBe('Ana')
    expect((await openInvite(ed, inviteLink(ORIGIN, invite), NOW)).ok).toBe(true)
  })

  it('trims relays and drops duplicates, keeping the inviter’s order', async () => {
    const invite = await makeInvite({ relays: [` ${RELAYS[1]}\n`, RELAYS[0]!, RELAYS[1]!] })
    expect(invite.relays).toEqual([RELAYS[1], RELAYS[0]])
  })

  it('copies its inputs, so later changes to the caller’s arrays do not change the invite', async () => {
    const f = fields()
    const invite = await createInvite(ed, ana, f, random)
    f.circleKey.fill(0)
    expect(await verifyInviteSignature(ed, invite)).toBe(true)
  })

  it('throws RangeError on input no invite may carry', async () => {
    const mismatched = { publicKey: ben.publicKey, secretKey: ana.secretKey }
    const cases: Array<[string, Partial<InviteFields>, SigningKeyPair?]> = [
      ['short circle id', { circleId: new Uint8Array(15) }],
      ['long circle key', { circleKey: new Uint8Array(33) }],
      ['blank name', { circleName: ' \n\t ' }],
      ['long name', { circleName: 'x'.repeat(INVITE_LIMITS.circleName + 1) }],
      ['long inviter name', { inviterName: 'x'.repeat(INVITE_LIMITS.inviterName + 1) }],
      ['too many relays', { relays: Array.from({ length: INVITE_LIMITS.relays + 1 }, (_, i) => `/ip4/192.0.2.${i}/tcp/1/ws/p2p/${PEER}`) }],
      ['long relay', { relays: ['/' + 'x'.repeat(INVITE_LIMITS.relay)] }],
      ['relay without peer id', { relays: [OLD_RELAYS[0]!] }],
      ['TLS relay that is not WebSockets', { relays: [OLD_RELAYS[1]!] }],
      ['relay that is no multiaddr', { relays: [OLD_RELAYS[2]!] }],
      ['relay without slash', { relays: ['relay.example.org'] }],
      ['relay with a space', { relays: ['/dns4/relay example/tcp/1'] }],
      ['non-ASCII relay', { relays: ['/dns4/reläy.example/tcp/1'] }],
      ['blank relay', { relays: ['  '] }],
      ['expiry at issue', { expiresAt: ISSUED }],
      ['expiry before issue', { expiresAt: ISSUED - 1 }],
      ['negative time', { issuedAt: -1 }],
      ['fractional time', { expiresAt: ISSUED + 0.5 }],
      ['unsafe time', { expiresAt: 2 ** 53 }],
      ['NaN time', { issuedAt: Number.NaN }],
      ['mismatched key pair', {}, mismatched],
      ['short key pair', {}, { publicKey: ana.publicKey.subarray(1), secretKey: ana.secretKey }],
    ]
    for (const [name, overrides, inviter] of cases) {
      await expect(makeInvite(overrides, inviter), name).rejects.toThrow(RangeError)
    }
  })

  it('accepts names exactly at their limits, counted in characters rather than UTF-16 units', async () => {
    const invite = await makeInvite({ circleName: 'é'.repeat(80), inviterName: '𝒜'.repeat(60) })
    expect(Array.from(invite.circleName)).toHaveLength(80)
    expect(Array.from(invite.inviterName)).toHaveLength(60)
  })
})

describe('inviteLink', () => {
  it('puts the payload in the fragment after the app’s origin and base path', async () => {
    const invite = await makeInvite()
    const payload = toBase64Url(encodeInvite(invite))
    expect(inviteLink('https://a.example', invite)).toBe(`https://a.example/#/join/${payload}`)
    expect(inviteLink('https://a.example/', invite)).toBe(`https://a.example/#/join/${payload}`)
    expect(inviteLink('https://a.example/apps/sharecircle/', invite)).toBe(`https://a.example/apps/sharecircle/#/join/${payload}`)
    expect(() => inviteLink('https://a.example/#/home', invite)).toThrow(RangeError)
    expect(() => inviteLink('https://a.example/?x=1', invite)).toThrow(RangeError)
  })
})

describe('openInvite: what people paste', () => {
  it('accepts the link from any origin, with queries, whitespace, line wraps and percent-encoding', async () => {
    const invite = await makeInvite()
    const payload = toBase64Url(encodeInvite(invite))
    const link = inviteLink(ORIGIN, invite)
    const pasted = [
      link,
      `http://localhost:5173/#/join/${payload}`,
      `https://other.example/some/base/?utm_source=chat#/join/${payload}`,
      `https://other.example/#/join/${payload}?ref=chat&x=1`,
      `https://other.example/#join/${payload}`,
      `\n\t  ${link}  \r\n`,
      `${link.slice(0, 60)}\n${link.slice(60, 130)}\r\n  ${link.slice(130)}`,
      `https://other.example/%23%2Fjoin%2F${payload}`,
      `https://other.example/#%2Fjoin%2F${payload}`,
      encodeURIComponent(link),
      `#/join/${payload}`,
      `/join/${payload}`,
      `join/${payload}`,
      `https://other.example/join/${payload}`,
      payload,
      `  ${payload}\n`,
    ]
    for (const text of pasted) {
      const opened = await openInvite(ed, text, NOW)
      expect(opened, text.slice(0, 80)).toEqual({ ok: true, value: invite })
    }
  })

  it('rejects what is no invite link as malformed, without throwing', async () => {
    const invite = await makeInvite()
    const payload = toBase64Url(encodeInvite(invite))
    const texts = [
      '',
      '   \n ',
      'hello world',
      'https://other.example/',
      `${ORIGIN}/#/join/`,
      `${ORIGIN}/#/c/abc`,
      `${ORIGIN}/#/settings/${payload}`,
      `${ORIGIN}/#/join/${payload}/extra`,
      `${ORIGIN}/other/${payload}`,
      `${ORIGIN}/#/join/${payload}=`,
      `${ORIGIN}/#/join/${payload.replace(/-/g, '+').replace(/_/g, '/')}x`,
      `${ORIGIN}/#/join/${payload.slice(0, -1)}!`,
      `${ORIGIN}/#/join/%E0%A4%A`,
      `${ORIGIN}/#/join/${payload.slice(1)}`,
      '\ud800',
      '#'.repeat(1000),
      '%'.repeat(1000),
      'join/'.repeat(1000),
    ]
    for (const text of texts) {
      const opened = await openInvite(ed, text, NOW)
      expect(opened.ok, text.slice(0, 80)).toBe(false)
      if (!opened.ok) expect(opened.reason, text.slice(0, 80)).toBe('malformed')
    }
  })

  it('rejects a huge paste or payload as too-large before decoding it', async () => {
    const big = 'A'.repeat(70_000)
    expect(await openInvite(ed, big, NOW)).toMatchObject({ ok: false, reason: 'too-large' })
    const payload = toBase64Url(new Uint8Array(MAX_INVITE_BYTES + 1))
    expect(await openInvite(ed, `${ORIGIN}/#/join/${payload}`, NOW)).toMatchObject({ ok: false, reason: 'too-large' })
    expect(decodeInvite(new Uint8Array(MAX_INVITE_BYTES + 1))).toMatchObject({ ok: false, reason: 'too-large' })
  })

  it('only the canonical base64url form opens: spare bits in the last character must be zero', async () => {
    // Find an invite whose payload leaves spare bits, i.e. whose length is not a multiple of 3.
    let invite = await makeInvite()
    for (let name = 'L'; encodeInvite(invite).length % 3 === 0; name += 'x') invite = await makeInvite({ circleName: name })
    const payload = toBase64Url(encodeInvite(invite))
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(payload.at(-1)!)
    const sloppy = payload.slice(0, -1) + alphabet[last ^ 1]
    expect(toHex(fromBase64Url(sloppy)!)).toBe(toHex(encodeInvite(invite)))
    expect(await openInvite(ed, sloppy, NOW)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('rejects a non-finite clock as the caller’s bug', async () => {
    const link = inviteLink(ORIGIN, await makeInvite())
    await expect(openInvite(ed, link, Number.NaN)).rejects.toThrow(RangeError)
  })
})

describe('openInvite: the validity window', () => {
  it('is open from issue (less the allowed clock skew) until just before expiry', async () => {
    const invite = await makeInvite()
    const link = inviteLink(ORIGIN, invite)
    const at = async (now: number) => {
      const opened = await openInvite(ed, link, now)
      return opened.ok ? 'ok' : opened.reason
    }
    expect(await at(ISSUED)).toBe('ok')
    expect(await at(ISSUED - INVITE_CLOCK_SKEW_MS)).toBe('ok')
    expect(await at(ISSUED - INVITE_CLOCK_SKEW_MS - 1)).toBe('not-yet-valid')
    expect(await at(0)).toBe('not-yet-valid')
    expect(await at(ISSUED + WEEK - 1)).toBe('ok')
    expect(await at(ISSUED + WEEK)).toBe('expired')
    expect(await at(ISSUED + 10 * WEEK)).toBe('expired')
  })

  it('checks the signature before the clock, so a forged time is bad-signature, not expired', async () => {
    const invite = await makeInvite()
    const forged = encodeInvite({ ...invite, expiresAt: ISSUED + 1 })
    expect(await openInvite(ed, linkOf(forged), ISSUED + WEEK)).toMatchObject({ ok: false, reason: 'bad-signature' })
  })
})

describe('openInvite: signatures', () => {
  it('an invite signed by another key than its inviter field is bad-signature', async () => {
    const byBen = await makeInvite({}, ben)
    const claimsAna = encodeInvite({ ...byBen, inviter: ana.publicKey })
    expect(await openInvite(ed, linkOf(claimsAna), NOW)).toMatchObject({ ok: false, reason: 'bad-signature' })
    expect(await openInvite(ed, linkOf(await signRaw({ inviter: ana.publicKey }, ben)), NOW)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    })
  })

  it('a signature over the fields without the domain tag, or over another domain, is bad-signature', async () => {
    const raw: RawInvite = {
      circleId: random(16),
      circleKey: random(32),
      circleName: 'Linden Street',
      relays: [],
      inviter: ana.publicKey,
      inviterName: 'Ana',
      issuedAt: ISSUED,
      expiresAt: ISSUED + WEEK,
      nonce: random(16),
    }
    const body = rawBody(raw)
    for (const message of [body, concat(utf8('sharecircle/device-certificate/v1\0'), body), concat(utf8('sharecircle/invite/v2\0'), body)]) {
      const bytes = concat(body, await ed.sign(ana.secretKey, message))
      expect(await openInvite(ed, linkOf(bytes), NOW)).toMatchObject({ ok: false, reason: 'bad-signature' })
    }
    const good = concat(body, await ed.sign(ana.secretKey, concat(DOMAIN, body)))
    expect((await openInvite(ed, linkOf(good), NOW)).ok).toBe(true)
  })

  it('an inviter key that is no curve point, or an all-zero signature, is bad-signature', async () => {
    const invite = await makeInvite()
    for (const bytes of [
      encodeInvite({ ...invite, inviter: new Uint8Array(32).fill(0xff) }),
      encodeInvite({ ...invite, signature: new Uint8Array(64) }),
    ]) {
      expect(await openInvite(ed, linkOf(bytes), NOW)).toMatchObject({ ok: false, reason: 'bad-signature' })
    }
  })
})

describe('relay addresses', () => {
  it('reads the WebSocket forms a browser can dial, ending in the relay’s peer id', () => {
    expect(relayAddress(RELAYS[0]!)).toEqual({ host: 'relay.example.org', port: 443, secure: true, peerId: PEER })
    expect(relayAddress(RELAYS[1]!)).toEqual({ host: '192.0.2.7', port: 9090, secure: false, peerId: RSA_PEER })
    expect(relayAddress(`/ip6/::ffff:192.0.2.1/tcp/8787/ws/p2p/${PEER}`)).toMatchObject({ host: '::ffff:192.0.2.1', secure: false })
    expect(relayAddress(`/dns/localhost/tcp/1/tls/ws/p2p/${PEER}`)).toMatchObject({ host: 'localhost', port: 1, secure: true })
    expect(relayAddress(`/dns6/relay.example/tcp/65535/tls/sni/relay.example/ws/p2p/${PEER}`)).toMatchObject({ port: 65535, secure: true })
    expect(webSocketAddress('/dns4/relay.example/tcp/443/wss')).toEqual({ host: 'relay.example', port: 443, secure: true })
  })

  it.each([
    ...OLD_RELAYS,
    '',
    `dns4/relay.example/tcp/443/wss/p2p/${PEER}`,
    `/dnsaddr/relay.example/tcp/443/wss/p2p/${PEER}`,
    `/dns4/relay.example/wss/p2p/${PEER}`,
    `/dns4/relay.example/udp/443/quic-v1/ws/p2p/${PEER}`,
    `/dns4/relay.example/tcp/0/wss/p2p/${PEER}`,
    `/dns4/relay.example/tcp/65536/wss/p2p/${PEER}`,
    `/dns4/relay.example/tcp/0443/wss/p2p/${PEER}`,
    `/dns4/relay.example/tcp/443/ws/wss/p2p/${PEER}`,
    `/dns4/relay.example/tcp/443/tls/sni/relay_1.example/ws/p2p/${PEER}`,
    `/dns4/relay.example/tcp/443/wss/p2p/${PEER}/p2p-circuit`,
    `/dns4/relay.example/tcp/443/wss/ipfs/${PEER}`,
    `/dns4/-relay.example/tcp/443/wss/p2p/${PEER}`,
    `/dns4/relay..example/tcp/443/wss/p2p/${PEER}`,
    `/ip4/192.0.2.256/tcp/443/wss/p2p/${PEER}`,
    `/ip4/192.0.2.07/tcp/443/wss/p2p/${PEER}`,
    `/ip6/1:2:3:4:5:6:7/tcp/443/wss/p2p/${PEER}`,
    `/ip6/1::2::3/tcp/443/wss/p2p/${PEER}`,
    `/ip6/fe80::1%25eth0/tcp/443/wss/p2p/${PEER}`,
    `/ip6/::ffff:192.0.2.300/tcp/443/wss/p2p/${PEER}`,
    // Peer ids: not base58, not a multihash, a hash of the wrong length, the CID form.
    '/dns4/relay.example/tcp/443/wss/p2p/12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz1234567890abcd',
    `/dns4/relay.example/tcp/443/wss/p2p/${PEER.slice(0, -1)}`,
    `/dns4/relay.example/tcp/443/wss/p2p/${RSA_PEER}x`,
    '/dns4/relay.example/tcp/443/wss/p2p/bafzaajaiaejcbzdibmxyzdjbnhafhcy2z5e2wn5kfmxjqkvbfkgpe6v5mw7qfgw',
  ])('refuses %s', (text) => {
    expect(relayAddress(text)).toBeUndefined()
    expect(isRelayAddress(text)).toBe(false)
  })

  it('usableRelays trims, keeps relay addresses only, drops duplicates and stops at the limit', () => {
    const many = Array.from({ length: INVITE_LIMITS.relays + 2 }, (_, i) => `/ip4/192.0.2.${i}/tcp/443/wss/p2p/${PEER}`)
    expect(usableRelays([` ${RELAYS[1]}\n`, ...OLD_RELAYS, RELAYS[0]!, RELAYS[1]!])).toEqual([RELAYS[1], RELAYS[0]])
    expect(usableRelays(many)).toEqual(many.slice(0, INVITE_LIMITS.relays))
    expect(usableRelays(OLD_RELAYS)).toEqual([])
  })

  it('an invite signed with relays no browser can use still opens, as signed; usableRelays picks the good ones', async () => {
    const relays = [OLD_RELAYS[0]!, RELAYS[0]!, ...OLD_RELAYS.slice(1)]
    const bytes = await signRaw({ relays })
    const opened = await openInvite(ed, linkOf(bytes), NOW)
    expect(opened.ok).toBe(true)
    if (!opened.ok) return
    expect(opened.value.relays).toEqual(relays)
    // Unchanged, so its bytes and id are the ones a device certificate carrying it names.
    expect(toHex(encodeInvite(opened.value))).toBe(toHex(bytes))
    expect(usableRelays(opened.value.relays)).toEqual([RELAYS[0]])
    expect(await openInvite(ed, linkOf(await signRaw({ relays: OLD_RELAYS })), NOW)).toMatchObject({ ok: true, value: { relays: OLD_RELAYS } })
  })
})

describe('invite codec: malformed bytes', () => {
  it('a flipped byte in any field is rejected with that field’s reason', async () => {
    const invite = await makeInvite()
    const bytes = encodeInvite(invite)
    const ranges = fieldRanges(invite)
    const text = ['bad-signature', 'malformed']
    const expected: Record<string, string[]> = {
      version: ['malformed'],
      'circle-id': ['bad-signature'],
      'circle-key': ['bad-signature'],
      'circle-name-length': ['malformed'],
      // Another ASCII letter is a valid, unsigned name; a high bit is broken UTF-8 or a control.
      'circle-name': text,
      'relay-count': ['malformed'],
      'inviter-name-length': ['malformed'],
      'inviter-name': text,
      inviter: ['bad-signature'],
      // A flipped continuation bit shortens or lengthens a varint, and the rest no longer parses.
      'issued-at': text,
      'expires-at': text,
      nonce: ['bad-signature'],
      signature: ['bad-signature'],
    }
    for (const [i] of invite.relays.entries()) {
      expected[`relay-${i}-length`] = ['malformed']
      expected[`relay-${i}-slash`] = ['malformed']
      expected[`relay-${i}`] = text
    }
    const seen = new Set<string>()
    for (const [name, [start, end]] of Object.entries(ranges)) {
      for (let at = start; at < end; at++) {
        for (const mask of [0x01, 0x02, 0x20, 0x40, 0x80, 0xff]) {
          const mutated = bytes.slice()
          mutated[at]! ^= mask
          const result = await openInvite(ed, linkOf(mutated), NOW)
          expect(result.ok, `${name} byte ${at} mask ${mask}`).toBe(false)
          if (result.ok) continue
          expect(expected[name], `${name} byte ${at} mask ${mask}: ${result.reason} ${result.detail}`).toContain(result.reason)
          seen.add(`${name}:${result.reason}`)
        }
      }
    }
    // Both outcomes really happen where two are allowed, so the table above is not just permissive.
    for (const name of ['circle-name', 'inviter-name', 'issued-at', 'expires-at', 'relay-0']) {
      expect(seen, name).toContain(`${name}:bad-signature`)
      expect(seen, name).toContain(`${name}:malformed`)
    }
  })

  it('rejects truncated, extended, empty and garbage bytes as malformed', async () => {
    const bytes = encodeInvite(await makeInvite())
    const garbage = seededRandom(3)
    const cases = [
      new Uint8Array(),
      new Uint8Array([1]),
      bytes.slice(0, -1),
      bytes.slice(0, 100),
      bytes.slice(1),
      new Uint8Array([...bytes, 0]),
      concat(bytes, bytes),
      garbage(200),
      garbage(MAX_INVITE_BYTES),
      new Uint8Array(300).fill(0xff),
    ]
    for (const [i, input] of cases.entries()) {
      expect(decodeInvite(input), `case ${i}`).toMatchObject({ ok: false, reason: 'malformed' })
      expect(await openInvite(ed, linkOf(input), NOW), `case ${i}`).toMatchObject({ ok: false, reason: 'malformed' })
    }
    expect(decodeInvite(new Uint8Array([...bytes, 0]))).toMatchObject({ detail: 'trailing bytes' })
  })

  it('rejects non-canonical varints even where the numbers they spell are right', async () => {
    const invite = await makeInvite()
    const bytes = encodeInvite(invite)
    const ranges = fieldRanges(invite)
    const pad = (field: string) => {
      const [at] = ranges[field]!
      // 0x80 | low 7 bits, then 0x00: the same number in one more byte.
      return new Uint8Array([...bytes.slice(0, at), bytes[at]! | 0x80, 0x00, ...bytes.slice(at + 1)])
    }
    for (const field of ['circle-name-length', 'relay-count', 'relay-0-length', 'inviter-name-length']) {
      expect(decodeInvite(pad(field)), field).toMatchObject({ ok: false, reason: 'malformed', detail: 'Not canonical' })
    }
    // The last byte of a time varint: its top bit is clear, so it can be padded the same way.
    const [, end] = ranges['expires-at']!
    const paddedTime = new Uint8Array([...bytes.slice(0, end - 1), bytes[end - 1]! | 0x80, 0x00, ...bytes.slice(end)])
    expect(decodeInvite(paddedTime)).toMatchObject({ ok: false, reason: 'malformed', detail: 'Not canonical' })
  })

  it('rejects validly signed invites that createInvite would never make, as malformed', async () => {
    const nfd = 'Cafe\u0301'
    const cases: Array<[string, Partial<RawInvite>]> = [
      ['unknown version', { version: 2 }],
      ['blank circle name', { circleName: '' }],
      ['untrimmed circle name', { circleName: ' Linden Street' }],
      ['circle name not NFC', { circleName: nfd }],
      ['control character in name', { circleName: 'Linden\u0007Street' }],
      ['line break in name', { circleName: 'Linden\nStreet' }],
      ['two spaces in name', { circleName: 'Linden  Street' }],
      // U+D800 written as UTF-8 (ED A0 80), which a strict decoder refuses.
      ['lone surrogate in name', { circleName: new Uint8Array([0x41, 0xed, 0xa0, 0x80]) }],
      ['invalid UTF-8 name', { circleName: new Uint8Array([0x41, 0xff, 0x42]) }],
      ['over-long circle name', { circleName: 'x'.repeat(INVITE_LIMITS.circleName + 1) }],
      ['over-long circle name in characters', { circleName: 'é'.repeat(INVITE_LIMITS.circleName + 1) }],
      ['over-long inviter name', { inviterName: 'x'.repeat(INVITE_LIMITS.inviterName + 1) }],
      ['inviter name not NFC', { inviterName: nfd }],
      ['too many relays', { relays: Array.from({ length: INVITE_LIMITS.relays + 1 }, (_, i) => `/ip4/192.0.2.${i}/tcp/1/ws`) }],
      ['duplicate relays', { relays: [RELAYS[0]!, RELAYS[0]!] }],
      ['over-long relay', { relays: ['/' + 'x'.repeat(INVITE_LIMITS.relay)] }],
      ['relay without slash', { relays: ['relay.example.org'] }],
      ['relay with a space', { relays: ['/dns4/relay example/tcp/1'] }],
      ['relay with a control', { relays: ['/dns4/relay\u0000/tcp/1'] }],
      ['non-ASCII relay', { relays: ['/dns4/reläy.example/tcp/1'] }],
      ['empty relay', { relays: [''] }],
      ['expiry at issue', { expiresAt: ISSUED }],
      ['expiry before issue', { issuedAt: ISSUED, expiresAt: ISSUED - 1 }],
      ['time past 2^53', { expiresAt: 2 ** 60 }],
      ['short circle id', { circleId: new Uint8Array(15) }],
      ['short nonce', { nonce: new Uint8Array(15) }],
    ]
    for (const [name, overrides] of cases) {
      const bytes = await signRaw(overrides)
      expect(decodeInvite(bytes), name).toMatchObject({ ok: false, reason: 'malformed' })
      expect(await openInvite(ed, linkOf(bytes), NOW), name).toMatchObject({ ok: false, reason: 'malformed' })
    }
    // The control: the same route with ordinary fields opens, so the cases above fail for their field.
    expect((await openInvite(ed, linkOf(await signRaw()), NOW)).ok).toBe(true)
  })
})

describe('openInvite: seeded fuzz', () => {
  const MUTATIONS = ['flip', 'set', 'insert', 'delete', 'truncate', 'append', 'duplicate', 'swap'] as const

  function mutate(bytes: Uint8Array, rng: ReturnType<typeof seededRandom>): Uint8Array {
    const pick = (n: number) => Math.floor(rng.next() * n)
    let out: Uint8Array = bytes.slice()
    const count = 1 + pick(4)
    for (let i = 0; i < count; i++) {
      const at = pick(out.length + 1)
      switch (MUTATIONS[pick(MUTATIONS.length)]!) {
        case 'flip':
          if (at < out.length) out[at]! ^= 1 << pick(8)
          break
        case 'set':
          if (at < out.length) out[at] = pick(256)
          break
        case 'insert':
          out = concat(out.subarray(0, at), rng(1 + pick(4)), out.subarray(at))
          break
        case 'delete':
          out = concat(out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + pick(4))))
          break
        case 'truncate':
          out = out.slice(0, at)
          break
        case 'append':
          out = concat(out, rng(1 + pick(16)))
          break
        case 'duplicate':
          out = concat(out.subarray(0, at), out.subarray(at, at + 1 + pick(32)), out.subarray(at))
          break
        case 'swap': {
          const other = pick(out.length)
          if (at < out.length && other < out.length) [out[at], out[other]] = [out[other]!, out[at]!]
          break
        }
      }
    }
    return out
  }

  it('never throws and never accepts a mutated payload', async () => {
    const invite = await makeInvite()
    const original = encodeInvite(invite)
    const originalHex = toHex(original)
    const rng = seededRandom(20240601)
    const reasons = new Map<string, number>()
    let tried = 0
    for (let i = 0; i < 3000; i++) {
      const mutated = mutate(original, rng)
      if (toHex(mutated) === originalHex) continue
      tried++
      const result = await openInvite(ed, linkOf(mutated), NOW)
      expect(result.ok, `iteration ${i}: ${toHex(mutated)}`).toBe(false)
      if (!result.ok) reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1)
    }
    expect(tried).toBeGreaterThan(2900)
    expect(reasons.get('malformed')).toBeGreaterThan(0)
    expect(reasons.get('bad-signature')).toBeGreaterThan(0)
  })

  it('mangled link text never throws, and opens only to the very same invite', async () => {
    const invite = await makeInvite()
    const id = inviteId(invite)
    const link = inviteLink(ORIGIN, invite)
    const rng = seededRandom(99)
    const pick = (n: number) => Math.floor(rng.next() * n)
    const noise = ['%', '#', '?', '&', '/', ' ', '\n', '=', '+', '%2F', '%23', 'join/', '\ud800', 'é', 'A', '_', '-']
    let opened = 0
    for (let i = 0; i < 1500; i++) {
      let text = link
      for (let n = 1 + pick(3); n > 0; n--) {
        const at = pick(text.length + 1)
        text = pick(2) === 0 ? text.slice(0, at) + noise[pick(noise.length)]! + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + pick(3))
      }
      const result = await openInvite(ed, text, NOW)
      if (result.ok) {
        opened++
        expect(inviteId(result.value), text).toBe(id)
      }
    }
    // Noise in the origin or whitespace anywhere is harmless, so some do open — to the same invite.
    expect(opened).toBeGreaterThan(0)
  })
})
