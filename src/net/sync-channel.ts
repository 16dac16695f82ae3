/**
 * A sync session carried by a libp2p stream: length-prefixed frames, one message handled at a time
 * (so a slow ingest is natural back-pressure on the sender), sends that wait for `drain` when the
 * stream's buffer is full, and live pushes from outside the conversation. The session decides
 * everything; this file only moves bytes.
 */
import type { AbortOptions, Stream } from '@libp2p/interface'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as encoding from 'lib0/encoding'
import { ERROR_CODES, MESSAGE_LIMITS, encodeMessage, readMessage, type SyncMessage } from './sync-messages'
import type { SessionStep, SyncSession } from './sync-session'

export type ChannelEnd = NonNullable<SessionStep['closed']> | 'too-large' | 'stream-ended' | 'aborted'

export class SyncChannel {
  /** Settles when the conversation is over, with why. */
  readonly done: Promise<ChannelEnd>
  /** Bytes moved on the stream, frames included: what the wire carried. */
  readonly traffic = { sent: 0, received: 0 }
  #session: SyncSession | undefined
  readonly #stream: Stream

  private constructor(stream: Stream, session: SyncSession | ((hello: SyncMessage) => SyncSession | undefined), options: AbortOptions) {
    this.#stream = stream
    this.#session = typeof session === 'function' ? undefined : session
    this.done = this.#run(typeof session === 'function' ? session : () => undefined, options)
  }

  /** The side that opened the stream: speaks first. */
  static open(stream: Stream, session: SyncSession, options: AbortOptions = {}): SyncChannel {
    return new SyncChannel(stream, session, options)
  }

  /** The side that accepted it: the first message (hello) names the circle, `sessionFor` picks it. */
  static accept(stream: Stream, sessionFor: (hello: SyncMessage) => SyncSession | undefined, options: AbortOptions = {}): SyncChannel {
    return new SyncChannel(stream, sessionFor, options)
  }

  get session(): SyncSession | undefined {
    return this.#session
  }

  /** Sends new entries to a peer already in sync; nothing before then (its catch-up covers them). */
  async push(entries: Uint8Array[]): Promise<void> {
    if (this.#session) await this.#send(this.#session.push(entries))
  }

  /** Tells the peer what this side has stored since it last said (`have`), if anything. */
  async announce(): Promise<void> {
    if (this.#session) await this.#send(this.#session.announce())
  }

  async #run(sessionFor: (hello: SyncMessage) => SyncSession | undefined, options: AbortOptions): Promise<ChannelEnd> {
    const stream = this.#stream
    try {
      if (this.#session) await this.#send(this.#session.start(), options)
      const decoder = new LengthPrefixedDecoder({ maxDataLength: MESSAGE_LIMITS.bytes })
      for await (const chunk of stream) {
        this.traffic.received += chunk.byteLength
        for (const frame of decoder.decode(chunk)) {
          const message = readMessage(frame.subarray())
          if (!message.ok) return await this.#end(message.reason === 'too-large' ? 'too-large' : 'malformed', ERROR_CODES.malformed)
          this.#session ??= sessionFor(message.value)
          if (!this.#session) return await this.#end('unknown-topic', ERROR_CODES.unknownTopic)
          const step = await this.#session.receive(message.value)
          await this.#send(step.send, options)
          if (step.closed) {
            await stream.close(options).catch(() => stream.abort(new Error(step.closed)))
            return step.closed
          }
        }
      }
      // The peer closed its side; close ours, or its close() would wait for us forever.
      await stream.close(options).catch(() => stream.abort(new Error('stream-ended')))
      return 'stream-ended'
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)))
      // The length-prefixed decoder refuses a frame over the limit by throwing.
      return error instanceof Error && /too long|too large|max/i.test(error.message) ? 'too-large' : 'aborted'
    }
  }

  async #end(reason: ChannelEnd, code: number): Promise<ChannelEnd> {
    await this.#send([{ type: 'error', code, text: reason }]).catch(() => undefined)
    await this.#stream.close().catch(() => this.#stream.abort(new Error(reason)))
    return reason
  }

  async #send(messages: SyncMessage[], options: AbortOptions = {}): Promise<void> {
    for (const message of messages) {
      const body = encodeMessage(message)
      const frame = encoding.createEncoder()
      encoding.writeVarUint8Array(frame, body)
      const bytes = encoding.toUint8Array(frame)
      this.traffic.sent += bytes.length
      if (!this.#stream.send(bytes)) await this.#stream.onDrain(options)
    }
  }
}
