/**
 * The Device, made reactive: its circles, name and backup state are read through createSubscriber
 * over `device.subscribe`, so screens update when any of them changes. Actions go to `device`.
 */
import { createSubscriber } from 'svelte/reactivity'
import type { Device } from '../../circle/device'
import type { CircleRecord } from '../../circle/types'

export class DeviceState {
  readonly device: Device
  readonly #subscribe: () => void

  constructor(device: Device) {
    this.device = device
    this.#subscribe = createSubscriber((update) => device.subscribe(update))
  }

  get me(): string {
    return this.device.me
  }

  get fingerprint(): string {
    return this.device.fingerprint
  }

  get name(): string {
    this.#subscribe()
    return this.device.name
  }

  get backedUpAt(): number | undefined {
    this.#subscribe()
    return this.device.backedUpAt
  }

  /** Newest first. */
  get circles(): CircleRecord[] {
    this.#subscribe()
    return this.device.circles()
  }
}
