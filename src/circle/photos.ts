/**
 * Photos are content-addressed (SHA-256 of the image bytes, so the same photo is stored once) and
 * kept encrypted with the circle key, like everything else that could leave the device. They travel
 * sealed, fetched from members on demand (net/blob-service.ts); `photoBlobs` is what the network
 * sees of them. Sealed layout: nonce 24 · secretbox(mime varstring ‖ bytes).
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { concat, sha256, toHex } from '../core/bytes'
import { NONCE_BYTES, open, seal } from '../core/circle-secrets'
import type { RandomBytes } from '../core/random'
import type { BlobStorage } from './types'
import { WireError, readText } from '../core/wire'

/** A sealed photo must fit the blob protocol's limit (net/blob-messages.ts, 3 MiB + 1 KiB) to travel. */
export const MAX_PHOTO_BYTES = 3 * 1024 * 1024

export function photoHash(bytes: Uint8Array): string {
  return toHex(sha256(bytes))
}

export function sealPhoto(key: Uint8Array, random: RandomBytes, mime: string, bytes: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, mime)
  encoding.writeUint8Array(encoder, bytes)
  const nonce = random(NONCE_BYTES)
  return concat(nonce, seal(key, nonce, encoding.toUint8Array(encoder)))
}

/** Undefined when the blob was not sealed with this key, was altered, or is not a photo. */
export function openPhoto(key: Uint8Array, sealed: Uint8Array): { mime: string; bytes: Uint8Array } | undefined {
  const plaintext = open(key, sealed.subarray(0, NONCE_BYTES), sealed.subarray(NONCE_BYTES))
  if (!plaintext) return undefined
  try {
    const decoder = decoding.createDecoder(plaintext)
    const mime = readText(decoder, 100)
    if (!/^image\/[a-z0-9.+-]+$/.test(mime)) return undefined
    return { mime, bytes: plaintext.slice(decoder.pos) }
  } catch (error) {
    if (error instanceof WireError) return undefined
    throw error
  }
}

/** A circle's photos as the network moves them: sealed bytes by hash, and the circle key's check. */
export interface PhotoBlobs {
  /** The sealed photo stored under this hash (storage is shared: it may be another circle's). */
  get(hash: string): Promise<Uint8Array | undefined>
  /** The photo's plain bytes, when the blob opens with this circle's key to a photo; else undefined. */
  open(sealed: Uint8Array): Uint8Array | undefined
  /** Stores a sealed photo (the caller checked that it opens to bytes of `hash`). */
  put(hash: string, sealed: Uint8Array): Promise<void>
}

export function photoBlobs(key: Uint8Array, storage: BlobStorage): PhotoBlobs {
  return {
    get: (hash) => storage.getBlob(hash),
    open: (sealed) => openPhoto(key, sealed)?.bytes,
    put: (hash, sealed) => storage.putBlob(hash, sealed),
  }
}
