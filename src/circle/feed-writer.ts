/**
 * Writes one device's feed: each payload becomes the next signed, sealed, chained entry. The replica
 * uses it for local writes; benchmarks and tests use it to make realistic circles without storage.
 */
import { ZERO_HASH, type Entry, signEntry } from '../core/entry'
import type { Ed25519 } from '../core/ed25519'
import type { Head } from '../core/feed'
import type { SigningKeyPair } from '../core/keys'
import { type Payload, sealPayload } from '../core/payload'
import type { RandomBytes } from '../core/random'
import { NONCE_BYTES } from '../core/circle-secrets'

export interface FeedWriterInit {
  device: SigningKeyPair
  topic: Uint8Array
  circleKey: Uint8Array
  ed: Ed25519
  random: RandomBytes
  now: () => number
}

/** The entry that would follow `head` (undefined head: the feed's first entry). */
export async function nextEntry(init: FeedWriterInit, head: Pick<Head, 'seq' | 'hash'> | undefined, payload: Payload): Promise<Entry> {
  const nonce = init.random(NONCE_BYTES)
  return signEntry(init.ed, init.device.secretKey, {
    topic: init.topic,
    feed: init.device.publicKey,
    seq: head ? head.seq + 1 : 0,
    prev: head?.hash ?? ZERO_HASH,
    timestamp: init.now(),
    nonce,
    ciphertext: sealPayload(init.circleKey, nonce, payload),
  })
}
