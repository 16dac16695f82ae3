/**
 * The relay with real libp2p peers on loopback (run inside a loopback-only network namespace): two
 * Node peers configured like browsers reserve slots on it, find each other's `/p2p-circuit/webrtc`
 * addresses, connect directly over WebRTC, gossip through the relay, and keep their connection when
 * the relay stops. The relay's HTTP side shares the port.
 */
import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { WebRTC } from '@multiformats/multiaddr-matcher'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Relay } from '../../src/relay/start-relay'
import { echo, handleEcho } from './support/echo'
import { createTestPeer, dialWebRTC, stopPeers, waitForWebRTCAddress, type TestPeer } from './support/peer'
import { makeRelayDir, startTestRelay, TEST_INDEX_HTML, type TestRelayDir } from './support/relay'
import { waitFor } from './support/wait'

const TOPIC = `sharecircle/it-${Math.random().toString(16).slice(2)}`
const STEP_TIMEOUT_MS = 20_000

/** Measured, printed, never asserted: the report wants the numbers, the test wants no flakiness. */
const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await run()
  timings[name] = Math.round(performance.now() - started)
  return result
}

function signal(): AbortSignal {
  return AbortSignal.timeout(STEP_TIMEOUT_MS)
}

describe('relay with real peers', () => {
  let dir: TestRelayDir
  let relay: Relay
  let relayStopped = false
  let a: TestPeer
  let b: TestPeer
  let direct: Connection

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
    ;[a, b] = await Promise.all([createTestPeer(), createTestPeer()])
    await Promise.all([handleEcho(a), handleEcho(b)])
  })

  afterAll(async () => {
    await stopPeers(a, b)
    if (!relayStopped) await relay?.close()
    await dir?.remove()
    console.info('relay integration timings (ms):', timings)
  })

  it('announces the public port with its peer id', () => {
    const port = new URL(relay.url).port
    expect(relay.multiaddrs).toEqual([`/ip4/127.0.0.1/tcp/${port}/ws/p2p/${relay.peerId}`])
  })

  it('gives both peers a reservation and a /p2p-circuit/webrtc address', async () => {
    const relayAddress = multiaddr(relay.multiaddrs[0] as string)
    await timed('dial relay (both peers)', () => Promise.all([a.dial(relayAddress, { signal: signal() }), b.dial(relayAddress, { signal: signal() })]))
    const [aAddress, bAddress] = await timed('reservation → webrtc address', () =>
      Promise.all([waitForWebRTCAddress(a, { signal: signal() }), waitForWebRTCAddress(b, { signal: signal() })]),
    )
    for (const [address, peer] of [
      [aAddress, a],
      [bAddress, b],
    ] as const) {
      expect(address.toString()).toBe(`${relay.multiaddrs[0]}/p2p-circuit/webrtc/p2p/${peer.peerId}`)
    }
    expect(relay.node.services.relay.reservations.size).toBe(2)
  })

  it('carries gossip on a sharecircle/ topic between peers that only know the relay', async () => {
    expect(a.getConnections(b.peerId)).toEqual([])
    const received: Array<{ text: string; from: string }> = []
    b.services.pubsub.addEventListener('gossipsub:message', (event) => {
      const { msg, propagationSource } = event.detail
      if (msg.topic === TOPIC) received.push({ text: new TextDecoder().decode(msg.data), from: propagationSource.toString() })
    })
    a.services.pubsub.subscribe(TOPIC)
    b.services.pubsub.subscribe(TOPIC)
    await waitFor(() => relay.node.services.topicMirror.topics.has(TOPIC), { signal: signal() })

    // Meshes form on heartbeats: publish fresh messages until one arrives, instead of guessing a delay.
    let sent = 0
    const first = await timed('gossip A → relay → B', () =>
      waitFor(
        async () => {
          if (received.length > 0) return received[0]
          await a.services.pubsub.publish(TOPIC, new TextEncoder().encode(`hello ${sent++}`))
          return undefined
        },
        { signal: signal(), intervalMs: 100 },
      ),
    )
    expect(first.text).toMatch(/^hello \d+$/)
    expect(first.from).toBe(relay.peerId)
  })

  it('connects the peers directly over WebRTC, not through the relay', async () => {
    const bAddress = await waitForWebRTCAddress(b, { signal: signal() })
    const dialed = await timed('WebRTC dial A → B', () => dialWebRTC(a, bAddress, { signal: AbortSignal.timeout(3 * STEP_TIMEOUT_MS) }))
    timings['WebRTC dial attempts'] = dialed.attempts
    direct = dialed.connection
    expect(WebRTC.matches(direct.remoteAddr)).toBe(true)
    expect(direct.remoteAddr.toString()).toContain('/webrtc')
    expect(direct.limits).toBeUndefined()
    expect(direct.remotePeer.equals(b.peerId)).toBe(true)
  })

  it('runs a custom protocol over the WebRTC connection', async () => {
    expect(await timed('echo over WebRTC', () => echo(direct, 'borrow the ladder?', { signal: signal() }))).toBe('borrow the ladder?')
  })

  it('keeps the WebRTC connection when the relay stops', async () => {
    relayStopped = true
    await relay.close()
    await waitFor(() => a.getConnections().every((connection) => connection.remotePeer.toString() !== relay.peerId), { signal: signal() })
    expect(direct.status).toBe('open')
    expect(a.getConnections(b.peerId)).toContain(direct)
    expect(await echo(direct, 'still here', { signal: signal() })).toBe('still here')
  })
})

describe('relay HTTP and WebSocket on one port', () => {
  let dir: TestRelayDir
  let relay: Relay

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
  })

  afterAll(async () => {
    await relay?.close()
    await dir?.remove()
  })

  it('serves index.html over plain HTTP', async () => {
    const response = await fetch(relay.url, { signal: signal() })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(TEST_INDEX_HTML)
  })

  it('accepts a WebSocket upgrade on the same port, alongside HTTP', async () => {
    const url = relay.url.replace(/^http:/, 'ws:')
    const socket = new WebSocket(url)
    const outcome = await new Promise<string>((done) => {
      socket.addEventListener('open', () => done('open'), { once: true })
      socket.addEventListener('error', () => done('error'), { once: true })
    })
    expect(outcome).toBe('open')
    // While the socket is open, HTTP on the same port still answers.
    expect((await fetch(relay.url, { signal: signal() })).status).toBe(200)
    socket.close()
  })

  it('refuses an upgrade to anything but WebSocket', async () => {
    const { request } = await import('node:http')
    const port = Number(new URL(relay.url).port)
    const status = await new Promise<number>((done, fail) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { Connection: 'Upgrade', Upgrade: 'h2c' } })
      req.on('response', (res) => done(res.statusCode ?? 0))
      req.on('upgrade', () => done(101))
      req.on('error', fail)
      req.end()
    })
    expect(status).toBe(400)
  })

  it('keeps its peer id across restarts (same key file)', async () => {
    const before = relay.peerId
    await relay.close()
    relay = await startTestRelay(dir)
    expect(relay.peerId).toBe(before)
  })
})
