/**
 * Forwards WebSocket upgrades from the public HTTP server to the libp2p WebSockets listener on a
 * loopback port, byte for byte. @libp2p/websockets cannot attach to an existing `http.Server`, and
 * this keeps the app and the relay on one port (one address in invites, one TLS proxy rule).
 *
 * Forwarded, every peer reaches libp2p from 127.0.0.1, so libp2p cannot tell clients apart: the
 * proxy, which still sees their addresses, keeps any one client to a few upgrades in flight and a
 * few dozen connections open.
 */
import type { IncomingMessage } from 'node:http'
import { connect, isIP, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { MAX_OPEN_PER_CLIENT, MAX_UPGRADES_IN_FLIGHT, MAX_UPGRADES_PER_CLIENT, UPGRADE_SLOT_MS } from './constants'

export interface UpgradeProxyInit {
  /** Upgrades in flight from one client address at once; more are answered 429. */
  maxPerClient?: number
  /** Upgrades in flight at once over all clients; more are answered 503. */
  maxInFlight?: number
  /** An upgrade counts as in flight until its socket closes or this long has passed. */
  slotMs?: number
  /** Forwarded connections one client address keeps open at once; more are answered 429. */
  maxOpenPerClient?: number
}

export interface UpgradeProxy {
  /** An `upgrade` listener for `node:http` servers. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Where to forward from now on; until set, upgrades are answered 503. */
  setTarget(port: number): void
  /** The client address of the forwarded connection whose loopback end has this port (what libp2p sees as the remote port). */
  clientOfPort(port: number): string | undefined
  /** Cuts every forwarded connection (the HTTP server no longer tracks upgraded sockets). */
  close(): void
}

const TARGET_HOST = '127.0.0.1'

function refuse(socket: Duplex, status: string, retryAfterSeconds?: number): void {
  const retry = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${retry}Content-Length: 0\r\n\r\n`)
}

/** The request line and headers as they came, to replay to the listener. */
export function requestHead(req: Pick<IncomingMessage, 'method' | 'url' | 'httpVersion' | 'rawHeaders'>): string {
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`
  return `${head}\r\n`
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

/**
 * The client an upgrade counts against, or undefined when it cannot be told. Usually the socket's
 * peer; when that is on this machine it is a reverse proxy (README: Caddy or nginx in front for TLS),
 * and the client is the last X-Forwarded-For entry, the one that proxy added (earlier entries come
 * from the client and prove nothing; the README says how to make nginx add one). Without the header
 * the clients cannot be told apart, and only the overall limit applies: one shared limit would turn
 * away most members when they all redial a restarted relay. IPv6 clients count by their /64, which
 * one household or host gets whole.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>): string | undefined {
  const direct = req.socket.remoteAddress
  if (direct === undefined) return undefined
  if (!isLoopbackAddress(direct)) return clientKey(direct)
  const header = req.headers['x-forwarded-for']
  const forwarded = (Array.isArray(header) ? header.join(',') : header)?.split(',').at(-1)?.trim()
  return forwarded !== undefined && isIP(forwarded) !== 0 ? clientKey(forwarded) : undefined
}

/** An IPv4 address as it is; an IPv6 one as its /64 (an IPv4-mapped one as the IPv4 address). */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]!
  if (isIP(address) !== 6) return address
  const [head = '', tail] = address.toLowerCase().split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

export function createUpgradeProxy(init: UpgradeProxyInit = {}): UpgradeProxy {
  const maxPerClient = init.maxPerClient ?? MAX_UPGRADES_PER_CLIENT
  const maxInFlight = init.maxInFlight ?? MAX_UPGRADES_IN_FLIGHT
  const slotMs = init.slotMs ?? UPGRADE_SLOT_MS
  const maxOpenPerClient = init.maxOpenPerClient ?? MAX_OPEN_PER_CLIENT
  const retryAfterSeconds = Math.ceil(slotMs / 1_000)
  let target: number | undefined
  let closed = false
  const open = new Set<Duplex | Socket>()
  const inFlight = new Map<string, number>()
  let inFlightTotal = 0
  /** Forwarded connections open per client, until their socket closes. */
  const openPerClient = new Map<string, number>()
  /** The client behind each forwarded connection, by the local port of its loopback end. */
  const clientByPort = new Map<number, string>()

  const holdOpen = (client: string, socket: Duplex): void => {
    openPerClient.set(client, (openPerClient.get(client) ?? 0) + 1)
    socket.once('close', () => {
      const left = (openPerClient.get(client) ?? 1) - 1
      if (left > 0) openPerClient.set(client, left)
      else openPerClient.delete(client)
    })
  }

  const track = (socket: Duplex | Socket): void => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
  }

  // libp2p holds a pending slot until the handshake ends, at most its upgrade timeout; the proxy only
  // sees bytes, so it holds the client's slot until the socket closes or that time has surely passed.
  const holdSlot = (client: string | undefined, socket: Duplex): void => {
    if (client !== undefined) inFlight.set(client, (inFlight.get(client) ?? 0) + 1)
    inFlightTotal++
    const release = (): void => {
      clearTimeout(timer)
      socket.off('close', release)
      inFlightTotal--
      if (client === undefined) return
      const left = (inFlight.get(client) ?? 1) - 1
      if (left > 0) inFlight.set(client, left)
      else inFlight.delete(client)
    }
    const timer = setTimeout(release, slotMs)
    timer.unref?.()
    socket.once('close', release)
  }

  return {
    handle(req, socket, head) {
      track(socket)
      socket.on('error', () => socket.destroy())
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
        refuse(socket, '400 Bad Request')
        return
      }
      if (closed || target === undefined) {
        refuse(socket, '503 Service Unavailable')
        return
      }
      const client = clientAddress(req)
      if (client !== undefined && ((inFlight.get(client) ?? 0) >= maxPerClient || (openPerClient.get(client) ?? 0) >= maxOpenPerClient)) {
        refuse(socket, '429 Too Many Requests', retryAfterSeconds)
        return
      }
      if (inFlightTotal >= maxInFlight) {
        refuse(socket, '503 Service Unavailable', retryAfterSeconds)
        return
      }
      holdSlot(client, socket)
      if (client !== undefined) holdOpen(client, socket)
      const upstream = connect(target, TARGET_HOST)
      track(upstream)
      upstream.once('connect', () => {
        const port = upstream.localPort
        if (client !== undefined && port !== undefined) {
          clientByPort.set(port, client)
          upstream.once('close', () => clientByPort.delete(port))
        }
        upstream.write(requestHead(req))
        if (head.length > 0) upstream.write(head)
        upstream.pipe(socket).pipe(upstream)
      })
      upstream.on('error', () => socket.destroy())
      socket.once('close', () => upstream.destroy())
      upstream.once('close', () => socket.destroy())
    },
    setTarget(port) {
      target = port
    },
    clientOfPort(port) {
      return clientByPort.get(port)
    },
    close() {
      closed = true
      for (const socket of open) socket.destroy()
      open.clear()
    },
  }
}
