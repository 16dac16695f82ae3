/**
 * A tiny length-prefixed echo protocol: the simplest stand-in for a sync protocol, to prove a
 * connection carries application streams both ways.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'

export const ECHO_PROTOCOL = '/sharecircle-test/echo/1.0.0'
const MAX_MESSAGE_BYTES = 64 * 1024

/** Echoes every length-prefixed message until the dialer closes its side. */
export async function handleEcho(peer: Libp2p): Promise<void> {
  await peer.handle(ECHO_PROTOCOL, async (stream: Stream) => {
    const framed = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
    try {
      for (;;) {
        const message = await framed.read().catch(() => undefined)
        if (message === undefined) break
        await framed.write(message.subarray())
      }
      await stream.close()
    } catch (error) {
      stream.abort(error as Error)
    }
  })
}

/** Sends `text` over a new echo stream on `connection` and returns the reply. */
export async function echo(connection: Connection, text: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const stream = await connection.newStream(ECHO_PROTOCOL, { signal: options.signal })
  const framed = lpStream(stream, { maxDataLength: MAX_MESSAGE_BYTES })
  await framed.write(new TextEncoder().encode(text), { signal: options.signal })
  const reply = await framed.read({ signal: options.signal })
  await stream.close({ signal: options.signal })
  return new TextDecoder().decode(reply.subarray())
}
