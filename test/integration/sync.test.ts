/**
 * Members of a circle over the real network (run inside a loopback-only network namespace): a relay
 * and real member nodes, each with a real device and replica. They find each other through the
 * relay's gossip, connect directly over WebRTC, sync their catalogues, push live edits, keep syncing
 * with the relay stopped, and a member joining after the relay restarts gets everything. Waits poll;
 * nothing sleeps a fixed time and no timing is asserted (timings are printed).
 */
import { WebRTC } from '@multiformats/multiaddr-matcher'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/core/random'
import { SYNC_PROTOCOL } from '../../src/net/sync-messages'
import type { Relay } from '../../src/relay/start-relay'
import { randomOfferDraft } from '../support/drafts'
import { headsOf, startMember, type TestMember } from './support/members'
import { makeRelayDir, startTestRelay, type TestRelayDir } from './support/relay'
import { waitFor } from './support/wait'

const STEP_TIMEOUT_MS = 25_000

const timings: Record<string, number> = {}
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await run()
  timings[name] = Math.round(performance.now() - started)
  return result
}

function signal(): AbortSignal {
  return AbortSignal.timeout(STEP_TIMEOUT_MS)
}

function titles(member: TestMember): string[] {
  return member.replica
    .view()
    .offers.map((offer) => offer.title)
    .sort()
}

/** Every member has a session past the key proof with every other, and all report up to date. */
function allInSync(members: TestMember[]): boolean {
  return members.every((member) => {
    const status = member.status()
    return status.memberPeers === members.length - 1 && status.peers.length === members.length - 1 && status.peers.every((peer) => peer.upToDate)
  })
}

