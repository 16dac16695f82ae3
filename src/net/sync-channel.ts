/**
 * A sync session carried by a libp2p stream: length-prefixed frames, one message handled at a time
 * (so a slow ingest is natural back-pressure on the sender), sends that wait for `drain` when the
 * stream's buffer is full, and live pushes from outside the conversation. The session decides
 * everything; this file only moves bytes.
 */
import type { AbortOptions, Stream } from '@libp2p/interface'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as encoding from 'lib0/encoding'
import { CLOSE_TIMEOUT_MS } from './constants'
import { ERROR_CODES, MESSAGE_LIMITS, SEND_WINDOW, encodeMessage, readMessage, type SyncMessage } from './sync-messages'
import type { Gap } from '../core/feed'
import { timeoutSignal } from './sleep'
import type { SessionStep, SyncSession } from './sync-session'

export type ChannelEnd = NonNullable<SessionStep['closed']> | 'too-large' | 'stream-ended' | 'aborted'

/**
 * What a peer that keeps the send window can have in flight: SEND_WINDOW entries messages, and room
 * for as much again in everything else (a `heads` of many feeds is large).
 */
const RECEIVE_BACKLOG_BYTES = (SEND_WINDOW + 2) * MESSAGE_LIMITS.bytes

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

  /** Asks the peer for entries that entries waiting here need (`want`). */
  async ask(gaps: readonly Gap[]): Promise<void> {
    if (this.#session) await this.#send(this.#session.ask(gaps))
  }

  /** Tells the peer what this side has stored since it last said (`have`), if anything. */
  async announce(): Promise<void> {
    if (this.#session) await this.#send(this.#session.announce())
  }

  async #run(sessionFor: (hello: SyncMessage) => SyncSession | undefined, options: AbortOptions): Promise<ChannelEnd> {
    const stream = this.#stream
    // Bytes that arrived and wait to be handled. The stream hands over whatever arrives (WebRTC has
    // no read backpressure), so a peer that ignores the send window is cut off here.
    let backlog = 0
    let flooded = false
    const onMessage = (event: { data: { byteLength: number } }) => {
      backlog += event.data.byteLength
      if (backlog > RECEIVE_BACKLOG_BYTES && !flooded) {
        flooded = true
        stream.abort(new Error('The peer sent more than the send window allows'))
      }
    }
    try {
      if (this.#session) await this.#send(this.#session.start(), options)
      const decoder = new LengthPrefixedDecoder({ maxDataLength: MESSAGE_LIMITS.bytes })
      // Only now, with nothing awaited before the loop takes the stream: a listener alone would
      // take what arrives before the loop does, and it would be lost.
      stream.addEventListener('message', onMessage)
      for await (const chunk of stream) {
        this.traffic.received += chunk.byteLength
        backlog -= chunk.byteLength
        for (const frame of decoder.decode(chunk)) {
          const message = readMessage(frame.subarray())
          if (!message.ok) return await this.#end(message.reason === 'too-large' ? 'too-large' : 'malformed', ERROR_CODES.malformed)
          this.#session ??= sessionFor(message.value)
          if (!this.#session) return await this.#end('unknown-topic', ERROR_CODES.unknownTopic)
          const step = await this.#session.receive(message.value)
          if (step.closed) {
            // Written, not awaited: the close below waits (CLOSE_TIMEOUT_MS at most) for it to leave.
            this.#send(step.send).catch(() => undefined)
            await this.#close(step.closed, options)
            return step.closed
          }
          await this.#send(step.send, options)
        }
      }
      // The peer closed its side; close ours, or its close() would wait for us forever.
      await this.#close('stream-ended', options)
      return 'stream-ended'
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)))
      if (flooded) return 'misbehaving'
      // The length-prefixed decoder refuses a frame over the limit by throwing.
      return error instanceof Error && /too long|too large|max/i.test(error.message) ? 'too-large' : 'aborted'
    } finally {
      stream.removeEventListener('message', onMessage)
    }
  }

  async #end(reason: ChannelEnd, code: number): Promise<ChannelEnd> {
    this.#send([{ type: 'error', code, text: reason }]).catch(() => undefined)
    await this.#close(reason)
    return reason
  }

  /** Closes our side; a peer that stops reading cannot hold the close (and so the hang-up) forever. */
  async #close(reason: string, options: AbortOptions = {}): Promise<void> {
    const signal = timeoutSignal(CLOSE_TIMEOUT_MS, options.signal)
    await this.#stream.close({ signal }).catch(() => this.#stream.abort(new Error(reason)))
  }

  /**
   * Paces the messages (the session's send window) and writes what may go, all in this call, so
   * that frames leave in the order the session released them, whoever asks to send; then waits for
   * the stream to drain if it is full. The window is what bounds the write buffer: the stream's own
   * drain signal cannot be relied on to wait twice.
   */
  async #send(messages: SyncMessage[], options: AbortOptions = {}): Promise<void> {
    const out = this.#session ? this.#session.pace(messages) : messages
    let full = false
    for (const message of out) {
      const body = encodeMessage(message)
      const frame = encoding.createEncoder()
      encoding.writeVarUint8Array(frame, body)
      const bytes = encoding.toUint8Array(frame)
      this.traffic.sent += bytes.length
      if (!this.#stream.send(bytes)) full = true
    }
    if (full) await this.#stream.onDrain(options)
  }
}
