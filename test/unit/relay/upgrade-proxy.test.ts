/**
 * The upgrade proxy on real loopback sockets: an HTTP server hands it upgrades, as a reverse proxy on
 * the same machine would (clients named in X-Forwarded-For), and it forwards them to a TCP listener
 * that stands in for libp2p stuck mid-handshake (it takes the connection and never answers).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_INCOMING_PENDING_CONNECTIONS, MAX_UPGRADES_IN_FLIGHT, MAX_UPGRADES_PER_CLIENT } from '../../../src/relay/constants'
import { clientAddress, clientKey, createUpgradeProxy, requestHead, type UpgradeProxyInit } from '../../../src/relay/upgrade-proxy'

describe('requestHead', () => {
  it('replays the request line and raw headers in order, with their case', () => {
    expect(
      requestHead({
        method: 'GET',
        url: '/',
        httpVersion: '1.1',
        rawHeaders: ['Host', '127.0.0.1:8787', 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', 'abc=='],
      }),
    ).toBe('GET / HTTP/1.1\r\nHost: 127.0.0.1:8787\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc==\r\n\r\n')
  })
})

describe('clientAddress', () => {
  const req = (remoteAddress: string, forwarded?: string | string[]) =>
    ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as Pick<IncomingMessage, 'headers' | 'socket'>

  it("is the socket's peer, whatever a remote client claims", () => {
    expect(clientAddress(req('203.0.113.7'))).toBe('203.0.113.7')
    expect(clientAddress(req('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7')
  })

  it('behind a reverse proxy on this machine, is the address that proxy added last', () => {
    expect(clientAddress(req('127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1')
    expect(clientAddress(req('::1', 'forged, 10.0.0.1 ,198.51.100.1'))).toBe('198.51.100.1')
    expect(clientAddress(req('::ffff:127.0.0.1', '2001:db8::1'))).toBe('2001:db8:0:0::/64')
    expect(clientAddress(req('127.0.0.1', ['10.0.0.1', '198.51.100.2']))).toBe('198.51.100.2')
  })

  it('is nobody in particular behind a local proxy that names no client: only the overall limit applies', () => {
    expect(clientAddress(req('127.0.0.1'))).toBeUndefined()
    expect(clientAddress(req('127.0.0.1', 'unknown'))).toBeUndefined()
    expect(clientAddress(req('127.0.0.1', '198.51.100.1, '))).toBeUndefined()
  })

  it('counts an IPv6 client by its /64, and an IPv4-mapped one by its IPv4 address', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:0db8::')).toBe('2001:db8:0:0::/64')
    expect(clientKey('::1')).toBe('0:0:0:0::/64')
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7')
    expect(clientAddress(req('2001:db8:1:2:aaaa::1'))).toBe(clientAddress(req('2001:db8:1:2:ffff::9')))
  })
})

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)))
}

/**
 * A proxy in front of a listener that accepts and never answers; `held` counts what it holds, and
 * `ports` are the ports it was reached from (what libp2p sees as remote ports).
 */
async function stalledRelay(init: UpgradeProxyInit) {
  const upstream = new Set<Socket>()
  const ports: number[] = []
  const target = createServer((socket) => {
    upstream.add(socket)
    ports.push(socket.remotePort!)
    socket.on('error', () => undefined)
    // Like the WebSocket server it stands in for, it reads what comes and closes when the client has gone.
    socket.resume()
    socket.once('end', () => socket.end())
    socket.once('close', () => upstream.delete(socket))
  })
  const proxy = createUpgradeProxy(init)
  proxy.setTarget(await listen(target))
  const server = createHttpServer()
  server.on('upgrade', proxy.handle)
  const port = await listen(server)
  cleanups.push(async () => {
    proxy.close()
    await new Promise((done) => server.close(done))
    for (const socket of upstream) socket.destroy()
    await new Promise((done) => target.close(done))
  })
  return { port, held: () => upstream.size, proxy, ports }
}

/** What `upgrade` resolves with when the proxy passed the request on instead of answering it. */
const FORWARDED = 0

/** An upgrade request from `localAddress`: the status the proxy answered, or FORWARDED once the listener has it. */
function upgrade(
  relay: { port: number; held(): number },
  options: { localAddress?: string; forwardedFor?: string } = {},
): Promise<{ status: number; socket: Socket }> {
  return new Promise((done, fail) => {
    const before = relay.held()
    const socket = connect({ host: '127.0.0.1', port: relay.port, localAddress: options.localAddress ?? '127.0.0.1' })
    const poll = setInterval(() => {
      if (relay.held() > before) finish(FORWARDED)
    }, 5)
    const finish = (status: number): void => {
      clearInterval(poll)
      done({ status, socket })
    }
    cleanups.push(() => {
      clearInterval(poll)
      socket.destroy()
    })
    const forwarded = options.forwardedFor === undefined ? '' : `X-Forwarded-For: ${options.forwardedFor}\r\n`
    socket.on('error', fail)
    socket.once('connect', () => socket.write(`GET / HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${forwarded}\r\n`))
    let head = ''
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1')
      const line = /^HTTP\/1\.1 (\d{3})/.exec(head)
      if (line) finish(Number(line[1]))
    })
  })
}

