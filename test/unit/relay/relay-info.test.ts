import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRelay, type Relay } from '../../../src/relay/start-relay'
import { RELAY_INFO_PATH, startStaticServer, type RelayInfo } from '../../../src/relay/static-server'

let dir: string
let dist: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sharecircle-relay-info-'))
  dist = join(dir, 'dist')
  await mkdir(dist)
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>app</title>')
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the relay info endpoint', () => {
  it('answers with the info it is given, as JSON that is never cached', async () => {
    let info: RelayInfo | undefined
    const server = await startStaticServer({ host: '127.0.0.1', port: 0, dist, relayInfo: () => info })
    try {
      const url = new URL(RELAY_INFO_PATH, server.url)
      // Not known yet (the node is still starting): a plain 404, never the app shell.
      expect((await fetch(url)).status).toBe(404)
      info = { peerId: '12D3KooWtest', multiaddrs: ['/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWtest'] }
      const reply = await fetch(`${url.href}?fresh=1`)
      expect(reply.status).toBe(200)
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
      expect(reply.headers.get('cache-control')).toBe('no-cache')
      expect(reply.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
      expect(await reply.json()).toEqual(info)
      // Other dot paths stay refused.
      expect((await fetch(new URL('/.well-known/other.json', server.url))).status).toBe(400)
    } finally {
      await server.close()
    }
  })

  it('is absent from a plain static server', async () => {
    const server = await startStaticServer({ host: '127.0.0.1', port: 0, dist })
    try {
      expect((await fetch(new URL(RELAY_INFO_PATH, server.url))).status).toBe(404)
    } finally {
      await server.close()
    }
  })

  it('names the running relay: its peer id and the addresses to put in invites', async () => {
    let relay: Relay | undefined
    try {
      relay = await startRelay({ host: '127.0.0.1', port: 0, dist, keyFile: join(dir, 'relay.key') })
      const body = (await (await fetch(new URL(RELAY_INFO_PATH, relay.url))).json()) as RelayInfo
      expect(body).toEqual({ peerId: relay.peerId, multiaddrs: relay.multiaddrs })
      expect(body.multiaddrs.length).toBeGreaterThan(0)
      for (const address of body.multiaddrs) expect(address).toMatch(new RegExp(`/ws/p2p/${relay.peerId}$`))
    } finally {
      await relay?.close()
    }
  })
})
