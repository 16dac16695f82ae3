/**
 * Recorders for what a relay running in the test process sees, for privacy tests. They change
 * nothing about the relay's behaviour: they wrap instance methods (and, for sockets, two prototype
 * methods of `net.Socket` while installed) and copy the bytes passing through.
 *
 * Levels:
 * - `gossip`: every gossipsub RPC the relay receives (`handleReceivedRpc`) and sends (`sendRpc`,
 *   `sendRpcInBatch`, after piggybacking), re-encoded as protobuf, plus every message it delivers
 *   (`gossipsub:message`), forwards (`forwardMessage`) or publishes, by topic.
 * - `connection`: per relay connection, the bytes between noise and yamux (decrypted, yamux frames),
 *   both ways: everything the relay's libp2p node reads or writes on that connection, including the
 *   bytes of relayed circuits (which are the inner connection's own noise ciphertext).
 * - `stream`: per muxed stream of a relay connection, its payload bytes both ways, labelled with the
 *   negotiated protocol (identify, meshsub, circuit relay hop/stop, ping…).
 * - `socket`: raw TCP bytes of every socket accepted on the relay's public HTTP/WebSocket port, both
 *   ways, and the unmasked payloads of the WebSocket frames on them (what noise sees).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { RPC } from '@libp2p/gossipsub/message'
import { Socket } from 'node:net'

export type Level = 'gossip' | 'connection' | 'stream' | 'socket' | 'websocket'

export interface Recording {
  level: Level
  label: string
  bytes: Uint8Array
}

export interface GossipRecord {
  direction: 'received' | 'delivered' | 'forwarded' | 'sent' | 'published'
  topic: string
  data: Uint8Array
}

type Chunk = Uint8Array | { subarray(): Uint8Array; byteLength: number }

function copy(data: Chunk): Uint8Array {
  return data instanceof Uint8Array ? data.slice() : data.subarray().slice()
}

function join(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}

/** Byte streams keyed by a label computed when read (a stream's protocol is known only later). */
export class Recorder {
  readonly #streams: Array<{ level: Level; label: () => string; chunks: Uint8Array[] }> = []
  readonly gossip: GossipRecord[] = []

  channel(level: Level, label: string | (() => string)): (data: Chunk) => void {
    const entry = { level, label: typeof label === 'string' ? () => label : label, chunks: [] as Uint8Array[] }
    this.#streams.push(entry)
    return (data) => {
      if (data.byteLength > 0) entry.chunks.push(copy(data))
    }
  }

  recordings(level?: Level): Recording[] {
    return this.#streams
      .filter((entry) => level === undefined || entry.level === level)
      .map((entry) => ({ level: entry.level, label: entry.label(), bytes: join(entry.chunks) }))
  }

  bytes(level: Level): number {
    return this.recordings(level).reduce((sum, recording) => sum + recording.bytes.byteLength, 0)
  }
}

type AnyFn = (...args: any[]) => any

/** Replaces `target[name]` with a wrapper that calls `before` with the arguments and `after` with the result. */
function wrap(target: any, name: string, hooks: { before?: (...args: any[]) => void; after?: (result: any, ...args: any[]) => void }): void {
  const original = target[name] as AnyFn | undefined
  if (typeof original !== 'function') throw new Error(`cannot tap: no method ${name}`)
  target[name] = function (this: unknown, ...args: any[]) {
    try {
      hooks.before?.(...args)
    } catch {
      // A recorder must never break the relay.
    }
    const result = original.apply(this, args)
    if (hooks.after) {
      const record = (value: unknown) => {
        try {
          hooks.after!(value, ...args)
        } catch {
          // idem
        }
        return value
      }
      if (result instanceof Promise) return result.then(record)
      record(result)
    }
    return result
  }
}

interface RpcLike {
  subscriptions?: Array<{ topic?: string }>
  messages?: Array<{ topic: string; data?: Uint8Array }>
}

