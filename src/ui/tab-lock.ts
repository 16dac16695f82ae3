/**
 * One tab at a time uses this browser profile's device. Two tabs would each sign "the next" entry of
 * the same feed, and every peer that saw both would freeze the feed as a fork. A Web Lock, held for
 * as long as the tab uses the device, says which tab that is. Another tab can take the device over
 * ("use it here"); the tab that loses the lock is told, and stops writing at once.
 *
 * Holding a lock keeps the page out of the back/forward cache: leaving unloads it, which frees the
 * device for the next tab, and a page that came back from the cache could not know what another tab
 * wrote meanwhile anyway.
 */

export interface DeviceLock {
  /** Settles if another tab takes the device over; never if this tab lets go itself. */
  readonly lost: Promise<void>
  /** Lets go of the device (closing). */
  release(): void
}

/** Where the browser has no Web Locks (an old one, or a page that is not a secure context). */
const UNGUARDED: DeviceLock = { lost: new Promise<void>(() => undefined), release: () => undefined }

/**
 * Claims the device kept in storage `name` for this tab: undefined if another tab has it, unless
 * `takeOver`, which takes it from that tab.
 */
export async function claimDevice(name: string, { takeOver = false }: { takeOver?: boolean } = {}): Promise<DeviceLock | undefined> {
  const locks = globalThis.navigator?.locks
  if (!locks) return UNGUARDED
  let release = () => {}
  const held = new Promise<void>((done) => (release = done))
  let answer = (_outcome: 'held' | 'elsewhere' | 'refused') => {}
  const outcome = new Promise<'held' | 'elsewhere' | 'refused'>((done) => (answer = done))
  const request = locks.request(`sharecircle-device:${name}`, takeOver ? { steal: true } : { ifAvailable: true }, (lock) => {
    answer(lock ? 'held' : 'elsewhere')
    return lock ? held : undefined
  })
  // A lock taken over rejects the request that held it (AbortError); one let go resolves it. A
  // request refused outright (the browser will not lock here) leaves the tab unguarded, as before.
  const lost = request.then(
    () => new Promise<void>(() => undefined),
    () => answer('refused'),
  )
  switch (await outcome) {
    case 'held':
      return { lost, release }
    case 'elsewhere':
      return undefined
    case 'refused':
      return UNGUARDED
  }
}
