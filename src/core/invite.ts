/**
 * Invite links (DESIGN, "Invites and membership"): everything a newcomer needs to join a circle —
 * its id, key, name and relays, and who invited them — signed by the inviter's identity key and
 * carried in a URL fragment, `<app origin>/#/join/<base64url payload>`, which browsers never send to
 * a web server. The same canonical bytes travel later inside a joiner's device certificate, so peers
 * can follow admission chains back to the founder; `inviteId` names an invite in that chain.
 *
 * Layout: version u8 · circle id 16 · circle key 32 · circle name (varuint length ‖ UTF-8) · relay
 * count varuint · each relay (varuint length ‖ UTF-8) · inviter 32 · inviter name (varuint length ‖
 * UTF-8) · issued-at varuint (ms) · expires-at varuint (ms) · nonce 16 · signature 64. The inviter's
 * identity key signs a domain tag followed by everything before the signature.
 *
 * Relays: createInvite writes only relay addresses (`relayAddress` below: a WebSocket multiaddr ending
 * in `/p2p/<peer id>`), but decoding accepts any multiaddr-looking text, as it always has: the bytes
 * are signed and also travel inside device certificates, so an older invite must keep decoding to the
 * same bytes. Whoever uses an opened invite's relays takes only the usable ones (`usableRelays`); an
 * invite none of whose relays is usable still opens (the app's own relay is added when going online).
 *
 * Pure: imports lib0 and other core modules only; clock, randomness and keys are passed in.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { concat, equalBytes, fromBase64Url, sha256, toBase64Url, toHex, utf8 } from './bytes'
import { CIRCLE_ID_BYTES, CIRCLE_KEY_BYTES } from './circle-secrets'
import { RELAY_ADDRESS_MAX_CHARS, isRelayAddress } from './relay-address'
import type { Ed25519 } from './ed25519'
import { accept } from './errors'
import type { SigningKeyPair } from './keys'
import type { RandomBytes } from './random'
import { cleanText } from './text'
import { WireError, readBytes, readByte, readFixed, readUint } from './wire'

export const INVITE_VERSION = 1
/** Well above the largest invite the limits below allow (about 3.2 KB), so no honest invite hits it. */
export const MAX_INVITE_BYTES = 4 * 1024
export const INVITE_NONCE_BYTES = 16
export const INVITE_LIMITS = {
  /** Characters (code points) of the circle name. */
  circleName: 80,
  /** Characters of the inviter's display name (a profile name, LIMITS.name in model.ts). */
  inviterName: 60,
  relays: 8,
  /** Characters of one relay multiaddr. */
  relay: RELAY_ADDRESS_MAX_CHARS,
} as const
/** Clocks drift: an invite dated a little ahead of the joiner's clock is still fine. */
export const INVITE_CLOCK_SKEW_MS = 10 * 60 * 1000

const PUBLIC_KEY_BYTES = 32
const SECRET_KEY_BYTES = 64
const SIGNATURE_BYTES = 64
/** UTF-8 takes at most 4 bytes per code point, so text limits in characters bound the bytes read. */
const UTF8_MAX = 4
const INVITE_DOMAIN = utf8('sharecircle/invite/v1\0')
/**
 * What decoding accepts as a relay: slash-led, printable ASCII, no spaces — anything a UI would show
 * oddly is refused. Looser than `relayAddress`, for the reason in the header.
 */
const RELAY_FORM = /^\/[!-~]+$/
const BASE64URL_CHARS_PER_BYTE = 4 / 3
const MAX_PAYLOAD_CHARS = Math.ceil(MAX_INVITE_BYTES * BASE64URL_CHARS_PER_BYTE)
/** Whatever is pasted is cut off here before any other work, so a huge paste costs nothing. */
const MAX_PASTE_CHARS = 64 * 1024

export interface Invite {
  /** 16 bytes. */
  circleId: Uint8Array
  /** 32 bytes: the circle's secretbox key. Whoever holds the link can read the circle. */
  circleKey: Uint8Array
  circleName: string
  /**
   * Relay multiaddrs, in the inviter's order of preference, without duplicates, exactly as signed. An
   * invite made before relays were checked may carry ones no browser can dial: see `usableRelays`.
   */
  relays: string[]
  /** The inviter's identity public key, 32 bytes. */
  inviter: Uint8Array
  inviterName: string
  /** Milliseconds since the epoch. */
  issuedAt: number
  /** Milliseconds since the epoch; always after `issuedAt`. */
  expiresAt: number
  /** 16 random bytes, so two invites with the same fields still have different ids. */
  nonce: Uint8Array
  /** The inviter's Ed25519 signature over the domain tag and every field above. */
  signature: Uint8Array
}

