import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_CONTENT_SECURITY_POLICY,
  readContentSecurityPolicy,
  splitRequestPath,
  startStaticServer,
  type StaticServer,
} from '../../../src/relay/static-server'

const CSP = "default-src 'self'; script-src 'self'; object-src 'none'"
const INDEX = `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="${CSP}" />
<title>test app</title></head><body>app shell</body></html>`
const SECRET = 'the circle key is not here'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw request: fetch() and URL would normalise `..` away before it reached the server. */
function get(server: StaticServer, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', fail)
    })
    req.on('error', fail)
    req.end()
  })
}

let base: string
let dist: string
let server: StaticServer

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'sharecircle-relay-'))
  dist = join(base, 'dist')
  await mkdir(join(dist, 'assets'), { recursive: true })
  await mkdir(join(dist, 'docs'), { recursive: true })
  await mkdir(join(dist, '.vite'), { recursive: true })
  await writeFile(join(base, 'secret.txt'), SECRET)
  await writeFile(join(dist, 'index.html'), INDEX)
  await writeFile(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  await writeFile(join(dist, 'assets', 'index-B1a2_c3D.js'), 'export {}')
  await writeFile(join(dist, 'assets', 'index-Zz9y8X7w.css'), 'body{}')
  await writeFile(join(dist, 'manifest.webmanifest'), '{"name":"Sharecircle"}')
  await writeFile(join(dist, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  await writeFile(join(dist, 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  await writeFile(join(dist, 'photo.webp'), 'RIFF')
  await writeFile(join(dist, 'module.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]))
  await writeFile(join(dist, 'data.bin'), 'bytes')
  await writeFile(join(dist, 'docs', 'index.html'), '<p>docs</p>')
  await writeFile(join(dist, '.vite', 'manifest.json'), '{}')
  await symlink(join(base, 'secret.txt'), join(dist, 'escape.txt'))
  server = await startStaticServer({ host: '127.0.0.1', port: 0, dist })
})

afterAll(async () => {
  await server?.close()
  await rm(base, { recursive: true, force: true })
})

describe('startStaticServer', () => {
  it('listens on a free port and reports its URL', () => {
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`)
  })

  it.each([
    ['/', 'text/html; charset=utf-8'],
    ['/index.html', 'text/html; charset=utf-8'],
    ['/sw.js', 'text/javascript; charset=utf-8'],
    ['/assets/index-B1a2_c3D.js', 'text/javascript; charset=utf-8'],
    ['/assets/index-Zz9y8X7w.css', 'text/css; charset=utf-8'],
    ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['/icon.svg', 'image/svg+xml'],
    ['/icon-192.png', 'image/png'],
    ['/photo.webp', 'image/webp'],
    ['/module.wasm', 'application/wasm'],
    ['/data.bin', 'application/octet-stream'],
  ])('serves %s as %s', async (path, type) => {
    const reply = await get(server, path)
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe(type)
  })

  it('falls back to index.html for extensionless paths only', async () => {
    for (const path of ['/circle/abc', '/join', '/a/b/c?x=1']) {
      const reply = await get(server, path)
      expect(reply.status, path).toBe(200)
      expect(reply.body, path).toBe(INDEX)
      expect(reply.headers['cache-control'], path).toBe('no-cache')
    }
    for (const path of ['/missing.png', '/assets/gone-12345678.js']) {
      const reply = await get(server, path)
      expect(reply.status, path).toBe(404)
      expect(reply.body, path).not.toContain('app shell')
    }
  })

  it('serves a folder through its index.html', async () => {
    expect((await get(server, '/docs/')).body).toBe('<p>docs</p>')
  })

  it.each([
    '/../secret.txt',
    '/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2e%2e%5csecret.txt',
    '/.%2e/secret.txt',
    '/assets/../../secret.txt',
    '/%00/secret.txt',
    '/%E0%A4%A/x',
    '/.vite/manifest.json',
    '/escape.txt',
  ])('refuses %s', async (path) => {
    const reply = await get(server, path)
    expect([400, 404]).toContain(reply.status)
    expect(reply.body).not.toContain(SECRET)
  })

  it('sends the security headers on every response', async () => {
    for (const path of ['/', '/assets/index-B1a2_c3D.js', '/missing.png', '/%2e%2e/secret.txt']) {
      const reply = await get(server, path)
      expect(reply.headers['content-security-policy'], path).toBe(`${CSP}; frame-ancestors 'none'`)
      expect(reply.headers['x-content-type-options'], path).toBe('nosniff')
      expect(reply.headers['referrer-policy'], path).toBe('no-referrer')
    }
  })

  it('never lets the page or the service worker be cached stale, and keeps hashed assets', async () => {
    expect((await get(server, '/')).headers['cache-control']).toBe('no-cache')
    expect((await get(server, '/index.html')).headers['cache-control']).toBe('no-cache')
    expect((await get(server, '/sw.js')).headers['cache-control']).toBe('no-cache')
    expect((await get(server, '/icon.svg')).headers['cache-control']).toBe('no-cache')
    expect((await get(server, '/assets/index-B1a2_c3D.js')).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    )
  })

  it('answers HEAD without a body and a known ETag with 304', async () => {
    const head = await get(server, '/icon.svg', 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(head.headers['content-length']).toBe(String('<svg xmlns="http://www.w3.org/2000/svg"/>'.length))
    const etag = head.headers.etag as string
    const again = await get(server, '/icon.svg', 'GET', { 'If-None-Match': etag })
    expect(again.status).toBe(304)
    expect(again.body).toBe('')
  })

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('refuses %s', async (method) => {
    const reply = await get(server, '/', method)
    expect(reply.status).toBe(405)
    expect(reply.headers.allow).toBe('GET, HEAD')
  })

  it('fails with DistNotFoundError without a built app', async () => {
    await expect(startStaticServer({ host: '127.0.0.1', port: 0, dist: join(base, 'nope') })).rejects.toMatchObject({
      name: 'DistNotFoundError',
    })
  })

  it('fails with ListenError on a taken port', async () => {
    await expect(startStaticServer({ host: '127.0.0.1', port: server.port, dist })).rejects.toMatchObject({
      name: 'ListenError',
    })
  })

  it('closes on abort', async () => {
    const controller = new AbortController()
    const other = await startStaticServer({ host: '127.0.0.1', port: 0, dist, signal: controller.signal })
    expect((await get(other, '/')).status).toBe(200)
    controller.abort()
    await other.close()
    await expect(get(other, '/')).rejects.toThrow()
  })
})

describe('readContentSecurityPolicy', () => {
  it('finds the meta policy whatever the attribute order and quotes', () => {
    expect(readContentSecurityPolicy(`<meta content='a; b' http-equiv="content-security-policy">`)).toBe('a; b')
    expect(readContentSecurityPolicy('<meta name="x" content="y">')).toBeUndefined()
  })

  it('keeps the default in step with the index.html of the repo', async () => {
    const html = await readFile(new URL('../../../index.html', import.meta.url), 'utf8')
    expect(readContentSecurityPolicy(html)).toBe(DEFAULT_CONTENT_SECURITY_POLICY)
  })
})

describe('splitRequestPath', () => {
  it('decodes segments and drops empty ones', () => {
    expect(splitRequestPath('/a%20b//c?d=e#f')).toEqual(['a b', 'c'])
    expect(splitRequestPath('/')).toEqual([])
  })

  it('refuses anything that is not an absolute path', () => {
    expect(splitRequestPath('http://evil/x')).toBeUndefined()
    expect(splitRequestPath('*')).toBeUndefined()
  })
})
