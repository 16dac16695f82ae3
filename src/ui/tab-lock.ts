/**
 * One tab at a time uses this browser profile's device. Two tabs would each sign "the next" entry of
 * the same feed, and every peer that saw both would freeze the feed as a fork. Web Locks say which
 * tab that is:
 * - the device lock, held while a tab shows the device: a second tab sees it taken and offers to take
 *   it over (`steal`), which tells the first tab at once;
 * - the writer lock, held until a tab has stopped writing: a tab that took the device over waits for
 *   it, so it reads storage only after the last write of the tab it took over from has landed.
 *
 * In Chromium a page that holds a lock is not kept in the back/forward cache: leaving unloads it,
 * which frees the device for the next tab.
 */

export interface DeviceLock {
  /** Settles if another tab takes the device over; never if this tab lets go itself. */
  readonly lost: Promise<void>
  /**
   * Lets go of the device: call once this tab has stopped writing (its circles are closed). Resolves
   * once another tab can have it.
   */
  release(): Promise<void>
}

/** Where the browser has no Web Locks (an old one, or a page that is not a secure context). */
const UNGUARDED: DeviceLock = { lost: new Promise<void>(() => undefined), release: () => Promise.resolve() }

/** How long a takeover waits for the other tab to stop writing before it goes ahead anyway. */
export const TAKEOVER_WAIT_MS = 10_000

interface Held {
  lost: Promise<void>
  release: () => Promise<void>
}

/**
 * Claims the device kept in storage `name` for this tab: undefined if another tab has it, unless
 * `takeOver`, which takes it from that tab and resolves once that tab has stopped writing.
 */
export async function claimDevice(name: string, { takeOver = false }: { takeOver?: boolean } = {}): Promise<DeviceLock | undefined> {
  const locks = globalThis.navigator?.locks
  if (!locks) return UNGUARDED
  const device = await hold(locks, `sharecircle-device:${name}`, takeOver ? { steal: true } : { ifAvailable: true })
  if (device === 'refused') return UNGUARDED
  if (!device) return undefined
  const writerName = `sharecircle-device-writer:${name}`
  const abandon = new AbortController()
  const timer = setTimeout(() => abandon.abort(), TAKEOVER_WAIT_MS)
  // A tab that never stops (hung) must not keep this one out for good.
  let writer = await hold(locks, writerName, { signal: abandon.signal })
  clearTimeout(timer)
  if (!writer || writer === 'refused') writer = await hold(locks, writerName, { steal: true })
  const held = writer !== undefined && writer !== 'refused' ? writer : undefined
  return {
    lost: device.lost,
    async release() {
      await Promise.all([device.release(), held?.release()])
    },
  }
}

/** Asks for one lock and holds it until released; 'refused' when the request fails outright. */
async function hold(locks: LockManager, name: string, options: LockOptions): Promise<Held | undefined | 'refused'> {
  let release = () => {}
  const held = new Promise<void>((done) => (release = done))
  let answer = (_outcome: 'held' | 'taken' | 'refused') => {}
  const outcome = new Promise<'held' | 'taken' | 'refused'>((done) => (answer = done))
  const request = locks.request(name, options, (lock) => {
    answer(lock ? 'held' : 'taken')
    return lock ? held : undefined
  })
  // A lock taken over rejects the request that held it (AbortError); one let go resolves it. A
  // request refused before it was granted (the browser will not lock here, or the wait was abandoned)
  // says so.
  const lost = request.then(
    () => new Promise<void>(() => undefined),
    () => answer('refused'),
  )
  const settled = request.then(
    () => undefined,
    () => undefined,
  )
  switch (await outcome) {
    case 'held':
      return {
        lost,
        release: () => {
          release()
          return settled
        },
      }
    case 'taken':
      return undefined
    case 'refused':
      return 'refused'
  }
}
