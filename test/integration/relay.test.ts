/**
 * The relay with real libp2p peers on loopback (run inside a loopback-only network namespace): two
 * Node peers configured like browsers reserve slots on it, find each other's `/p2p-circuit/webrtc`
 * addresses, connect directly over WebRTC, gossip through the relay, and keep their connection when
 * the relay stops. The relay's HTTP side shares the port. Hostile clients (a flood of topic
 * subscriptions, WebSockets that never finish the libp2p handshake) do not lock honest peers out.
 */
import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { WebRTC } from '@multiformats/multiaddr-matcher'
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../../src/core/bytes'
import { INBOUND_UPGRADE_TIMEOUT_MS, MAX_UPGRADES_PER_CLIENT } from '../../src/relay/constants'
import type { Relay } from '../../src/relay/start-relay'
import { echo, handleEcho } from './support/echo'
import { createTestPeer, dialWebRTC, stopPeers, waitForWebRTCAddress, type TestPeer } from './support/peer'
import { makeRelayDir, startTestRelay, TEST_INDEX_HTML, type TestRelayDir } from './support/relay'
import { waitFor } from './support/wait'

const TOPIC = `sharecircle/${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`
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

/** A topic name of the form topics.ts gives (the prefix and a hex SHA-256), random. */
function randomTopic(): string {
  return `sharecircle/${toHex(crypto.getRandomValues(new Uint8Array(32)))}`
}

describe('relay topic table against peers subscribing to many topics', () => {
  const LIMITS = { maxTopics: 12, maxTopicsPerPeer: 4 }
  const FLOOD_TOPICS = 20
  let dir: TestRelayDir
  let relay: Relay
  let flooders: TestPeer[] = []
  let members: TestPeer[] = []
  const discovery = randomTopic()

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir, { topics: LIMITS })
    flooders = await Promise.all([createTestPeer(), createTestPeer()])
    members = await Promise.all([createTestPeer(), createTestPeer()])
    const relayAddress = multiaddr(relay.multiaddrs[0] as string)
    await Promise.all([...flooders, ...members].map((peer) => peer.dial(relayAddress, { signal: signal() })))
  })

  afterAll(async () => {
    await stopPeers(...flooders, ...members)
    await relay?.close()
    await dir?.remove()
  })

  it("mirrors no more than a peer's share, so a new circle's discovery topic is still joined", async () => {
    const mirror = relay.node.services.topicMirror
    for (const flooder of flooders) for (let i = 0; i < FLOOD_TOPICS; i++) flooder.services.pubsub.subscribe(randomTopic())
    await waitFor(() => mirror.topics.size >= flooders.length * LIMITS.maxTopicsPerPeer, { signal: signal() })
    for (const member of members) member.services.pubsub.subscribe(discovery)
    await waitFor(() => mirror.topics.has(discovery), { signal: signal() })
    expect(mirror.topics.size).toBe(flooders.length * LIMITS.maxTopicsPerPeer + 1)
  })

  it('leaves the topics of a flooding peer once it disconnects, and keeps the members\' topic', async () => {
    const mirror = relay.node.services.topicMirror
    await flooders[0]!.stop()
    await waitFor(() => mirror.topics.size === LIMITS.maxTopicsPerPeer + 1, { signal: signal() })
    expect(mirror.topics.has(discovery)).toBe(true)
  })
})

interface RawUpgrade {
  socket: Socket
  /** The HTTP status the relay answered the upgrade with. */
  status: number
  /** Whether the relay has sent a WebSocket close frame: it gave up on the connection. */
  closing(): boolean
}

/**
 * A WebSocket upgrade from `client`, as a reverse proxy on this machine passes it on (the client in
 * X-Forwarded-For), that, once accepted, never speaks libp2p.
 */
function rawUpgrade(port: number, client: string): Promise<RawUpgrade> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = Buffer.alloc(0)
    let answered = false
    let closeFrame = false
    socket.on('error', () => undefined)
    socket.once('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Forwarded-For: ${client}\r\n\r\n`,
      ),
    )
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (!answered) {
        const end = received.indexOf('\r\n\r\n')
        if (end < 0) return
        const line = /^HTTP\/1\.1 (\d{3})/.exec(received.toString('latin1'))
        answered = true
        received = received.subarray(end + 4)
        done({ socket, status: Number(line?.[1] ?? 0), closing: () => closeFrame })
      }
      // Server frames are unmasked: a header (2, 4 or 10 bytes) and the payload. Opcode 8 is close.
      while (received.length >= 2) {
        const short = received[1]! & 0x7f
        const header = short === 126 ? 4 : short === 127 ? 10 : 2
        if (received.length < header) return
        const length = short === 126 ? received.readUInt16BE(2) : short === 127 ? Number(received.readBigUInt64BE(2)) : short
        if (received.length < header + length) return
        if ((received[0]! & 0x0f) === 8) closeFrame = true
        received = received.subarray(header + length)
      }
    })
    socket.once('close', () => {
      closeFrame = true
      if (!answered) fail(new Error('closed before answering'))
    })
  })
}

describe('relay handshakes against idle WebSockets', () => {
  let dir: TestRelayDir
  let relay: Relay
  let peer: TestPeer
  const idle: RawUpgrade[] = []

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
    peer = await createTestPeer()
  })

  afterAll(async () => {
    for (const upgrade of idle) upgrade.socket.destroy()
    await stopPeers(peer)
    await relay?.close()
    await dir?.remove()
  })

  it('lets a peer in while idle WebSockets from other addresses hold handshakes open, and drops them soon', async () => {
    const port = Number(new URL(relay.url).port)
    const startedAt = performance.now()
    // More idle handshakes than libp2p's default of 10 pending, each address within its own limit.
    for (const address of ['198.51.100.2', '198.51.100.3']) {
      for (let i = 0; i < MAX_UPGRADES_PER_CLIENT; i++) idle.push(await rawUpgrade(port, address))
    }
    expect(idle.map((upgrade) => upgrade.status)).toEqual(idle.map(() => 101))
    // One more from a full address is refused before it reaches libp2p.
    const over = await rawUpgrade(port, '198.51.100.2')
    expect(over.status).toBe(429)
    over.socket.destroy()

    const connection = await peer.dial(multiaddr(relay.multiaddrs[0] as string), { signal: signal() })
    expect(connection.remotePeer.toString()).toBe(relay.peerId)

    // libp2p gives up on the idle handshakes after its (shortened) upgrade timeout, not libp2p's 10 s.
    const deadline = Math.round(INBOUND_UPGRADE_TIMEOUT_MS + 3_000 - (performance.now() - startedAt))
    await waitFor(() => idle.every((upgrade) => upgrade.closing()), { signal: AbortSignal.timeout(deadline) })
  })
})
