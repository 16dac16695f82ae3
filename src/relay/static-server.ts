/**
 * Serves the built PWA over HTTP: the relay's first job, and what the e2e tests and the bench start.
 * The relay passes an `upgrade` listener so WebSockets for libp2p share the port (start-relay.ts).
 */
import { createReadStream, type Stats } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { join, resolve, sep } from 'node:path'
import { CLOSE_GRACE_MS, IMMUTABLE_CACHE_CONTROL, REVALIDATE_CACHE_CONTROL } from './constants'
import { DistNotFoundError, ListenError } from './errors'
import { mimeTypeOf } from './mime-types'

export interface StaticServerInit {
  host: string
  /** 0 picks a free port; read the chosen one from the result. */
  port: number
  /** Folder with the built app; must contain `index.html`. */
  dist: string
  /** Aborting closes the server, as `close()` does. */
  signal?: AbortSignal
  /** Handles HTTP upgrade requests (WebSockets); without it they are refused. */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  /** What `RELAY_INFO_PATH` answers; without it (or while it returns undefined) that path is a 404. */
  relayInfo?: () => RelayInfo | undefined
}

/**
 * Where the app asks which relay served it, so invites carry that relay's addresses. Only a relay
 * answers: the app served by anything else (the vite dev server) learns there is no relay.
 */
export const RELAY_INFO_PATH = '/.well-known/sharecircle-relay.json'

/** The body of `RELAY_INFO_PATH`. */
export interface RelayInfo {
  peerId: string
  /** Dialable addresses, each ending in `/p2p/<peerId>`. */
  multiaddrs: string[]
}

export interface StaticServer {
  /** Where a browser should go, e.g. `http://127.0.0.1:8787/`. */
  url: string
  host: string
  port: number
  /** Stops accepting connections, lets in-flight responses finish briefly, then resolves. */
  close(): Promise<void>
}

export interface StaticHandlerInit {
  /** Absolute, symlink-free path of the folder to serve. */
  root: string
  /** Content-Security-Policy sent with every response. */
  contentSecurityPolicy: string
  relayInfo?: () => RelayInfo | undefined
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * The policy in index.html's meta tag, used when a build has none. The header repeats the meta so
 * that the service worker script and every other response are covered too, not only the page.
 */
export const DEFAULT_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self' ws: wss:; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

/** A meta tag cannot forbid framing; only a header can, and nothing should frame a wallet of keys. */
const HEADER_ONLY_DIRECTIVES = "frame-ancestors 'none'"

const HASHED_ASSET = /-[A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$/

/** The `content` of `<meta http-equiv="Content-Security-Policy">` in an HTML document, if any. */
export function readContentSecurityPolicy(html: string): string | undefined {
  for (const [tag] of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attributes = new Map<string, string>()
    for (const match of tag.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes.set((match[1] as string).toLowerCase(), decodeEntities(match[2] ?? match[3] ?? ''))
    }
    if (attributes.get('http-equiv')?.toLowerCase() === 'content-security-policy') return attributes.get('content')
  }
  return undefined
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&apos;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
}

/** Headers sent with every response, errors included. */
export function securityHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    'Content-Security-Policy': `${contentSecurityPolicy.replace(/;\s*$/, '')}; ${HEADER_ONLY_DIRECTIVES}`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  }
}

/**
 * The decoded path segments of a request target, or `undefined` when it must not be served: any
 * segment that decodes to a dot name (`..`, dotfiles), or hides a separator or NUL. Checking decoded
 * segments, rather than the joined path, is what stops `%2e%2e%2f` and `..%5c` tricks.
 */
