/**
 * Real devices for circle tests: real keys, real crypto, real storage (fake-indexeddb in Node, the
 * browser's own in Chromium), with seeded randomness and a stepping clock so every run is the same.
 */
import { webCryptoEd25519 } from '../../src/core/ed25519'
import { type RandomBytes, seededRandom } from '../../src/core/random'
import { Device, type DeviceEnvironment } from '../../src/circle/device'
import { openStorage } from '../../src/store'

let databases = 0

export function testEnvironment(seed: number, start = 1_750_000_000_000): DeviceEnvironment & { random: RandomBytes } {
  let clock = start
  return {
    ed: webCryptoEd25519(globalThis.crypto.subtle),
    random: seededRandom(seed),
    now: () => (clock += 1000),
    subtle: globalThis.crypto.subtle,
  }
}

export async function openTestStorage(label = 'test') {
  return openStorage({ name: `${label}-${Date.now()}-${databases++}` })
}

export async function newTestDevice(name: string, seed: number) {
  const storage = await openTestStorage(name)
  const env = testEnvironment(seed)
  const device = await Device.create(storage, name, env)
  return { device, storage, env }
}