describe('a circle syncing over relay discovery and WebRTC', () => {
  const rng = seededRandom(41)
  let dir: TestRelayDir
  let relay: Relay
  let relayRunning = false
  let port: number
  let a: TestMember
  let b: TestMember
  let c: TestMember
  let d: TestMember | undefined

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
    relayRunning = true
    port = Number(new URL(relay.url).port)
    a = await startMember({ name: 'Ana', seed: 501, relays: relay.multiaddrs })
    for (let i = 0; i < 20; i++) await a.replica.addOffer(randomOfferDraft(rng))
    // B and C join with A's circle record, as an invite would carry it.
    ;[b, c] = await Promise.all([
      startMember({ name: 'Ben', seed: 502, circle: a.circle, relays: relay.multiaddrs }),
      startMember({ name: 'Cam', seed: 503, circle: a.circle, relays: relay.multiaddrs }),
    ])
    await b.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ben’s ladder' })
    await c.replica.addOffer({ ...randomOfferDraft(rng), title: 'Cam’s drill' })
  })

  afterAll(async () => {
    for (const member of [a, b, c, d]) await member?.stop()
    if (relayRunning) await relay?.close()
    await dir?.remove()
    console.info('sync integration timings (ms):', timings)
    console.info('discovery stats:', [a, b, c, d].map((member) => member && { [member.name]: member.node.services.discovery.stats }))
  })

  it('finds the other members through the relay and connects to each directly over WebRTC', async () => {
    const members = [a, b, c]
    await timed('discovery → WebRTC mesh of 3', () =>
      waitFor(() => members.every((member) => member.status().memberPeers === 2), { signal: signal() }),
    )
    for (const member of members) {
      for (const other of members.filter((candidate) => candidate !== member)) {
        const direct = member.directTo(other)
        expect(direct.length).toBeGreaterThan(0)
        expect(direct.some((connection) => connection.remoteAddr.toString().includes('/webrtc'))).toBe(true)
        expect(direct.every((connection) => connection.limits === undefined)).toBe(true)
      }
      // The dialling side sees the circuit address; both report the connection as WebRTC.
      expect(member.status().peers.map((peer) => peer.kind)).toEqual(['webrtc', 'webrtc'])
    }
    const dialled = a.directTo(b).find((connection) => connection.direction === 'outbound') ?? b.directTo(a)[0]!
    expect(WebRTC.matches(dialled.remoteAddr) || dialled.remoteAddr.toString().includes('/webrtc')).toBe(true)
  })

  it('converges the catalogues, and reports up to date only once heads match', async () => {
    await timed('catalogues converge', () => waitFor(() => allInSync([a, b, c]), { signal: signal() }))
    expect(titles(a)).toHaveLength(22)
    expect(titles(b)).toEqual(titles(a))
    expect(titles(c)).toEqual(titles(a))
    expect(headsOf(b)).toEqual(headsOf(a))
    expect(headsOf(c)).toEqual(headsOf(a))
    for (const member of [a, b, c]) {
      const status = member.status()
      expect(status.state).toBe('connected')
      expect(status.lastSyncedAt).toBeDefined()
      expect(status.peers.every((peer) => peer.lastSyncedAt !== undefined)).toBe(true)
    }
    // C lacked A's 20 offers (and more): each came by sync or by gossip, and the status counts both.
    const cStatus = c.status()
    expect(cStatus.peers.reduce((sum, peer) => sum + peer.received, 0) + cStatus.gossip.received).toBeGreaterThanOrEqual(21)
  })

  it('shows an edit at B at A and C, and is not up to date while it travels', async () => {
    await b.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ben’s wheelbarrow' })
    // Synchronously after the write: no peer can have acknowledged it yet.
    expect(b.status().peers.every((peer) => !peer.upToDate)).toBe(true)
    await timed('live edit B → A, C', () =>
      waitFor(() => [a, c].every((member) => titles(member).includes('Ben’s wheelbarrow')), { signal: signal() }),
    )
    await waitFor(() => allInSync([a, b, c]), { signal: signal() })
    expect(headsOf(a)).toEqual(headsOf(b))
    expect(headsOf(c)).toEqual(headsOf(b))
  })

  it('keeps one session per circle when both members put a new circle on the network at once', async () => {
    const record = await a.device.createCircle({ name: 'Elm Street garden', description: '' })
    await b.device.joinCircle(record)
    const garden = { ...record, relays: [...relay.multiaddrs] }
    const [ra, rb] = [await a.device.openCircle(garden.id), await b.device.openCircle(garden.id)]
    await Promise.all([a.network.addCircle(garden, ra), b.network.addCircle(garden, rb)])
    const syncStreams = (from: TestMember, to: TestMember) => from.directTo(to).flatMap((connection) => connection.streams).filter((stream) => stream.protocol === SYNC_PROTOCOL && stream.status === 'open')
    await waitFor(() => [a, b].every((member) => member.network.status(garden.id)?.memberPeers === 1), { signal: signal() })
    await ra.addOffer({ ...randomOfferDraft(rng), title: 'Spare spade' })
    await waitFor(() => rb.view().offers.some((offer) => offer.title === 'Spare spade'), { signal: signal() })
    await waitFor(() => [a, b].every((member) => member.network.status(garden.id)!.peers.every((peer) => peer.upToDate)), { signal: signal() })
    // One stream for each of the two circles, the same one at both ends.
    await waitFor(() => syncStreams(a, b).length === 2 && syncStreams(b, a).length === 2, { signal: signal() })
    await a.network.removeCircle(garden.id)
    await b.network.removeCircle(garden.id)
  })

  it('opens a session again when one ends while its connection stays up', async () => {
    // The side that opens sessions is the lower peer id; the other one's stream is reset under it.
    const [opener, other] = a.node.peerId.toString() < b.node.peerId.toString() ? [a, b] : [b, a]
    const connection = other.directTo(opener)[0]!
    const stream = connection.streams.find((candidate) => candidate.protocol === SYNC_PROTOCOL)!
    stream.abort(new Error('reset by the test'))
    await waitFor(() => opener.status().memberPeers === 1, { signal: signal() })
    await timed('session reopened', () => waitFor(() => opener.status().memberPeers === 2, { signal: signal() }))
    expect(connection.status).toBe('open')
    expect(connection.streams.filter((candidate) => candidate.protocol === SYNC_PROTOCOL).some((candidate) => candidate !== stream)).toBe(true)
    await other.replica.addOffer({ ...randomOfferDraft(rng), title: 'After the reset' })
    await waitFor(() => titles(opener).includes('After the reset'), { signal: signal() })
    await waitFor(() => allInSync([a, b, c]), { signal: signal() })
  })

  it('keeps syncing over the direct connections when the relay stops', async () => {
    await relay.close()
    relayRunning = false
    await waitFor(() => a.node.services.relayLink.relays().every((link) => link.state !== 'connected'), { signal: signal() })
    expect(a.status().relays.connected).toBe(0)
    expect(a.status().state).toBe('connected')
    await a.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ana’s tent' })
    await timed('edit A → B with the relay down', () =>
      waitFor(() => [b, c].every((member) => titles(member).includes('Ana’s tent')), { signal: signal() }),
    )
    await waitFor(() => allInSync([a, b, c]), { signal: signal() })
  })

  it('lets a member who joins after the relay restarts (same key) get everything', async () => {
    relay = await timed('relay restart', () => startTestRelay(dir, { port }))
    relayRunning = true
    // The members redial it by themselves (relay-link) and get their reservations back.
    await timed('members re-reserve', () =>
      waitFor(() => [a, b, c].every((member) => member.node.getMultiaddrs().some((address) => WebRTC.matches(address))), { signal: signal() }),
    )
    d = await startMember({ name: 'Dee', seed: 504, circle: a.circle, relays: relay.multiaddrs })
    await timed('D connects and catches up', () => waitFor(() => d!.status().memberPeers >= 1 && titles(d!).length === titles(a).length, { signal: signal() }))
    expect(titles(d)).toEqual(titles(a))
    await timed('mesh of 4 in sync', () => waitFor(() => allInSync([a, b, c, d!]), { signal: signal() }))
    for (const member of [a, b, c, d]) expect(headsOf(member)).toEqual(headsOf(a))
  })
})
