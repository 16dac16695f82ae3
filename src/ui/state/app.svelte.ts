/**
 * The app's root state: storage, the Device (once there is one), the router, toasts, and the circle on
 * screen. Provided to every component through context (see context.ts); nothing here is a module
 * singleton, so a test can mount the app twice.
 */
import { Device, previewInvite } from '../../circle/device'
import { InvalidInviteError } from '../../circle/invite-errors'
import type { CircleHandle, CircleRecord, Storage } from '../../circle/types'
import { nextFrame } from '../../core/schedule'
import { DEFAULT_NAME, openStorage } from '../../store/index'
import { describeError, describeUnstoredEdit } from '../error-messages'
import { rememberJoined } from '../joined-circles'
import { fetchRelayInfo, type RelayInfo } from '../relay-info'
import { circleOf } from '../routes'
import { type DeviceLock, claimDevice } from '../tab-lock'
import { CircleState } from './circle-view.svelte'
import { DeviceState } from './device.svelte'
import { NetworkState } from './network.svelte'
import { Router } from './router.svelte'
import { Toasts } from './toasts.svelte'

type AppStorage = Storage & { close(): Promise<void> }

/** `elsewhere`: another tab of this browser profile is using the device (tab-lock.ts). */
export type AppStatus = 'loading' | 'ready' | 'failed' | 'elsewhere'

export class AppState {
  readonly router = new Router()
  readonly toasts = new Toasts()
  /** The member node and the circles on it; started once there is a device. */
  readonly network = new NetworkState()
  status = $state<AppStatus>('loading')
  /** Undefined until the person has made or restored an identity on this device. */
  device = $state.raw<DeviceState | undefined>()
  failure = $state('')

  #storage: AppStorage | undefined
  /** This tab's hold on the device; undefined while another tab has it. */
  #lock: DeviceLock | undefined
  #hidden = false
  /** Made by a join that failed, not shown yet (see joinFromInvite). */
  #unshown: DeviceState | undefined
  /** The device a takeover is closing: its writes under way still need noting if the page goes. */
  #closing: Device | undefined
  #relayInfo: Promise<RelayInfo | undefined> | undefined
  readonly #circles = new Map<string, Promise<CircleState>>()

  /** The circle on screen: the one the route names, else the last visited, else the newest. */
  readonly circleId: string | undefined = $derived.by(() => {
    const named = circleOf(this.router.current)
    if (named !== undefined) return named
    const known = this.device?.circles ?? []
    const last = this.router.lastCircle
    return known.find((circle) => circle.id === last)?.id ?? known[0]?.id
  })

  /** Whether this device has joined the circle on screen (a route may name one it never saw). */
  readonly circleKnown = $derived(this.device?.circles.some((circle) => circle.id === this.circleId) ?? false)

  /** Bumped by `retryCircle`: a circle that failed to open is asked for again. */
  #openAttempts = $state(0)

  /** The open circle on screen; one promise per circle, so `{#await}` settles once. */
  readonly circle: Promise<CircleState> | undefined = $derived.by(() => {
    void this.#openAttempts
    return this.device && this.circleId !== undefined && this.circleKnown ? this.#open(this.device, this.circleId) : undefined
  })

  /** Tries again to open the circle on screen after it failed (a failed open is not kept). */
  retryCircle(): void {
    this.#openAttempts++
  }

  async start(): Promise<void> {
    await this.#begin(await claimDevice(DEFAULT_NAME))
  }

  /** Takes the device over from the tab using it (that tab stops) and starts here. */
  async useHere(): Promise<void> {
    this.status = 'loading'
    await this.#begin(await claimDevice(DEFAULT_NAME, { takeOver: true }))
  }

