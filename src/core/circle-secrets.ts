/**
 * A circle's secrets and the names derived from them (DESIGN, "Keys"). The network topic is a hash of
 * id and key, so a relay that sees the topic learns neither; payloads are sealed with the circle key.
 */
import nacl from 'tweetnacl'
import { concat, sha256, utf8 } from './bytes'
import type { RandomBytes } from './random'

export const CIRCLE_ID_BYTES = 16
export const CIRCLE_KEY_BYTES = nacl.secretbox.keyLength
export const NONCE_BYTES = nacl.secretbox.nonceLength

const TOPIC_DOMAIN = utf8('sharecircle/topic/v1\0')

export interface CircleSecrets {
  id: Uint8Array
  key: Uint8Array
}

export function newCircleSecrets(random: RandomBytes): CircleSecrets {
  return { id: random(CIRCLE_ID_BYTES), key: random(CIRCLE_KEY_BYTES) }
}

export function circleTopic(secrets: CircleSecrets): Uint8Array {
  return sha256(concat(TOPIC_DOMAIN, secrets.id, secrets.key))
}

export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return nacl.secretbox(plaintext, nonce, key)
}

/** Undefined when the ciphertext was not sealed with this key and nonce, or was altered. */
export function open(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
  if (nonce.length !== NONCE_BYTES || key.length !== CIRCLE_KEY_BYTES) return undefined
  return nacl.secretbox.open(ciphertext, nonce, key) ?? undefined
}