describe('createUpgradeProxy limits upgrades in flight', () => {
  it('refuses a client over its limit with 429, not other clients; a closed upgrade frees its slot', async () => {
    const relay = await stalledRelay({ maxPerClient: 3, maxInFlight: 10 })
    const first = []
    for (let i = 0; i < 3; i++) first.push(await upgrade(relay, { forwardedFor: '198.51.100.2' }))
    expect(first.map((answer) => answer.status)).toEqual([FORWARDED, FORWARDED, FORWARDED])
    expect(relay.held()).toBe(3)

    const over = await upgrade(relay, { forwardedFor: '198.51.100.2' })
    expect(over.status).toBe(429)
    expect((await upgrade(relay, { forwardedFor: '198.51.100.3' })).status).toBe(FORWARDED)
    expect(relay.held()).toBe(4)

    first[0]!.socket.destroy()
    while (relay.held() > 3) await new Promise((done) => setTimeout(done, 5))
    expect((await upgrade(relay, { forwardedFor: '198.51.100.2' })).status).toBe(FORWARDED)
  })

  it('refuses anyone with 503 once the proxy-wide limit is reached', async () => {
    const relay = await stalledRelay({ maxPerClient: 2, maxInFlight: 3 })
    for (const forwardedFor of ['198.51.100.2', '198.51.100.2', '198.51.100.3']) expect((await upgrade(relay, { forwardedFor })).status).toBe(FORWARDED)
    expect((await upgrade(relay, { forwardedFor: '198.51.100.4' })).status).toBe(503)
    expect(relay.held()).toBe(3)
  })

  it('counts an upgrade only for its slot time: by then libp2p has finished or dropped the handshake', async () => {
    const relay = await stalledRelay({ maxPerClient: 2, maxInFlight: 10, slotMs: 300 })
    const client = { forwardedFor: '198.51.100.9' }
    for (let i = 0; i < 2; i++) expect((await upgrade(relay, client)).status).toBe(FORWARDED)
    expect((await upgrade(relay, client)).status).toBe(429)
    await new Promise((done) => setTimeout(done, 350))
    expect((await upgrade(relay, client)).status).toBe(FORWARDED)
    expect(relay.held()).toBe(3)
  })

  it('keeps one client to its open connections once their handshakes are done, other clients not', async () => {
    const relay = await stalledRelay({ maxPerClient: 2, maxInFlight: 10, slotMs: 50, maxOpenPerClient: 3 })
    const client = { forwardedFor: '198.51.100.7' }
    const held = []
    for (let i = 0; i < 3; i++) {
      held.push(await upgrade(relay, client))
      // Past the slot time: the handshake is over as far as the in-flight limit knows.
      await new Promise((done) => setTimeout(done, 60))
    }
    expect(held.map((answer) => answer.status)).toEqual([FORWARDED, FORWARDED, FORWARDED])
    expect((await upgrade(relay, client)).status).toBe(429)
    expect((await upgrade(relay, { forwardedFor: '198.51.100.8' })).status).toBe(FORWARDED)
    held[0]!.socket.destroy()
    while (relay.held() > 3) await new Promise((done) => setTimeout(done, 5))
    expect((await upgrade(relay, client)).status).toBe(FORWARDED)
  })

  it('names the client behind each forwarded connection by the port libp2p sees it from', async () => {
    const relay = await stalledRelay({})
    await upgrade(relay, { forwardedFor: '198.51.100.20' })
    await upgrade(relay, { forwardedFor: '2001:db8:1:2::7' })
    expect(relay.ports.map((seen) => relay.proxy.clientOfPort(seen))).toEqual(['198.51.100.20', '2001:db8:1:2::/64'])
    expect(relay.proxy.clientOfPort(1)).toBeUndefined()
  })

  it('tells clients behind a local reverse proxy apart by X-Forwarded-For', async () => {
    const relay = await stalledRelay({ maxPerClient: 1, maxInFlight: 10 })
    expect((await upgrade(relay, { forwardedFor: '198.51.100.1' })).status).toBe(FORWARDED)
    expect((await upgrade(relay, { forwardedFor: '198.51.100.1' })).status).toBe(429)
    expect((await upgrade(relay, { forwardedFor: '198.51.100.2' })).status).toBe(FORWARDED)
  })

  it('by default forwards no more upgrades at once than libp2p holds pending, a client a fraction of them', () => {
    expect(MAX_UPGRADES_IN_FLIGHT).toBeLessThanOrEqual(MAX_INCOMING_PENDING_CONNECTIONS)
    expect(MAX_UPGRADES_PER_CLIENT).toBeLessThan(MAX_UPGRADES_IN_FLIGHT)
  })

  it('by default lets one client hold MAX_UPGRADES_PER_CLIENT upgrades, and no more', async () => {
    const relay = await stalledRelay({})
    const client = { forwardedFor: '198.51.100.5' }
    for (let i = 0; i < MAX_UPGRADES_PER_CLIENT; i++) expect((await upgrade(relay, client)).status).toBe(FORWARDED)
    expect((await upgrade(relay, client)).status).toBe(429)
  })

  it('does not hold clients it cannot tell apart to one client’s limit (a local proxy without X-Forwarded-For)', async () => {
    const relay = await stalledRelay({ maxPerClient: 1, maxInFlight: 3 })
    for (let i = 0; i < 3; i++) expect((await upgrade(relay)).status).toBe(FORWARDED)
    expect((await upgrade(relay)).status).toBe(503)
  })
})
