/**
 * A hostile member over the real network (loopback-only namespace): H holds the circle key, so it
 * passes the sync proof, then sends A crafted entries over a hand-driven sync stream. A is a real
 * member (real CircleNetwork, real replica; its ingest reports are recorded by the churn helper's
 * wrapper, which is how rejection reasons are read). Every bad entry is rejected with its named
 * reason, duplicates do not count as strikes, reordered valid entries are buffered then applied,
 * A's sync with the honest B goes on, and A hangs up on H once the strikes run out.
 * Waits poll; nothing sleeps a fixed time and no timing is asserted.
 */
import type { Connection } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { circleTopic } from '../../src/core/circle-secrets'
import { tweetnaclEd25519 } from '../../src/core/ed25519'
import { MAX_ENTRY_BYTES, decodeEntry, signEntry } from '../../src/core/entry'
import { sealPayload } from '../../src/core/payload'
import { seededRandom } from '../../src/core/random'
import type { Device } from '../../src/circle/device'
import type { CircleReplica } from '../../src/circle/replica'
import { createMemberNode, type MemberNode } from '../../src/net/member-node'
import { ERROR_CODES } from '../../src/net/sync-messages'
import { SyncSession } from '../../src/net/sync-session'
import { SYNC_STRIKES } from '../../src/net/constants'
import type { Relay } from '../../src/relay/start-relay'
import { newTestDevice } from '../support/circle-fixtures'
import { randomOfferDraft } from '../support/drafts'
import { rejectedByReason, startChurnMember, type ChurnMember, type Storage } from './support/churn'
import { LOOPBACK_RTC_CONFIGURATION, dialWebRTC, loopbackOnlyGater, webRTCAddressOf } from './support/peer'
import { RawSyncStream } from './support/raw-sync'
import { makeRelayDir, startTestRelay, type TestRelayDir } from './support/relay'
import { waitFor } from './support/wait'

function signal(ms = 25_000): AbortSignal {
  return AbortSignal.timeout(ms)
}

function titles(replica: CircleReplica): string[] {
  return replica.view().offers.map((offer) => offer.title)
}

