/**
 * The blob protocol over a real libp2p stream: two Node libp2p nodes connected over loopback
 * WebSockets (noise, yamux). The server side is either the real `serveBlobStream` with a lookup
 * played by a function, or a rogue handler writing whatever bytes a test wants.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import * as encoding from 'lib0/encoding'
import { afterEach, describe, expect, it } from 'vitest'
import { loopbackNode } from '../../support/loopback-node'
import { equalBytes } from '../../../src/core/bytes'
import { seededRandom } from '../../../src/core/random'
import { BLOB_LIMITS, BLOB_PROTOCOL, BLOB_STATUS, type BlobRequest, type BlobResponse } from '../../../src/net/blob-messages'
import { requestBlob, serveBlobStream } from '../../../src/net/blob-protocol'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function node(): Promise<Libp2p> {
  return loopbackNode(cleanups)
}

/** A client connected to a server that handles the blob protocol with `handler`. */
async function pair(handler?: (stream: Stream, connection: Connection) => void | Promise<void>): Promise<{ client: Libp2p; server: Libp2p; connection: Connection }> {
  const [client, server] = [await node(), await node()]
  if (handler) await server.handle(BLOB_PROTOCOL, handler)
  const connection = await client.dial(server.getMultiaddrs()[0]!)
  return { client, server, connection }
}

const rng = seededRandom(41)
const REQUEST: BlobRequest = { topic: rng(32), hash: rng(32) }

function rawAnswer(status: number, declared?: number, blob: Uint8Array = new Uint8Array()): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, status)
  if (declared !== undefined) encoding.writeVarUint(encoder, declared)
  encoding.writeUint8Array(encoder, blob)
  return encoding.toUint8Array(encoder)
}

/** A rogue server: reads the request, writes `bytes` and closes (or stays silent when there are none). */
function rogue(bytes: Uint8Array | undefined) {
  return async (stream: Stream) => {
    for await (const _ of stream) {
      // The request; its content does not matter here.
    }
    if (!bytes) return
    stream.send(bytes)
    await stream.close().catch(() => undefined)
  }
}

describe('blob protocol over a libp2p stream', () => {
  it('brings a blob the server may give, intact; the lookup sees the asking peer', async () => {
    const sealed = rng(1_500_000)
    const asked: Array<{ peer: string; request: BlobRequest }> = []
    const { client, connection } = await pair((stream, connection) =>
      serveBlobStream(stream, connection, async (peer, request) => {
        asked.push({ peer, request })
        return { status: 'ok', sealed }
      }),
    )
    const answer = await requestBlob(connection, REQUEST)
    expect(answer.ok && equalBytes(answer.sealed, sealed)).toBe(true)
    expect(asked).toEqual([{ peer: client.peerId.toString(), request: REQUEST }])
  })

  it('maps not-found and forbidden to their names', async () => {
    for (const response of [{ status: 'not-found' }, { status: 'forbidden' }] as BlobResponse[]) {
      const { connection } = await pair((stream, connection) => serveBlobStream(stream, connection, async () => response))
      expect(await requestBlob(connection, REQUEST)).toEqual({ ok: false, reason: response.status })
    }
  })

  it('a lookup that fails answers not-found', async () => {
    const { connection } = await pair((stream, connection) =>
      serveBlobStream(stream, connection, async () => {
        throw new Error('disk gone')
      }),
    )
    expect(await requestBlob(connection, REQUEST)).toEqual({ ok: false, reason: 'not-found' })
  })

  it('answers a request that is not 64 bytes with bad-request, without a lookup', async () => {
    let lookups = 0
    const { connection } = await pair((stream, connection) =>
      serveBlobStream(stream, connection, async () => {
        lookups++
        return { status: 'not-found' }
      }),
    )
    for (const request of [rng(10), rng(65), rng(5_000)]) {
      const stream = await connection.newStream(BLOB_PROTOCOL)
      stream.send(request)
      const closing = stream.close().catch(() => undefined)
      const parts: number[] = []
      for await (const chunk of stream) parts.push(...(chunk instanceof Uint8Array ? chunk : chunk.subarray()))
      await closing
      expect(parts).toEqual([BLOB_STATUS.badRequest])
    }
    expect(lookups).toBe(0)
  })

  it('refuses an answer whose declared length is over the limit: too-large', async () => {
    const { connection } = await pair(rogue(rawAnswer(BLOB_STATUS.ok, BLOB_LIMITS.bytes + 1, rng(1_000))))
    expect(await requestBlob(connection, REQUEST)).toEqual({ ok: false, reason: 'too-large' })
  })

  it('refuses an answer that runs on past the limit, whatever it declared: too-large', async () => {
    const { connection } = await pair(rogue(rawAnswer(BLOB_STATUS.ok, 100, new Uint8Array(BLOB_LIMITS.responseBytes + 10))))
    expect(await requestBlob(connection, REQUEST)).toEqual({ ok: false, reason: 'too-large' })
  })

  it('names garbled answers malformed', async () => {
    // The control: the rogue's bytes do arrive.
    const control = await pair(rogue(rawAnswer(BLOB_STATUS.forbidden)))
    expect(await requestBlob(control.connection, REQUEST)).toEqual({ ok: false, reason: 'forbidden' })
    const answers = [rawAnswer(BLOB_STATUS.ok, 100, rng(50)), rawAnswer(9), rawAnswer(BLOB_STATUS.notFound, 3), rawAnswer(BLOB_STATUS.badRequest), rawAnswer(BLOB_STATUS.ok, 0)]
    for (const bytes of answers) {
      const { connection } = await pair(rogue(bytes))
      expect(await requestBlob(connection, REQUEST)).toEqual({ ok: false, reason: 'malformed' })
    }
  })

  it('refuses a length of endless continuation bytes at once, not at the timeout: too-large', async () => {
    // 00 80 80 80 …, a chunk at a time and never closed: once a length must have ended, it is refused.
    const { connection } = await pair(async (stream) => {
      for await (const _ of stream) {
        // The request; its content does not matter here.
      }
      stream.send(new Uint8Array([BLOB_STATUS.ok]))
      for (let i = 0; i < 1_000 && stream.status === 'open'; i++) {
        if (!stream.send(new Uint8Array(16).fill(0x80))) await stream.onDrain().catch(() => undefined)
        await new Promise((done) => setTimeout(done, 1))
      }
    })
    const started = performance.now()
    expect(await requestBlob(connection, REQUEST, { timeoutMs: 5_000 })).toEqual({ ok: false, reason: 'too-large' })
    expect(performance.now() - started).toBeLessThan(2_500)
  })

  it('gives up on a silent server: timeout', async () => {
    const { connection } = await pair(rogue(undefined))
    expect(await requestBlob(connection, REQUEST, { timeoutMs: 300 })).toEqual({ ok: false, reason: 'timeout' })
  })

  it('a peer that does not speak the protocol is unreachable', async () => {
    const { connection } = await pair()
    expect(await requestBlob(connection, REQUEST)).toEqual({ ok: false, reason: 'unreachable' })
  })

  it("the caller's abort is thrown, not named as the peer's failure", async () => {
    const { connection } = await pair(rogue(undefined))
    const controller = new AbortController()
    const asking = requestBlob(connection, REQUEST, { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('closed the page')), 50)
    await expect(asking).rejects.toThrow('closed the page')
  })
})
