/**
 * Photos as the network sees them (`photoBlobs`): sealed bytes by hash in a shared store, and the
 * circle key's check — the plain bytes only for a blob sealed with this circle's key.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src/core/random'
import { MAX_PHOTO_BYTES, photoBlobs, photoHash, sealPhoto } from '../../../src/circle/photos'
import { newTestDevice } from '../../support/circle-fixtures'
import type { BlobStorage } from '../../../src/circle/types'

function memoryBlobs(): BlobStorage & { stored: Map<string, Uint8Array> } {
  const stored = new Map<string, Uint8Array>()
  return { stored, putBlob: async (hash, bytes) => void stored.set(hash, bytes), getBlob: async (hash) => stored.get(hash) }
}

describe('photo blobs', () => {
  const rng = seededRandom(12)
  const key = rng(32)
  const bytes = rng(3_000)

  it('opens a photo sealed with the circle key to its plain bytes, whose hash names it', () => {
    const blobs = photoBlobs(key, memoryBlobs())
    const plain = blobs.open(sealPhoto(key, rng, 'image/webp', bytes))
    expect(plain).toEqual(bytes)
    expect(photoHash(plain!)).toBe(photoHash(bytes))
  })

  it('opens nothing sealed with another key, altered, cut short or not a photo', () => {
    const blobs = photoBlobs(key, memoryBlobs())
    const sealed = sealPhoto(key, rng, 'image/webp', bytes)
    const altered = sealed.slice()
    altered[100] = altered[100]! ^ 1
    expect(blobs.open(sealPhoto(rng(32), rng, 'image/webp', bytes))).toBeUndefined()
    expect(blobs.open(altered)).toBeUndefined()
    expect(blobs.open(sealed.subarray(0, 10))).toBeUndefined()
    expect(blobs.open(new Uint8Array())).toBeUndefined()
    expect(blobs.open(sealPhoto(key, rng, 'text/html', bytes))).toBeUndefined()
  })

  it('stores and reads sealed bytes in the shared store, by hash', async () => {
    const storage = memoryBlobs()
    const blobs = photoBlobs(key, storage)
    const sealed = sealPhoto(key, rng, 'image/png', bytes)
    await blobs.put(photoHash(bytes), sealed)
    expect(storage.stored.get(photoHash(bytes))).toBe(sealed)
    expect(await blobs.get(photoHash(bytes))).toBe(sealed)
    expect(await blobs.get(photoHash(rng(5)))).toBeUndefined()
  })
})

describe('a photo too large to travel', () => {
  it('is refused when stored, with a named error, and nothing is kept', async () => {
    const { device, storage } = await newTestDevice('Ana', 91)
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    const replica = await device.openCircle(circle.id)
    const big = new Uint8Array(MAX_PHOTO_BYTES + 1)
    await expect(replica.putPhoto(big, 'image/jpeg')).rejects.toMatchObject({ name: 'PhotoTooLargeError' })
    expect(await storage.blobs.getBlob(photoHash(big))).toBeUndefined()
    await device.close()
  })
})