  async #begin(lock: DeviceLock | undefined): Promise<void> {
    if (!lock) {
      this.status = 'elsewhere'
      return
    }
    // Taken over while still opening, this tab never starts: what it opened is closed below, and
    // only then is the lock released. Taken over later, #stopHere stops it.
    let starting = true
    let lost = false
    this.#lock = lock
    void lock.lost.then(() => {
      lost = true
      this.#lock = undefined
      this.status = 'elsewhere'
      if (!starting) void this.#stopHere(lock)
    })
    let storage: AppStorage | undefined
    try {
      storage = await openStorage({
        // Another tab upgraded the database, or the browser cleared it: nothing works until a reload.
        onClose: () =>
          this.toasts.offer('Sharecircle was updated or closed in another tab.', { label: 'Reload', run: () => location.reload() }),
      })
      const device = await Device.load(storage)
      starting = false
      if (lost) {
        await device?.close()
        await storage.close()
        await lock.release()
        return
      }
      this.#storage = storage
      if (device) this.#use(new DeviceState(device))
      this.status = 'ready'
    } catch (error) {
      starting = false
      if (lost) {
        await storage?.close().catch(() => undefined)
        await lock.release()
        return
      }
      this.failure = describeError(error)
      this.status = 'failed'
    }
  }

  async createIdentity(name: string): Promise<void> {
    this.#use(new DeviceState(await Device.create(this.#needStorage(), name)))
  }

  async restoreFromBackup(file: Uint8Array, passphrase: string): Promise<void> {
    this.#use(new DeviceState(await Device.restoreFromBackup(this.#needStorage(), file, passphrase)))
  }

  async restoreFromPhrase(words: string[], name: string): Promise<void> {
    this.#use(new DeviceState(await Device.restoreFromPhrase(this.#needStorage(), words, name)))
  }

  /**
   * Joins the circle of an invite. Without an identity yet, `name` makes one first; the device is
   * shown only once it has joined, so the screen doing this is not swapped out half way.
   */
  async joinFromInvite(text: string, name?: string): Promise<CircleRecord> {
    const existing = this.device
    if (!existing) {
      // A bad invite must not leave an identity behind that the person never meant to make.
      const opened = await previewInvite(text)
      if (!opened.ok) throw new InvalidInviteError(opened.reason, opened.detail)
    }
    // An identity made for a join that then failed is stored already: trying again uses it rather
    // than making a second one over it.
    const device = existing ?? this.#unshown ?? new DeviceState(await Device.create(this.#needStorage(), name ?? ''))
    if (!existing) this.#unshown = device
    const known = new Set(device.device.circles().map((circle) => circle.id))
    const circle = await device.device.joinFromInvite(text)
    if (!known.has(circle.id)) rememberJoined(circle.id)
    if (!existing) {
      this.#unshown = undefined
      this.#use(device)
    }
    return circle
  }

  /**
   * The page is going away or hidden (it may never come back), or visible again: while it is not,
   * this device's entries that are sent and not yet stored are noted where they outlive the tab
   * (see CircleReplica.pageHidden). A device still closing after a takeover is told too.
   */
  pageHidden(hidden: boolean): void {
    this.#hidden = hidden
    this.device?.device.pageHidden(hidden)
    this.#closing?.pageHidden(hidden)
  }

  /** Puts the device on the network again after the page came back from the back/forward cache. */
  reconnect(): void {
    if (this.device && this.status === 'ready') void this.network.start(this.device.device, this.relayInfo)
  }

  /** Which relay served the app (asked once); undefined when none did. */
  get relayInfo(): Promise<RelayInfo | undefined> {
    this.#relayInfo ??= fetchRelayInfo()
    return this.#relayInfo
  }

  /**
   * Runs an action the person asked for; a failure becomes an error toast instead of an uncaught
   * rejection. Returns whether it succeeded, so a form knows whether to move on.
   */
  async attempt(action: () => Promise<unknown>, done?: string): Promise<boolean> {
    try {
      await action()
      // What follows re-renders this page (a toast, often another screen): done at the next frame,
      // which would show it either way, it leaves the CPU until then to the write's way to peers.
      await new Promise<void>((resolve) => nextFrame(resolve))
      if (done) this.toasts.info(done)
      return true
    } catch (error) {
      this.toasts.error(describeError(error))
      return false
    }
  }

  /** Opens every circle this device has joined (for changes that apply to all of them). */
  async allCircles(): Promise<CircleHandle[]> {
    const device = this.device
    if (!device) return []
    const states = await Promise.all(device.circles.map((circle) => this.#open(device, circle.id)))
    return states.map((state) => state.handle)
  }

  /**
   * Another tab took the device over: this one stops writing at once, hangs up, and closes its
   * circles and storage; "use it here" starts again from what is stored.
   */
  async #stopHere(lock: DeviceLock): Promise<void> {
    const device = this.device
    const storage = this.#storage
    this.device = undefined
    this.#unshown = undefined
    this.#storage = undefined
    this.#circles.clear()
    // Circles first: closing refuses new writes at once and waits for those under way. The tab that
    // took over reads storage only once the lock is released (tab-lock.ts); hanging up writes
    // nothing, so it need not wait for that.
    this.#closing = device?.device
    await device?.device.close().catch(() => undefined)
    this.#closing = undefined
    await storage?.close().catch(() => undefined)
    await lock.release()
    await this.network.stop()
  }

  /** Shows the device and puts its circles on the network. */
  #use(device: DeviceState): void {
    // Made (a first run, a restore, a join) while another tab took the device over: not shown here.
    if (!this.#lock) {
      void device.device.close()
      return
    }
    this.device = device
    if (this.#hidden) device.device.pageHidden(true)
    void this.network.start(device.device, this.relayInfo)
  }

  #open(device: DeviceState, id: string): Promise<CircleState> {
    let opening = this.#circles.get(id)
    if (!opening) {
      const inviter = device.circles.find((circle) => circle.id === id)?.invitedBy
      opening = device.device.openCircle(id).then((handle) => {
        handle.subscribeUnstored((error) => this.toasts.error(describeUnstoredEdit(error)))
        return new CircleState(handle, device.device.attestationSigner(), inviter)
      })
      // A failed open is not cached: the next visit tries again.
      opening.catch(() => this.#circles.delete(id))
      this.#circles.set(id, opening)
    }
    return opening
  }

  #needStorage(): AppStorage {
    if (!this.#storage) throw new Error('Storage is not open yet')
    return this.#storage
  }
}