export type UnsignedInvite = Omit<Invite, 'signature'>

export interface InviteFields {
  circleId: Uint8Array
  circleKey: Uint8Array
  circleName: string
  relays: readonly string[]
  inviterName: string
  issuedAt: number
  expiresAt: number
}

/** Why an invite was refused. A superset of errors.ts's reasons for the ones only invites have. */
export const INVITE_REJECT_REASONS = ['too-large', 'malformed', 'bad-signature', 'expired', 'not-yet-valid'] as const
export type InviteRejectReason = (typeof INVITE_REJECT_REASONS)[number]

/** Shaped like errors.ts's `Rejected`, with the invite reasons. */
export interface InviteRejected {
  ok: false
  reason: InviteRejectReason
  detail?: string
}
export type CheckedInvite = { ok: true; value: Invite } | InviteRejected

function rejectInvite<R extends InviteRejectReason>(reason: R, detail?: string): InviteRejected & { reason: R } {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail }
}

/** The signed part: everything but the signature, in layout order. */
function encodeBody(invite: UnsignedInvite): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, INVITE_VERSION)
  encoding.writeUint8Array(encoder, invite.circleId)
  encoding.writeUint8Array(encoder, invite.circleKey)
  encoding.writeVarUint8Array(encoder, utf8(invite.circleName))
  encoding.writeVarUint(encoder, invite.relays.length)
  for (const relay of invite.relays) encoding.writeVarUint8Array(encoder, utf8(relay))
  encoding.writeUint8Array(encoder, invite.inviter)
  encoding.writeVarUint8Array(encoder, utf8(invite.inviterName))
  encoding.writeVarUint(encoder, invite.issuedAt)
  encoding.writeVarUint(encoder, invite.expiresAt)
  encoding.writeUint8Array(encoder, invite.nonce)
  return encoding.toUint8Array(encoder)
}

/** Text as cleanText leaves it (one line, no controls, NFC, trimmed), or undefined when too long. */
function cleanName(raw: string, limit: number): string | undefined {
  const clean = cleanText(raw, limit)
  return clean.cut ? undefined : clean.text
}

function isTime(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0
}

/**
 * The relays worth dialling or writing into an invite, most useful first: trimmed, relay addresses
 * only, without duplicates, at most INVITE_LIMITS.relays. Anything else is dropped, not refused.
 */
export function usableRelays(relays: readonly string[]): string[] {
  const usable = relays.map((relay) => relay.trim()).filter(isRelayAddress)
  return [...new Set(usable)].slice(0, INVITE_LIMITS.relays)
}

/** Whether two relay lists are the same, in the same order (the first is dialled first). */
export function sameRelays(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((relay, i) => relay === b[i])
}

/**
 * Signs a new invite with the inviter's identity key. Text is cleaned the way member text always is;
 * relays are trimmed and de-duplicated. Throws RangeError on input no invite may carry (wrong key
 * lengths, a blank circle name, text over its limit, a relay that is no relay address, expiry not
 * after issue), because that is a bug or a form the UI should have checked, not a peer's bad data.
 */
export async function createInvite(
  ed: Ed25519,
  inviter: SigningKeyPair,
  fields: InviteFields,
  random: RandomBytes,
): Promise<Invite> {
  if (fields.circleId.length !== CIRCLE_ID_BYTES) throw new RangeError(`Circle id must be ${CIRCLE_ID_BYTES} bytes`)
  if (fields.circleKey.length !== CIRCLE_KEY_BYTES) throw new RangeError(`Circle key must be ${CIRCLE_KEY_BYTES} bytes`)
  if (inviter.publicKey.length !== PUBLIC_KEY_BYTES || inviter.secretKey.length !== SECRET_KEY_BYTES) {
    throw new RangeError('Inviter key pair has the wrong length')
  }
  // A secret key for another public key would sign an invite that no one can ever open.
  if (!equalBytes(inviter.secretKey.subarray(32), inviter.publicKey)) throw new RangeError('Inviter key pair does not match')
  const circleName = cleanName(fields.circleName, INVITE_LIMITS.circleName)
  if (circleName === undefined) throw new RangeError(`Circle name is over ${INVITE_LIMITS.circleName} characters`)
  if (circleName === '') throw new RangeError('Circle name is blank')
  const inviterName = cleanName(fields.inviterName, INVITE_LIMITS.inviterName)
  if (inviterName === undefined) throw new RangeError(`Inviter name is over ${INVITE_LIMITS.inviterName} characters`)
  const relays = [...new Set(fields.relays.map((relay) => relay.trim()))]
  if (relays.length > INVITE_LIMITS.relays) throw new RangeError(`At most ${INVITE_LIMITS.relays} relays`)
  for (const relay of relays) {
    if (!isRelayAddress(relay)) throw new RangeError(`Not a relay address (WebSocket, ending /p2p/<peer id>): ${relay.slice(0, 40)}`)
  }
  if (!isTime(fields.issuedAt) || !isTime(fields.expiresAt)) throw new RangeError('Invite times must be whole milliseconds')
  if (fields.expiresAt <= fields.issuedAt) throw new RangeError('Invite must expire after it is issued')
  const unsigned: UnsignedInvite = {
    circleId: fields.circleId.slice(),
    circleKey: fields.circleKey.slice(),
    circleName,
    relays,
    inviter: inviter.publicKey.slice(),
    inviterName,
    issuedAt: fields.issuedAt,
    expiresAt: fields.expiresAt,
    nonce: random(INVITE_NONCE_BYTES),
  }
  if (unsigned.nonce.length !== INVITE_NONCE_BYTES) throw new RangeError(`Random source gave no ${INVITE_NONCE_BYTES}-byte nonce`)
  const signature = await ed.sign(inviter.secretKey, concat(INVITE_DOMAIN, encodeBody(unsigned)))
  return { ...unsigned, signature }
}

