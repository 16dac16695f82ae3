/**
 * Identity backup (DESIGN, "Keys": backup). Two forms: a passphrase-encrypted file that carries the
 * identity and the member's circles, and a 24-word recovery phrase (BIP-39 encoding of the identity
 * seed) that carries the identity alone. Restoring makes a new device key, so a restored browser
 * starts a new feed instead of becoming a second writer on an old one.
 *
 * File layout: magic "SCB1" · iterations varuint · salt 16 · nonce 24 · secretbox(JSON contents),
 * keyed by PBKDF2-SHA-256(passphrase NFC, salt, iterations).
 */
import nacl from 'tweetnacl'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { bufferSource, concat, fromHex, fromUtf8, sha256, toHex, utf8 } from './bytes'
import { CorruptBackupError, InvalidPhraseError, WrongPassphraseError } from './errors'
import { type BoxKeyPair, boxKeyPairFromSecret } from './keys'
import type { RandomBytes } from './random'
import { WireError, readBytes, readFixed, readUint } from './wire'

const MAGIC = utf8('SCB1')
export const BACKUP_ITERATIONS = 600_000
const MIN_ITERATIONS = 100_000
const MAX_ITERATIONS = 10_000_000
const MAX_BACKUP_BYTES = 4 * 1024 * 1024

export interface BackupCircle {
  id: string
  key: string
  name: string
  description: string
  createdAt: number
  relays: string[]
  /** Who invited this device's member in (hex identity key), for the trust view's starting point. */
  invitedBy?: string
}

export interface BackupContents {
  /** The 32-byte Ed25519 identity seed. */
  identitySeed: Uint8Array
  name: string
  circles: BackupCircle[]
  exportedAt: number
}

/** The box key is derived from the identity seed, so the recovery phrase restores it too. */
export function boxKeyPairFromIdentitySeed(seed: Uint8Array): BoxKeyPair {
  return boxKeyPairFromSecret(sha256(concat(utf8('sharecircle/box-key/v1\0'), seed)))
}

async function deriveKey(subtle: SubtleCrypto, passphrase: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const material = await subtle.importKey('raw', bufferSource(utf8(passphrase.normalize('NFC'))), 'PBKDF2', false, ['deriveBits'])
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: bufferSource(salt), iterations }, material, 256)
  return new Uint8Array(bits)
}

export async function encryptBackup(
  subtle: SubtleCrypto,
  random: RandomBytes,
  contents: BackupContents,
  passphrase: string,
  iterations = BACKUP_ITERATIONS,
): Promise<Uint8Array> {
  const salt = random(16)
  const nonce = random(nacl.secretbox.nonceLength)
  const key = await deriveKey(subtle, passphrase, salt, iterations)
  const json = JSON.stringify({ ...contents, identitySeed: toHex(contents.identitySeed) })
  const encoder = encoding.createEncoder()
  encoding.writeUint8Array(encoder, MAGIC)
  encoding.writeVarUint(encoder, iterations)
  encoding.writeUint8Array(encoder, salt)
  encoding.writeUint8Array(encoder, nonce)
  encoding.writeVarUint8Array(encoder, nacl.secretbox(utf8(json), nonce, key))
  return encoding.toUint8Array(encoder)
}

/** Throws CorruptBackupError for anything that is not an intact backup, WrongPassphraseError otherwise. */
export async function decryptBackup(subtle: SubtleCrypto, file: Uint8Array, passphrase: string): Promise<BackupContents> {
  let iterations: number, salt: Uint8Array, nonce: Uint8Array, sealed: Uint8Array
  try {
    if (file.length > MAX_BACKUP_BYTES) throw new WireError('too large')
    const decoder = decoding.createDecoder(file)
    if (toHex(readFixed(decoder, MAGIC.length)) !== toHex(MAGIC)) throw new WireError('not a backup')
    iterations = readUint(decoder)
    salt = readFixed(decoder, 16)
    nonce = readFixed(decoder, nacl.secretbox.nonceLength)
    sealed = readBytes(decoder, MAX_BACKUP_BYTES)
    if (decoder.pos !== file.length) throw new WireError('trailing bytes')
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) throw new WireError('iterations out of range')
  } catch (error) {
    if (error instanceof WireError) throw new CorruptBackupError()
    throw error
  }
  const key = await deriveKey(subtle, passphrase, salt, iterations)
  const plaintext = nacl.secretbox.open(sealed, nonce, key)
  // secretbox cannot tell a wrong key from altered bytes; the structure above was intact, so say passphrase.
  if (!plaintext) throw new WrongPassphraseError()
  return parseContents(plaintext)
}

function parseContents(plaintext: Uint8Array): BackupContents {
  try {
    const raw: unknown = JSON.parse(fromUtf8(plaintext))
    if (!isRecord(raw) || typeof raw.name !== 'string' || typeof raw.identitySeed !== 'string') throw new Error()
    const identitySeed = fromHex(raw.identitySeed)
    if (!identitySeed || identitySeed.length !== 32 || !Array.isArray(raw.circles)) throw new Error()
    const circles = raw.circles.map(parseCircle)
    const exportedAt = typeof raw.exportedAt === 'number' ? raw.exportedAt : 0
    return { identitySeed, name: raw.name, circles, exportedAt }
  } catch {
    throw new CorruptBackupError()
  }
}

function parseCircle(raw: unknown): BackupCircle {
  if (!isRecord(raw)) throw new Error()
  const { id, key, name, description, createdAt, relays, invitedBy } = raw
  const valid =
    typeof id === 'string' && fromHex(id)?.length === 16 &&
    typeof key === 'string' && fromHex(key)?.length === 32 &&
    typeof name === 'string' && typeof description === 'string' && typeof createdAt === 'number' &&
    Array.isArray(relays) && relays.every((relay) => typeof relay === 'string') &&
    (invitedBy === undefined || (typeof invitedBy === 'string' && fromHex(invitedBy)?.length === 32))
  if (!valid) throw new Error()
  return { id, key, name, description, createdAt, relays: relays as string[], ...(invitedBy === undefined ? {} : { invitedBy: invitedBy as string }) }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** BIP-39: 256 bits of seed plus an 8-bit SHA-256 checksum, as 24 words of 11 bits. */
export function seedToPhrase(seed: Uint8Array, wordlist: readonly string[]): string[] {
  if (seed.length !== 32 || wordlist.length !== 2048) throw new RangeError('A phrase encodes a 32-byte seed with 2048 words')
  const bits = [...seed, sha256(seed)[0]!].map((byte) => byte.toString(2).padStart(8, '0')).join('')
  return Array.from({ length: 24 }, (_, i) => wordlist[parseInt(bits.slice(i * 11, i * 11 + 11), 2)]!)
}

export function phraseToSeed(words: string[], wordlist: readonly string[]): Uint8Array {
  const normalized = words.map((word) => word.normalize('NFKD').trim().toLowerCase()).filter(Boolean)
  if (normalized.length !== 24) throw new InvalidPhraseError('A recovery phrase has 24 words')
  const indices = normalized.map((word) => wordlist.indexOf(word))
  if (indices.some((index) => index < 0)) throw new InvalidPhraseError('One of the words is not in the recovery word list')
  const bits = indices.map((index) => index.toString(2).padStart(11, '0')).join('')
  const bytes = Uint8Array.from({ length: 33 }, (_, i) => parseInt(bits.slice(i * 8, i * 8 + 8), 2))
  const seed = bytes.slice(0, 32)
  if (sha256(seed)[0] !== bytes[32]) throw new InvalidPhraseError()
  return seed
}