function tapGossip(pubsub: any, recorder: Recorder): void {
  const rpcIn = recorder.channel('gossip', 'rpc received')
  const rpcOut = recorder.channel('gossip', 'rpc sent')
  const note = (direction: GossipRecord['direction'], topic: string, data: Uint8Array | undefined) => {
    recorder.gossip.push({ direction, topic, data: data?.slice() ?? new Uint8Array() })
  }
  const messagesOf = (rpc: RpcLike, direction: GossipRecord['direction']) => {
    for (const message of rpc.messages ?? []) note(direction, message.topic, message.data)
  }
  wrap(pubsub, 'handleReceivedRpc', {
    before: (_from, rpc: RpcLike) => {
      rpcIn(RPC.encode(rpc as RPC))
      messagesOf(rpc, 'received')
    },
  })
  // After the call: sendRpc piggybacks control and gossip onto the RPC object before encoding it.
  wrap(pubsub, 'sendRpc', {
    after: (_result, _id, rpc: RpcLike) => {
      rpcOut(RPC.encode(rpc as RPC))
      messagesOf(rpc, 'sent')
    },
  })
  wrap(pubsub, 'sendRpcInBatch', {
    after: (_result, _tosend, rpc: RpcLike) => {
      rpcOut(RPC.encode(rpc as RPC))
      messagesOf(rpc, 'sent')
    },
  })
  wrap(pubsub, 'forwardMessage', {
    before: (_id, rawMsg: { topic: string; data?: Uint8Array }) => note('forwarded', rawMsg.topic, rawMsg.data),
  })
  wrap(pubsub, 'publish', { before: (topic: string, data: Uint8Array) => note('published', topic, data) })
  pubsub.addEventListener('gossipsub:message', (event: CustomEvent<{ msg: { topic: string; data: Uint8Array } }>) => {
    note('delivered', event.detail.msg.topic, event.detail.msg.data)
  })
}

function tapStream(stream: any, connection: Connection, direction: string, recorder: Recorder, tapped: WeakSet<object>): void {
  if (tapped.has(stream)) return
  tapped.add(stream)
  const label = (way: string) => () => `${connection.remotePeer.toString()} ${direction} #${stream.id} ${stream.protocol || '(unnegotiated)'} ${way}`
  const inbound = recorder.channel('stream', label('in'))
  const outbound = recorder.channel('stream', label('out'))
  wrap(stream, 'onData', { before: (data: Chunk) => inbound(data) })
  wrap(stream, 'sendData', { before: (data: Chunk) => outbound(data) })
}

function tapConnection(connection: Connection, recorder: Recorder, tapped: WeakSet<object>): void {
  const muxer = (connection as unknown as { muxer?: any }).muxer
  if (muxer === undefined || tapped.has(muxer)) return
  tapped.add(muxer)
  const label = `${connection.remotePeer.toString()} ${connection.direction} ${connection.remoteAddr.toString()}`
  const inbound = recorder.channel('connection', `${label} in`)
  const outbound = recorder.channel('connection', `${label} out`)
  wrap(muxer, 'onData', { before: (data: Chunk) => inbound(data) })
  wrap(muxer, 'send', { before: (data: Chunk) => outbound(data) })
  for (const stream of muxer.streams ?? []) tapStream(stream, connection, 'early', recorder, tapped)
  muxer.addEventListener('stream', (event: CustomEvent) => tapStream(event.detail, connection, 'inbound', recorder, tapped))
  wrap(muxer, 'createStream', { after: (stream) => stream && tapStream(stream, connection, 'outbound', recorder, tapped) })
}

/** Taps the relay's libp2p node: gossipsub, and every connection (and its streams) from now on. */
export function tapRelayNode(node: Libp2p<{ pubsub: unknown }>, recorder: Recorder): void {
  const tapped = new WeakSet<object>()
  tapGossip(node.services.pubsub, recorder)
  for (const connection of node.getConnections()) tapConnection(connection, recorder, tapped)
  node.addEventListener('connection:open', (event) => tapConnection(event.detail, recorder, tapped))
}