/**
 * The canonical bytes: exactly what was signed, followed by the signature. Writes whatever it is given
 * (tests forge invites with it); only `decodeInvite` judges bytes.
 */
export function encodeInvite(invite: Invite): Uint8Array {
  return concat(encodeBody(invite), invite.signature)
}

/** Hex SHA-256 of the canonical bytes: the name an admission chain uses for this invite. */
export function inviteId(invite: Invite): string {
  return toHex(sha256(encodeInvite(invite)))
}

function readName(decoder: decoding.Decoder, limit: number, field: string): string {
  const bytes = readBytes(decoder, limit * UTF8_MAX)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new WireError(`${field}: bad UTF-8`)
  }
  // Only text createInvite could have written: an inviter signs whatever they like, so a name full
  // of control characters or in another normal form is refused here, not shown to the joiner.
  if (cleanName(text, limit) !== text) throw new WireError(`${field}: not clean text`)
  return text
}

function readRelays(decoder: decoding.Decoder): string[] {
  const count = readUint(decoder)
  if (count > INVITE_LIMITS.relays) throw new WireError('Too many relays')
  const relays: string[] = []
  for (let i = 0; i < count; i++) {
    // ASCII only, so bytes are characters and a Latin-1 read of checked bytes is exact.
    const bytes = readBytes(decoder, INVITE_LIMITS.relay)
    const relay = String.fromCharCode(...bytes)
    if (!RELAY_FORM.test(relay)) throw new WireError('Relay is not a multiaddr')
    if (relays.includes(relay)) throw new WireError('Duplicate relay')
    relays.push(relay)
  }
  return relays
}

/**
 * Reads one invite from inside a larger structure (a device certificate that carries it). Throws
 * WireError on anything but a canonical invite: bounds, UTF-8, clean text, times in order, and the
 * bytes read must be exactly what encoding the result gives back, so one invite has one byte form.
 * No signature check.
 */
export function readInvite(decoder: decoding.Decoder): Invite {
  const start = decoder.pos
  if (readByte(decoder) !== INVITE_VERSION) throw new WireError('Unknown invite version')
  const invite: Invite = {
    circleId: readFixed(decoder, CIRCLE_ID_BYTES),
    circleKey: readFixed(decoder, CIRCLE_KEY_BYTES),
    circleName: readName(decoder, INVITE_LIMITS.circleName, 'Circle name'),
    relays: readRelays(decoder),
    inviter: readFixed(decoder, PUBLIC_KEY_BYTES),
    inviterName: readName(decoder, INVITE_LIMITS.inviterName, 'Inviter name'),
    issuedAt: readUint(decoder),
    expiresAt: readUint(decoder),
    nonce: readFixed(decoder, INVITE_NONCE_BYTES),
    signature: readFixed(decoder, SIGNATURE_BYTES),
  }
  if (invite.circleName === '') throw new WireError('Circle name is blank')
  if (!isTime(invite.issuedAt) || !isTime(invite.expiresAt)) throw new WireError('Time out of range')
  if (invite.expiresAt <= invite.issuedAt) throw new WireError('Expires before it is issued')
  // Over-long varints (0x85 0x00 for 5) read as the same number; only re-encoding catches them.
  if (!equalBytes(encodeInvite(invite), decoder.arr.subarray(start, decoder.pos))) throw new WireError('Not canonical')
  return invite
}

