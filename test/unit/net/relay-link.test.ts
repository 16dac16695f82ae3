/**
 * The relay link against a fake connection manager and fake timers: redials after a lost connection
 * and after failures wait longer and longer up to the bound, a relay that drops every connection at
 * once is backed off from too, a bad address is skipped without costing the others, and stopping
 * cancels everything. Last, core's relay address grammar (invite.ts) checked against this module's.
 */
import type { Connection, Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { encodeBase58 } from '../../../src/core/base58'
import { relayAddress } from '../../../src/core/relay-address'
import { seededRandom } from '../../../src/core/random'
import { RELAY_STABLE_MS } from '../../../src/net/constants'
import { relayLink } from '../../../src/net/relay-link'

const RELAY = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const ADDRESS = `/ip4/127.0.0.1/tcp/8787/ws/p2p/${RELAY}`

function fakeConnection(): Connection {
  return { remotePeer: { toString: () => RELAY } as PeerId, status: 'open' } as Connection
}

function setup(outcomes: Array<'ok' | 'fail'>) {
  const events = new EventTarget() as TypedEventTarget<Libp2pEvents>
  const dials: number[] = []
  const errors: unknown[][] = []
  let open: Connection | undefined
  const link = relayLink({ redialMinMs: 1_000, redialMaxMs: 8_000, jitter: 0, random: () => 0 })({
    events,
    logger: {
      forComponent: () =>
        Object.assign(() => undefined, { enabled: false, error: (...args: unknown[]) => void errors.push(args), trace: () => undefined, newScope: () => undefined }),
    } as never,
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
  return { link, dials, close, errors }
}

describe('relay link', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }))
  afterEach(() => void vi.useRealTimers())

  it('skips and logs addresses that are no WebSocket relay address, and links the others', async () => {
    const { link, dials, errors } = setup(['ok'])
    link.start()
    const bad = [
      'not a multiaddr',
      '/dns4/relay.example/tcp/443/wss/p2p/not-a-peer-id',
      '/ip4/127.0.0.1/tcp/8787/ws',
      `/ip4/127.0.0.1/tcp/8787/p2p/${RELAY}`,
      `/dns4/relay.example/tcp/443/tls/p2p/${RELAY}`,
      `/ip4/127.0.0.1/udp/8787/quic-v1/p2p/${RELAY}`,
    ]
    expect(link.add([bad[0]!, ADDRESS, ...bad.slice(1)])).toEqual([ADDRESS])
    expect(errors).toHaveLength(bad.length)
    await vi.advanceTimersByTimeAsync(0)
    expect(dials).toEqual([0])
    expect(link.relays()).toEqual([{ address: ADDRESS, peerId: RELAY, state: 'connected', failures: 0 }])
    // Removing what was skipped is a no-op, and leaves the good link alone.
    link.remove(bad)
    expect(link.relays()).toHaveLength(1)
    link.remove([ADDRESS])
    expect(link.relays()).toEqual([])
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

  it('backs off from a relay that accepts each connection and drops it at once', async () => {
    const { link, dials, close } = setup(Array<'ok'>(10).fill('ok'))
    link.start()
    link.add([ADDRESS])
    await vi.advanceTimersByTimeAsync(0)
    for (let i = 0; i < 6; i++) {
      expect(link.relays()[0]?.state).toBe('connected')
      close()
      await vi.advanceTimersToNextTimerAsync()
      await vi.advanceTimersByTimeAsync(0)
    }
    expect(dials).toEqual([0, 1_000, 3_000, 7_000, 15_000, 23_000, 31_000])
    link.stop()
  })

  it('forgets past failures once a connection has stayed up a while, and redials it soon after a loss', async () => {
    const { link, dials, close } = setup(['fail', 'fail', 'ok', 'ok'])
    link.start()
    link.add([ADDRESS])
    await vi.advanceTimersByTimeAsync(3_000)
    expect(dials).toEqual([0, 1_000, 3_000])
    expect(link.relays()[0]).toMatchObject({ state: 'connected', failures: 2 })
    await vi.advanceTimersByTimeAsync(RELAY_STABLE_MS)
    expect(link.relays()[0]).toMatchObject({ state: 'connected', failures: 0 })
    close()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(dials).toEqual([0, 1_000, 3_000, 3_000 + RELAY_STABLE_MS + 1_000])
    link.stop()
  })
})

/**
 * Core cannot parse multiaddrs, so invite.ts has its own grammar for relay addresses, meant to be a
 * strict subset of what this module accepts (and of what `multiaddr()` parses, which the circle
 * network relies on). Checked on hand-picked addresses and on seeded random mutations of them.
 */
describe('core relay addresses are relay-link addresses', () => {
  const peerIds = [
    RELAY,
    // RSA: a SHA-256 multihash.
    'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N',
    // secp256k1: an identity multihash of a 37-byte protobuf key.
    encodeBase58(new Uint8Array([0x00, 0x25, 0x08, 0x02, 0x12, 0x21, 0x02, ...Array.from({ length: 32 }, (_, i) => i + 1)])),
  ]
  const hosts = ['/ip4/192.0.2.7', '/ip4/255.255.255.255', '/ip6/::1', '/ip6/2001:db8::7', '/ip6/::ffff:192.0.2.1', '/ip6/1:2:3:4:5:6:7:8', '/dns/localhost', '/dns4/relay.example', '/dns6/Relay-1.example.org']
  const transports = ['ws', 'wss', 'tls/ws', 'tls/sni/relay.example/ws']
  const valid = hosts.flatMap((host, i) =>
    transports.map((transport, j) => `${host}/tcp/${[1, 443, 8787, 65535][(i + j) % 4]}/${transport}/p2p/${peerIds[(i + j) % peerIds.length]}`),
  )

  function netKeeps(text: string): boolean {
    const { link } = setup([])
    return link.add([text]).length === 1
  }

  it('accepts the usual forms, and net agrees', () => {
    for (const text of valid) {
      expect(relayAddress(text), text).toBeDefined()
      expect(netKeeps(text), text).toBe(true)
      expect(() => multiaddr(text), text).not.toThrow()
    }
    expect(relayAddress(`/dns4/relay.example/tcp/443/tls/sni/relay.example/ws/p2p/${RELAY}`)).toEqual({ host: 'relay.example', port: 443, secure: true, peerId: RELAY })
    expect(relayAddress(`/ip6/::1/tcp/8787/ws/p2p/${RELAY}`)).toEqual({ host: '::1', port: 8787, secure: false, peerId: RELAY })
  })

  it('never accepts what net refuses, under seeded random mutations', () => {
    const rng = seededRandom(11)
    const pick = (n: number) => Math.floor(rng.next() * n)
    const alphabet = '/:.-0123456789abcdefwsptlnQ1 '
    let accepted = 0
    for (let i = 0; i < 3_000; i++) {
      let text = valid[pick(valid.length)]!
      for (let n = 1 + pick(3); n > 0; n--) {
        const at = pick(text.length + 1)
        const kind = pick(3)
        const char = alphabet[pick(alphabet.length)]!
        text = kind === 0 ? text.slice(0, at) + char + text.slice(at) : kind === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + char + text.slice(at + 1)
      }
      if (relayAddress(text) === undefined) continue
      accepted++
      expect(netKeeps(text), text).toBe(true)
      expect(() => multiaddr(text), text).not.toThrow()
    }
    // Some mutations stay valid (another port digit, another address byte): the check is not vacuous.
    expect(accepted).toBeGreaterThan(50)
  })
})