export function splitRequestPath(target: string): string[] | undefined {
  const path = target.split(/[?#]/, 1)[0] as string
  if (!path.startsWith('/')) return undefined
  const segments: string[] = []
  for (const raw of path.split('/')) {
    if (raw === '') continue
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return undefined
    }
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return undefined
    segments.push(segment)
  }
  return segments
}

/** Cache policy by served path: only content-hashed build assets may be kept without asking. */
export function cacheControlFor(segments: readonly string[]): string {
  const name = segments.at(-1) ?? ''
  if (segments.length === 2 && segments[0] === 'assets' && HASHED_ASSET.test(name)) return IMMUTABLE_CACHE_CONTROL
  return REVALIDATE_CACHE_CONTROL
}

interface FoundFile {
  path: string
  stats: Stats
  /** Segments relative to the root, after `index.html` was added for a folder. */
  segments: string[]
}

async function findFile(root: string, segments: string[]): Promise<FoundFile | undefined> {
  let found = [...segments]
  let stats = await stat(join(root, ...found)).catch(() => undefined)
  if (stats?.isDirectory()) {
    found = [...found, 'index.html']
    stats = await stat(join(root, ...found)).catch(() => undefined)
  }
  if (!stats?.isFile()) return undefined
  // A symlink in dist must not become a way out of it.
  const real = await realpath(join(root, ...found)).catch(() => undefined)
  if (real === undefined || !real.startsWith(root + sep)) return undefined
  return { path: real, stats, segments: found }
}

function isExtensionless(segments: readonly string[]): boolean {
  const last = segments.at(-1)
  return last === undefined || !last.includes('.')
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  const body = Buffer.from(`${text}\n`)
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

function sendJson(res: ServerResponse, value: unknown, headers: Record<string, string>): void {
  const body = Buffer.from(`${JSON.stringify(value)}\n`)
  res.writeHead(200, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    // The relay's addresses change with its port or key: always ask again.
    'Cache-Control': REVALIDATE_CACHE_CONTROL,
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: FoundFile, base: Record<string, string>): void {
  const etag = `W/"${file.stats.size.toString(16)}-${Math.floor(file.stats.mtimeMs).toString(16)}"`
  const headers = {
    ...base,
    'Content-Type': mimeTypeOf(file.path),
    'Cache-Control': cacheControlFor(file.segments),
    ETag: etag,
    'Last-Modified': file.stats.mtime.toUTCString(),
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(file.stats.size) })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file.path)
  stream.on('error', (error) => res.destroy(error))
  stream.pipe(res)
}

/** A request handler serving `root`; mount it on any `node:http` server. */
export function createStaticHandler(init: StaticHandlerInit): StaticHandler {
  const base = securityHeaders(init.contentSecurityPolicy)
  const respond = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed', { ...base, Allow: 'GET, HEAD' })
      return
    }
    // Checked before the path rules below, which refuse every dot segment such as `.well-known`.
    if ((req.url ?? '/').split(/[?#]/, 1)[0] === RELAY_INFO_PATH) {
      const info = init.relayInfo?.()
      if (info === undefined) sendText(res, 404, 'Not found', base)
      else sendJson(res, { peerId: info.peerId, multiaddrs: info.multiaddrs }, base)
      return
    }
    const segments = splitRequestPath(req.url ?? '/')
    if (segments === undefined) {
      sendText(res, 400, 'Bad request', base)
      return
    }
    const found = await findFile(init.root, segments)
    if (found !== undefined) {
      sendFile(req, res, found, base)
      return
    }
    // Client-side routes (`/circle/abc`) have no extension; a missing `/x.png` is a real 404.
    const fallback = isExtensionless(segments) ? await findFile(init.root, ['index.html']) : undefined
    if (fallback !== undefined) sendFile(req, res, fallback, base)
    else sendText(res, 404, 'Not found', base)
  }
  return (req, res) => {
    respond(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal server error', base)
      else res.destroy()
    })
  }
}

function formatUrl(host: string, port: number): string {
  // A wildcard address is where the server listens, not somewhere a browser can go.
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`
}

/** Starts an HTTP server for the built app in `dist`. */
export async function startStaticServer(init: StaticServerInit): Promise<StaticServer> {
  init.signal?.throwIfAborted()
  const root = await realpath(resolve(init.dist)).catch(() => undefined)
  const indexHtml = root === undefined ? undefined : await readFile(join(root, 'index.html'), 'utf8').catch(() => undefined)
  if (root === undefined || indexHtml === undefined) {
    throw new DistNotFoundError(`No built app in ${resolve(init.dist)} (index.html missing): run \`vite build\` first`)
  }
  const contentSecurityPolicy = readContentSecurityPolicy(indexHtml) ?? DEFAULT_CONTENT_SECURITY_POLICY
  const server = createServer(createStaticHandler({ root, contentSecurityPolicy, relayInfo: init.relayInfo }))
  if (init.upgrade !== undefined) server.on('upgrade', init.upgrade)

  await new Promise<void>((done, fail) => {
    const onError = (error: Error): void => {
      fail(new ListenError(`Could not listen on ${init.host}:${init.port}: ${error.message}`, { cause: error }))
    }
    server.once('error', onError)
    server.listen(init.port, init.host, () => {
      server.off('error', onError)
      done()
    })
  })

  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : init.port
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((done) => {
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
      force.unref()
      server.close(() => {
        clearTimeout(force)
        done()
      })
      server.closeIdleConnections()
    })
    return closing
  }
  init.signal?.addEventListener('abort', () => void close(), { once: true })
  return { url: formatUrl(init.host, port), host: init.host, port, close }
}
