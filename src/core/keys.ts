/**
 * Keys and the device certificate (DESIGN, "Keys"). A member's identity key says who they are; each
 * browser profile has its own device key, certified by the identity for one circle, so a feed always
 * has exactly one writer and a restore never becomes a second writer on an old feed.
 */
import nacl from 'tweetnacl'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { concat, toHex, utf8 } from './bytes'
import type { Ed25519 } from './ed25519'
import { type Checked, accept, reject } from './errors'
import type { RandomBytes } from './random'
import { WireError, expectEnd, readByte, readFixed, readUint } from './wire'

export interface SigningKeyPair {
  publicKey: Uint8Array
  /** 64 bytes: seed ‖ public key (tweetnacl's layout). */
  secretKey: Uint8Array
}

export interface BoxKeyPair {
  publicKey: Uint8Array
  secretKey: Uint8Array
}

export function newSigningKeyPair(random: RandomBytes): SigningKeyPair {
  return nacl.sign.keyPair.fromSeed(random(32))
}

export function signingKeyPairFromSecret(secretKey: Uint8Array): SigningKeyPair {
  return nacl.sign.keyPair.fromSecretKey(secretKey)
}

export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  return nacl.sign.keyPair.fromSeed(seed)
}

export function newBoxKeyPair(random: RandomBytes): BoxKeyPair {
  return nacl.box.keyPair.fromSecretKey(random(32))
}

export function boxKeyPairFromSecret(secretKey: Uint8Array): BoxKeyPair {
  return nacl.box.keyPair.fromSecretKey(secretKey)
}

/** A member id is the hex of the identity public key. */
export function memberIdOf(identityPublicKey: Uint8Array): string {
  return toHex(identityPublicKey)
}

const CERTIFICATE_VERSION = 1
const CERTIFICATE_DOMAIN = utf8('sharecircle/device-certificate/v1\0')

export interface DeviceCertificate {
  identityKey: Uint8Array
  deviceKey: Uint8Array
  circleId: Uint8Array
  issuedAt: number
  signature: Uint8Array
}

function certificateBody(cert: Omit<DeviceCertificate, 'signature'>): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, CERTIFICATE_VERSION)
  encoding.writeUint8Array(encoder, cert.identityKey)
  encoding.writeUint8Array(encoder, cert.deviceKey)
  encoding.writeUint8Array(encoder, cert.circleId)
  encoding.writeVarUint(encoder, cert.issuedAt)
  return encoding.toUint8Array(encoder)
}

export async function issueCertificate(
  ed: Ed25519,
  identity: SigningKeyPair,
  deviceKey: Uint8Array,
  circleId: Uint8Array,
  issuedAt: number,
): Promise<DeviceCertificate> {
  const unsigned = { identityKey: identity.publicKey, deviceKey, circleId, issuedAt }
  const signature = await ed.sign(identity.secretKey, concat(CERTIFICATE_DOMAIN, certificateBody(unsigned)))
  return { ...unsigned, signature }
}

export function encodeCertificate(encoder: encoding.Encoder, cert: DeviceCertificate): void {
  encoding.writeUint8Array(encoder, certificateBody(cert))
  encoding.writeUint8Array(encoder, cert.signature)
}

/** Reads a certificate from inside a larger structure; throws WireError on malformed bytes. */
export function readCertificate(decoder: decoding.Decoder): DeviceCertificate {
  if (readByte(decoder) !== CERTIFICATE_VERSION) throw new WireError('Unknown certificate version')
  return {
    identityKey: readFixed(decoder, 32),
    deviceKey: readFixed(decoder, 32),
    circleId: readFixed(decoder, 16),
    issuedAt: readUint(decoder),
    signature: readFixed(decoder, 64),
  }
}

export function decodeCertificate(bytes: Uint8Array): DeviceCertificate {
  const decoder = decoding.createDecoder(bytes)
  const cert = readCertificate(decoder)
  expectEnd(decoder)
  return cert
}

/** The certificate must be signed by its identity and name this feed's device key and this circle. */
export async function verifyCertificate(
  ed: Ed25519,
  cert: DeviceCertificate,
  expected: { deviceKey: Uint8Array; circleId: Uint8Array },
): Promise<Checked<DeviceCertificate>> {
  if (toHex(cert.deviceKey) !== toHex(expected.deviceKey)) return reject('bad-certificate', 'device key differs from feed')
  if (toHex(cert.circleId) !== toHex(expected.circleId)) return reject('bad-certificate', 'certificate is for another circle')
  const message = concat(CERTIFICATE_DOMAIN, certificateBody(cert))
  if (!(await ed.verify(cert.identityKey, message, cert.signature))) return reject('bad-certificate', 'identity signature')
  return accept(cert)
}
