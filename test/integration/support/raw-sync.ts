/**
 * A sync stream driven by hand, for a hostile peer: it opens the sync protocol (SYNC_PROTOCOL) on a real
 * connection, proves the circle key with a real SyncSession (so it passes the proof like any member),
 * and from then on sends whatever messages the test crafts, recording every message the other side
 * sends. Framing is the protocol's own (length-prefixed encodeMessage), as SyncChannel writes it.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as encoding from 'lib0/encoding'
import { MESSAGE_LIMITS, SYNC_PROTOCOL, encodeMessage, readMessage, type SyncMessage } from '../../../src/net/sync-messages'
import type { SyncSession } from '../../../src/net/sync-session'
import { waitFor } from './wait'

export class RawSyncStream {
  /** Everything the other side sent, in order. */
  readonly received: SyncMessage[] = []
  /** True once the other side closed or reset the stream. */
  ended = false
  readonly #stream: Stream

  private constructor(stream: Stream) {
    this.#stream = stream
    void this.#read()
  }

  /** Opens the stream and runs the key proof with `session` (an initiator); resolves once syncing. */
  static async open(connection: Connection, session: SyncSession, options: { signal?: AbortSignal } = {}): Promise<RawSyncStream> {
    const stream = await connection.newStream(SYNC_PROTOCOL, { signal: options.signal })
    const raw = new RawSyncStream(stream)
    await raw.send(...session.start())
    let handled = 0
    while (session.state !== 'syncing') {
      const message = await waitFor(() => raw.received[handled] ?? (raw.ended ? new Error('stream ended during the proof') : undefined), options)
      if (message instanceof Error) throw message
      handled++
      const step = await session.receive(message)
      await raw.send(...step.send)
      if (step.closed) throw new Error(`the session closed during the proof: ${step.closed}`)
    }
    return raw
  }

  async send(...messages: SyncMessage[]): Promise<void> {
    for (const message of messages) {
      const frame = encoding.createEncoder()
      encoding.writeVarUint8Array(frame, encodeMessage(message))
      if (!this.#stream.send(encoding.toUint8Array(frame))) await this.#stream.onDrain()
    }
  }

  async sendEntries(entries: Uint8Array[]): Promise<void> {
    await this.send({ type: 'entries', entries })
  }

  get status(): string {
    return this.#stream.status
  }

  abort(): void {
    this.#stream.abort(new Error('test over'))
  }

  async #read(): Promise<void> {
    const decoder = new LengthPrefixedDecoder({ maxDataLength: MESSAGE_LIMITS.bytes })
    try {
      for await (const chunk of this.#stream) {
        for (const frame of decoder.decode(chunk)) {
          const message = readMessage(frame.subarray())
          if (message.ok) this.received.push(message.value)
        }
      }
    } catch {
      // Reset by the other side or by a hang-up: `ended` says so.
    } finally {
      this.ended = true
    }
  }
}
