/**
 * Forwards WebSocket upgrades from the public HTTP server to the libp2p WebSockets listener on a
 * loopback port, byte for byte. @libp2p/websockets cannot attach to an existing `http.Server`, and
 * this keeps the app and the relay on one port (one address in invites, one TLS proxy rule).
 */
import type { IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'

export interface UpgradeProxy {
  /** An `upgrade` listener for `node:http` servers. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Where to forward from now on; until set, upgrades are answered 503. */
  setTarget(port: number): void
  /** Cuts every forwarded connection (the HTTP server no longer tracks upgraded sockets). */
  close(): void
}

const TARGET_HOST = '127.0.0.1'

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

/** The request line and headers as they came, to replay to the listener. */
export function requestHead(req: Pick<IncomingMessage, 'method' | 'url' | 'httpVersion' | 'rawHeaders'>): string {
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`
  return `${head}\r\n`
}

export function createUpgradeProxy(): UpgradeProxy {
  let target: number | undefined
  let closed = false
  const open = new Set<Duplex | Socket>()

  const track = (socket: Duplex | Socket): void => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
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
      const upstream = connect(target, TARGET_HOST)
      track(upstream)
      upstream.once('connect', () => {
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
    close() {
      closed = true
      for (const socket of open) socket.destroy()
      open.clear()
    },
  }
}