export type DecodedInvite = { ok: true; value: Invite } | (InviteRejected & { reason: 'too-large' | 'malformed' })

/**
 * Size and structure only: no signature or clock check (that is `openInvite`). Its reasons are
 * errors.ts's too, so the result is also a `Checked<Invite>`.
 */
export function decodeInvite(bytes: Uint8Array): DecodedInvite {
  if (bytes.length > MAX_INVITE_BYTES) return rejectInvite('too-large', `${bytes.length} bytes`)
  try {
    const decoder = decoding.createDecoder(bytes)
    const invite = readInvite(decoder)
    if (decoder.pos !== bytes.length) return rejectInvite('malformed', 'trailing bytes')
    return accept(invite)
  } catch (error) {
    if (error instanceof WireError) return rejectInvite('malformed', error.message)
    throw error
  }
}

/** Whether the named inviter signed exactly these fields. Never throws. */
export async function verifyInviteSignature(ed: Ed25519, invite: Invite): Promise<boolean> {
  return ed.verify(invite.inviter, concat(INVITE_DOMAIN, encodeBody(invite)), invite.signature)
}

/**
 * The link to share. `origin` is where the app is served, with any base path (`location.origin +
 * location.pathname`); the payload goes in the fragment so no web server ever sees the circle key.
 */
export function inviteLink(origin: string, invite: Invite): string {
  if (/[#?\s]/.test(origin)) throw new RangeError('The app origin must have no query, fragment or spaces')
  return `${origin.replace(/\/+$/, '')}/#/join/${toBase64Url(encodeInvite(invite))}`
}

/**
 * Finds the base64url payload in whatever was pasted: a whole link from any origin, its fragment, or
 * the bare payload. Messengers and mail clients mangle links, so whitespace anywhere (a link wrapped
 * across lines) is dropped, a percent-encoded link is decoded once, and a query after the payload is
 * ignored. Undefined when the text is no invite link at all.
 */
function extractPayload(text: string): string | undefined {
  let link = text.replace(/\s+/g, '')
  if (link.includes('%')) {
    try {
      link = decodeURIComponent(link)
    } catch {
      return undefined
    }
  }
  const hash = link.indexOf('#')
  // A link's route is its fragment, and only the fragment is looked at (origin, path and query before
  // it are whatever the app is served from). Without a fragment the text is the bare payload, or a
  // link whose path ends in `join/<payload>`.
  const match =
    hash >= 0
      ? /^\/?join\/([^?&]*)(?:[?&].*)?$/s.exec(link.slice(hash + 1))
      : /^(?:(?:.*\/)?join\/)?([^?&/]*)(?:[?&].*)?$/s.exec(link)
  if (!match) return undefined
  return match[1]
}

/**
 * Opens what a person pasted or scanned, checking in order: size → decodes → the inviter's signature →
 * validity window at `now` (an unsigned time would mean nothing, so time is checked last). Never
 * throws on any input (a `now` that is no time is the caller's bug: RangeError). A valid invite proves
 * only who signed it: that the inviter is a member is for the admission chain to show once the joiner
 * is connected.
 */
export async function openInvite(ed: Ed25519, text: string, now: number): Promise<CheckedInvite> {
  // NaN compares false with everything, which would let every invite through the clock checks.
  if (!Number.isFinite(now)) throw new RangeError('now must be a time in milliseconds')
  if (text.length > MAX_PASTE_CHARS) return rejectInvite('too-large', `${text.length} characters`)
  const payload = extractPayload(text)
  if (payload === undefined) return rejectInvite('malformed', 'not an invite link')
  if (payload.length > MAX_PAYLOAD_CHARS) return rejectInvite('too-large', `${payload.length} characters`)
  if (payload === '') return rejectInvite('malformed', 'empty')
  const bytes = fromBase64Url(payload)
  if (bytes === undefined) return rejectInvite('malformed', 'not base64url')
  // Unpadded base64url has spare bits in its last character: only the form toBase64Url writes counts,
  // so one invite has exactly one link.
  if (toBase64Url(bytes) !== payload) return rejectInvite('malformed', 'not canonical base64url')
  const decoded = decodeInvite(bytes)
  if (!decoded.ok) return decoded
  const invite = decoded.value
  if (!(await verifyInviteSignature(ed, invite))) return rejectInvite('bad-signature')
  if (invite.issuedAt > now + INVITE_CLOCK_SKEW_MS) return rejectInvite('not-yet-valid', `issued at ${invite.issuedAt}`)
  if (now >= invite.expiresAt) return rejectInvite('expired', `expired at ${invite.expiresAt}`)
  return accept(invite)
}