/**
 * Unmasks the WebSocket frames of one direction of a socket, skipping an HTTP head at the start
 * (request or 101 response). Payloads go to `sink`; fragments and control frames included.
 */
function webSocketPayloads(sink: (data: Uint8Array) => void): (data: Uint8Array) => void {
  let buffer: Uint8Array = new Uint8Array()
  let inHead = true
  return (data) => {
    buffer = join([buffer, data])
    if (inHead) {
      const text = Buffer.from(buffer.subarray(0, Math.min(buffer.length, 5))).toString('latin1')
      if (/^(HTTP\/|GET )/.test(text) || (buffer.length < 5 && /^[A-Z]/.test(text))) {
        const end = Buffer.from(buffer).indexOf('\r\n\r\n')
        if (end < 0) return
        buffer = buffer.subarray(end + 4)
      }
      inHead = false
    }
    for (;;) {
      if (buffer.length < 2) return
      const masked = (buffer[1]! & 0x80) !== 0
      let length = buffer[1]! & 0x7f
      let at = 2
      if (length === 126) {
        if (buffer.length < 4) return
        length = (buffer[2]! << 8) | buffer[3]!
        at = 4
      } else if (length === 127) {
        if (buffer.length < 10) return
        length = Number(new DataView(buffer.buffer, buffer.byteOffset + 2, 8).getBigUint64(0))
        at = 10
      }
      const mask = masked ? buffer.subarray(at, at + 4) : undefined
      if (masked) at += 4
      if (buffer.length < at + length) return
      const payload = buffer.slice(at, at + length)
      if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!
      sink(payload)
      buffer = buffer.subarray(at + length)
    }
  }
}

/**
 * Records the raw bytes of every socket in this process whose local port is `port` (the sockets the
 * relay's HTTP server accepts), and the unmasked WebSocket payloads on them. Returns the uninstaller.
 */
export function tapSocketsOnPort(port: number, recorder: Recorder): () => void {
  const proto = Socket.prototype as any
  const originalEmit = proto.emit
  const originalWrite = proto.write
  const ownEmit = Object.hasOwn(proto, 'emit')
  const ownWrite = Object.hasOwn(proto, 'write')
  const taps = new WeakMap<object, { read: (data: Uint8Array) => void; written: (data: Uint8Array) => void }>()
  let count = 0
  const tapOf = (socket: Socket) => {
    if (socket.localPort !== port) return undefined
    let tap = taps.get(socket)
    if (!tap) {
      const label = `#${++count} ${socket.remoteAddress}:${socket.remotePort} → :${port}`
      const rawIn = recorder.channel('socket', `${label} read`)
      const rawOut = recorder.channel('socket', `${label} written`)
      const wsIn = webSocketPayloads(recorder.channel('websocket', `${label} read`))
      const wsOut = webSocketPayloads(recorder.channel('websocket', `${label} written`))
      tap = {
        read: (data) => (rawIn(data), wsIn(data)),
        written: (data) => (rawOut(data), wsOut(data)),
      }
      taps.set(socket, tap)
    }
    return tap
  }
  const bytesOf = (chunk: unknown, encoding?: unknown): Uint8Array | undefined => {
    if (chunk instanceof Uint8Array) return chunk
    if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    return undefined
  }
  proto.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
    if (event === 'data') {
      try {
        const bytes = bytesOf(args[0])
        if (bytes) tapOf(this)?.read(bytes)
      } catch {
        // never break the socket
      }
    }
    return originalEmit.call(this, event, ...args)
  }
  proto.write = function (this: Socket, chunk: unknown, encoding?: unknown, ...rest: unknown[]) {
    try {
      const bytes = bytesOf(chunk, encoding)
      if (bytes) tapOf(this)?.written(bytes)
    } catch {
      // idem
    }
    return originalWrite.call(this, chunk, encoding, ...rest)
  }
  return () => {
    if (ownEmit) proto.emit = originalEmit
    else delete proto.emit
    if (ownWrite) proto.write = originalWrite
    else delete proto.write
  }
}

/** Where `needle` first occurs in `haystack`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength))
}