describe('a hostile member who holds the circle key', () => {
  const rng = seededRandom(666)
  let dir: TestRelayDir
  let relay: Relay
  let a: ChurnMember
  let b: ChurnMember
  let h: { device: Device; storage: Storage; replica: CircleReplica; node: MemberNode }
  let raw: RawSyncStream
  /** H's direct connection to A, the one its sync stream runs on. */
  let direct: Connection
  /** H's valid entries, oldest first. */
  let valid: Uint8Array[]

  /** Non-duplicate rejections at A since report index `since`. */
  function strikesAtA(since: number): number {
    let count = 0
    for (const [reason, n] of rejectedByReason(a, since)) if (!['duplicate', 'buffer-full', 'fork', 'frozen'].includes(reason)) count += n
    return count
  }

  /** A's open direct (unlimited) connections to H; the circuit through the relay used for signalling is not one. */
  function hToA() {
    return a.node.getConnections(h.node.peerId).filter((connection) => connection.status === 'open' && connection.limits === undefined)
  }

  function hPeerAtA() {
    return a.status()!.peers.find((peer) => peer.peer === h.node.peerId.toString())
  }

  /** Sends one crafted entry and resolves with the reason A rejected it for. */
  async function rejectionOf(entry: Uint8Array): Promise<string> {
    const since = a.reports.length
    await raw.sendEntries([entry])
    return waitFor(
      () => {
        const reasons = [...rejectedByReason(a, since).keys()].filter((reason) => reason !== 'duplicate')
        return reasons.length > 0 ? reasons.join(',') : undefined
      },
      { signal: signal() },
    )
  }

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
    a = await startChurnMember({ name: 'Ana', seed: 901, relays: relay.multiaddrs })
    b = await startChurnMember({ name: 'Ben', seed: 902, circle: a.circle, relays: relay.multiaddrs })
    await a.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ana’s drill' })
    await b.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ben’s ladder' })

    // H: a real device in the circle, and a real member node, but no CircleNetwork of its own.
    const hostile = await newTestDevice('Hal', 903)
    await hostile.device.joinCircle(a.circle)
    const replica = await hostile.device.openCircle(a.circle.id)
    for (let i = 0; i < 3; i++) await replica.addOffer({ ...randomOfferDraft(rng), title: `Hal’s offer ${i}` })
    const node = await createMemberNode({ allowLocal: true, connectionGater: loopbackOnlyGater, rtcConfiguration: LOOPBACK_RTC_CONFIGURATION })
    h = { device: hostile.device, storage: hostile.storage, replica, node }
    valid = (await hostile.storage.entries.getAll(replica.topicHex)).sort((x, y) => x.seq - y.seq).map((record) => record.bytes)
  })

  afterAll(async () => {
    raw?.abort()
    await h?.node.stop()
    await h?.device.close()
    for (const member of [a, b]) await member?.stop().catch(() => undefined)
    await relay?.close()
    await dir?.remove()
  })

  it('passes the key proof over a direct connection to A, while A and B sync', async () => {
    await waitFor(() => a.status()?.memberPeers === 1 && titles(a.replica).includes('Ben’s ladder') && titles(b.replica).includes('Ana’s drill'), { signal: signal() })
    const address = await waitFor(() => webRTCAddressOf(a.node), { signal: signal() })
    const { connection } = await dialWebRTC(h.node, address, { signal: signal() })
    direct = connection
    expect(connection.limits).toBeUndefined()
    const session = new SyncSession({
      replica: h.replica,
      circleKey: a.circle.key,
      localPeer: h.node.peerId.toMultihash().bytes,
      remotePeer: connection.remotePeer.toMultihash().bytes,
      random: seededRandom(904),
      initiator: true,
    })
    raw = await RawSyncStream.open(connection, session, { signal: signal() })
    await waitFor(() => a.status()!.memberPeers === 2 && hPeerAtA() !== undefined, { signal: signal() })
    // A sends its heads once H's proof checks out, which is when A counts H: they arrive just after.
    await waitFor(() => raw.received.some((message) => message.type === 'heads'), { signal: signal() })
  })

  it('buffers valid entries sent newest first, one message each, then applies them', async () => {
    expect(valid.length).toBeGreaterThanOrEqual(4)
    const since = a.reports.length
    for (const entry of [...valid].reverse()) await raw.sendEntries([entry])
    await waitFor(() => [0, 1, 2].every((i) => titles(a.replica).includes(`Hal’s offer ${i}`)), { signal: signal() })
    const reports = a.reports.slice(since)
    expect(reports.reduce((sum, report) => sum + report.buffered, 0)).toBeGreaterThanOrEqual(valid.length - 1)
    expect(strikesAtA(since)).toBe(0)
  })

  it('counts replays of valid entries as harmless duplicates, however many', async () => {
    const since = a.reports.length
    const replays = Array.from({ length: 10 }, () => valid).flat()
    expect(replays.length).toBeGreaterThan(SYNC_STRIKES)
    for (let at = 0; at < replays.length; at += 8) await raw.sendEntries(replays.slice(at, at + 8))
    await waitFor(() => (rejectedByReason(a, since).get('duplicate') ?? 0) >= replays.length, { signal: signal() })
    expect(strikesAtA(since)).toBe(0)
    // More duplicates than strikes, and H is still in session with A.
    expect(hToA()).toHaveLength(1)
    expect(raw.ended).toBe(false)
    // The status catches up on its own tick; wait for it rather than read it once.
    await waitFor(() => (hPeerAtA()?.rejected ?? 0) >= replays.length, { signal: signal() })
  })

  it('rejects each crafted entry at A with its named reason', async () => {
    const hostileSecret = (await h.storage.records.getDevice())!.deviceSecret
    const last = decodeEntry(valid.at(-1)!)
    if (!last.ok) throw new Error('H’s own entry did not decode')

    const forged = valid.at(-1)!.slice()
    forged.set(rng(64), forged.length - 64)
    expect(await rejectionOf(forged)).toBe('bad-signature')

    expect(await rejectionOf(rng(MAX_ENTRY_BYTES + 1))).toBe('too-large')
    expect(await rejectionOf(rng(200))).toBe('malformed')
    expect(await rejectionOf(valid.at(-1)!.slice(0, Math.floor(valid.at(-1)!.length / 2)))).toBe('malformed')

    // Validly signed by H, for another circle's topic.
    const other = { id: rng(16), key: rng(32) }
    const elsewhere = await signEntry(tweetnaclEd25519, hostileSecret, { ...last.value, topic: circleTopic(other) })
    expect(await rejectionOf(elsewhere.bytes)).toBe('unknown-topic')

    // The next entry of H's own feed, validly signed and chained, whose Yjs update is garbage.
    const nonce = rng(24)
    const garbage = await signEntry(tweetnaclEd25519, hostileSecret, {
      topic: h.replica.topic,
      feed: hostileSecret.slice(32),
      seq: last.value.seq + 1,
      prev: last.value.hash,
      timestamp: last.value.timestamp + 1,
      nonce,
      ciphertext: sealPayload(a.circle.key, nonce, { type: 'update', update: rng(40) }),
    })
    expect(await rejectionOf(garbage.bytes)).toBe('bad-update')

    // Six strikes, below the limit: H is still connected, and nothing of it reached A's catalogue.
    expect(hToA()).toHaveLength(1)
    expect(raw.ended).toBe(false)
    expect(titles(a.replica).filter((title) => title.startsWith('Hal’s'))).toHaveLength(3)
  })

  it('keeps A and B syncing while H misbehaves', async () => {
    await b.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ben’s wheelbarrow' })
    await waitFor(() => titles(a.replica).includes('Ben’s wheelbarrow'), { signal: signal() })
    expect(a.directTo(b).length).toBeGreaterThan(0)
  })

  it('hangs up on H once its non-harmless rejections reach the strike limit, and only then', async () => {
    const since = a.reports.length
    // Strikes so far: the six above. Up to one short of the limit: still connected.
    const garbage = Array.from({ length: SYNC_STRIKES - 6 - 1 }, () => rng(64))
    await raw.sendEntries(garbage)
    await waitFor(() => strikesAtA(since) >= garbage.length, { signal: signal() })
    expect(hToA()).toHaveLength(1)
    expect(raw.ended).toBe(false)
    // The last strike.
    await raw.sendEntries([rng(64)])
    await waitFor(
      () => hToA().length === 0 && h.node.getConnections(a.node.peerId).every((connection) => connection.status !== 'open' || connection.limits !== undefined),
      { signal: signal() },
    )
    expect(direct.status).not.toBe('open')
    await waitFor(() => raw.ended, { signal: signal() })
    expect(raw.received.some((message) => message.type === 'error' && message.code === ERROR_CODES.misbehaving)).toBe(true)
    expect(a.status()!.peers.map((peer) => peer.peer)).not.toContain(h.node.peerId.toString())
  })

  it('still syncs A and B after H is gone', async () => {
    await a.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ana’s tent' })
    await b.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ben’s kayak' })
    await waitFor(() => titles(b.replica).includes('Ana’s tent') && titles(a.replica).includes('Ben’s kayak'), { signal: signal() })
    await waitFor(() => a.status()!.memberPeers === 1 && a.status()!.peers.every((peer) => peer.upToDate), { signal: signal() })
    expect(titles(a.replica).filter((title) => title.startsWith('Hal’s'))).toHaveLength(3)
  })
})
