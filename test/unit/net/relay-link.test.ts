/**
 * The relay link against a fake connection manager and fake timers: redials after a lost connection
 * and after failures wait longer and longer up to the bound, and stopping cancels everything.
 */
import type { Connection, Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidRelayAddressError } from '../../../src/net/errors'
import { relayLink } from '../../../src/net/relay-link'

const RELAY = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const ADDRESS = `/ip4/127.0.0.1/tcp/8787/ws/p2p/${RELAY}`

function fakeConnection(): Connection {
  return { remotePeer: { toString: () => RELAY } as PeerId, status: 'open' } as Connection
}

function setup(outcomes: Array<'ok' | 'fail'>) {
  const events = new EventTarget() as TypedEventTarget<Libp2pEvents>
  const dials: number[] = []
  let open: Connection | undefined
  const link = relayLink({ redialMinMs: 1_000, redialMaxMs: 8_000, jitter: 0, random: () => 0 })({
    events,
    logger: { forComponent: () => Object.assign(() => undefined, { enabled: false, error: () => undefined, trace: () => undefined, newScope: () => undefined }) } as never,
    connectionManager: {
      openConnection: async () => {
        dials.push(Date.now())
        if ((outcomes.shift() ?? 'fail') === 'fail') throw new Error('unreachable')
        open = fakeConnection()
        return open
      },
      getConnections: () => (open && open.status === 'open' ? [open] : []),
    },
  })
  const close = (): void => {
    if (!open) return
    const closed = { ...open, status: 'closed' } as Connection
    open = undefined
    events.dispatchEvent(new CustomEvent('connection:close', { detail: closed }))
  }
  return { link, dials, close }
}

describe('relay link', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }))
  afterEach(() => void vi.useRealTimers())

  it('refuses a relay address without a peer id', () => {
    const { link } = setup([])
    link.start()
    expect(() => link.add(['/ip4/127.0.0.1/tcp/8787/ws'])).toThrow(InvalidRelayAddressError)
    link.stop()
  })

  it('dials at once, then backs off exponentially up to the bound after failures', async () => {
    const { link, dials } = setup(['fail', 'fail', 'fail', 'fail', 'fail', 'ok'])
    link.start()
    link.add([ADDRESS])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dials).toEqual([0, 1_000, 3_000, 7_000, 15_000, 23_000])
    expect(link.relays()).toEqual([{ address: ADDRESS, peerId: RELAY, state: 'connected', failures: 0 }])
    link.stop()
  })

  it('redials a relay whose connection closed, and stops cleanly', async () => {
    const { link, dials, close } = setup(['ok', 'fail', 'ok'])
    link.start()
    link.add([ADDRESS])
    await vi.advanceTimersByTimeAsync(0)
    close()
    expect(link.relays()[0]?.state).toBe('waiting')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(dials).toEqual([0, 1_000, 3_000])
    expect(link.relays()[0]?.state).toBe('connected')
    close()
    link.stop()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(dials).toHaveLength(3)
  })
})
