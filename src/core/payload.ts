/**
 * What an entry carries once decrypted. Seq 0 of every feed is a `join`: the device certificate and
 * the member's public profile. Later entries carry a Yjs update of the author's member doc (core does
 * not look inside it) or, later, an attestation.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { open, seal } from './circle-secrets'
import type { Entry } from './entry'
import { MAX_ENTRY_BYTES } from './entry'
import { type Checked, accept, reject } from './errors'
import { type DeviceCertificate, encodeCertificate, readCertificate } from './keys'
import { WireError, expectEnd, readByte, readBytes, readFixed, readText } from './wire'

export const PAYLOAD_TYPES = { join: 1, update: 2 } as const

export interface JoinPayload {
  type: 'join'
  certificate: DeviceCertificate
  name: string
  boxPublicKey: Uint8Array
}

export interface UpdatePayload {
  type: 'update'
  /** A Yjs update of the author's member doc. */
  update: Uint8Array
}

export type Payload = JoinPayload | UpdatePayload

const MAX_NAME_BYTES = 240

export function encodePayload(payload: Payload): Uint8Array {
  const encoder = encoding.createEncoder()
  switch (payload.type) {
    case 'join':
      encoding.writeUint8(encoder, PAYLOAD_TYPES.join)
      encodeCertificate(encoder, payload.certificate)
      encoding.writeVarString(encoder, payload.name)
      encoding.writeUint8Array(encoder, payload.boxPublicKey)
      break
    case 'update':
      encoding.writeUint8(encoder, PAYLOAD_TYPES.update)
      encoding.writeVarUint8Array(encoder, payload.update)
      break
  }
  return encoding.toUint8Array(encoder)
}

export function decodePayload(bytes: Uint8Array): Checked<Payload> {
  try {
    const decoder = decoding.createDecoder(bytes)
    const type = readByte(decoder)
    let payload: Payload
    if (type === PAYLOAD_TYPES.join) {
      payload = {
        type: 'join',
        certificate: readCertificate(decoder),
        name: readText(decoder, MAX_NAME_BYTES),
        boxPublicKey: readFixed(decoder, 32),
      }
    } else if (type === PAYLOAD_TYPES.update) {
      payload = { type: 'update', update: readBytes(decoder, MAX_ENTRY_BYTES) }
    } else {
      return reject('bad-payload', `unknown payload type ${type}`)
    }
    expectEnd(decoder)
    return accept(payload)
  } catch (error) {
    if (error instanceof WireError) return reject('bad-payload', error.message)
    throw error
  }
}

export function sealPayload(circleKey: Uint8Array, nonce: Uint8Array, payload: Payload): Uint8Array {
  return seal(circleKey, nonce, encodePayload(payload))
}

/** Decrypts and decodes an entry's payload: `undecryptable`, then `bad-payload`, on failure. */
export function openPayload(circleKey: Uint8Array, entry: Entry): Checked<Payload> {
  const plaintext = open(circleKey, entry.nonce, entry.ciphertext)
  if (!plaintext) return reject('undecryptable')
  return decodePayload(plaintext)
}
