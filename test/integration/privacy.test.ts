/**
 * What a relay learns about a circle (DESIGN, "Threat model": it sees topics, sizes and timing, never
 * content). A real relay and three real members of a circle named "Canary Close" whose offers and
 * wants carry a canary string; the test records everything the relay's libp2p node receives and
 * sends (gossipsub RPCs and messages, the decrypted bytes of each connection, each protocol stream)
 * and the raw bytes (and unmasked WebSocket payloads) of every socket on the relay's port, then
 * checks that none of it holds the canary, the circle's name, id or key, in any of the encodings
 * below. Sanity checks prove the recorders saw the traffic: the circle's gossip topics,
 * the relay's own key, circuit relay streams, the WebSocket handshake.
 *
 * The members' replicas and sync sessions run over direct WebRTC connections that the relay only
 * helps to set up; what crosses the relay is discovery and entry gossip (sealed with the circle key)
 * and circuit relay data (the members' own noise ciphertext). Run in a loopback-only namespace.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { circleTopic } from '../../src/core/circle-secrets'
import { toHex } from '../../src/core/bytes'
import { seededRandom } from '../../src/core/random'
import type { CircleRecord } from '../../src/circle/types'
import { discoveryTopic, gossipTopic } from '../../src/net/topics'
import { startRelay, type Relay } from '../../src/relay/start-relay'
import { randomOfferDraft } from '../support/drafts'
import { startMember, type TestMember } from './support/members'
import { TEST_INDEX_HTML } from './support/relay'
import { indexOfBytes, Recorder, tapRelayNode, tapSocketsOnPort, type Recording } from './support/relay-taps'
import { waitFor } from './support/wait'

const STEP_TIMEOUT_MS = 25_000
const CANARY = 'canary-7f3a9c'
const CIRCLE_NAME = 'Canary Close'
/** A positive control: published in clear on a topic of its own, so every decrypted level must show it. */
/** A topic name of the form members use (the relay joins no other), not one of the circle's. */
const CONTROL_TOPIC = `sharecircle/${'c0'.repeat(32)}`
const CONTROL_MARKER = 'plaintext-control-5e1d0b'

function signal(): AbortSignal {
  return AbortSignal.timeout(STEP_TIMEOUT_MS)
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
const hexOf = (bytes: Uint8Array): string => toHex(bytes)

function titles(member: TestMember): string[] {
  return member.replica.view().offers.map((offer) => offer.title)
}

function wantTitles(member: TestMember): string[] {
  return member.replica.view().wants.map((want) => want.title)
}

function allInSync(members: TestMember[]): boolean {
  return members.every((member) => {
    const status = member.status()
    return status.memberPeers === members.length - 1 && status.peers.length === members.length - 1 && status.peers.every((peer) => peer.upToDate)
  })
}

/** Every form of a secret the test looks for: as text, as raw bytes, as hex (both cases), as base64. */
function forms(name: string, value: string | Uint8Array): Array<{ name: string; bytes: Uint8Array }> {
  const raw = typeof value === 'string' ? utf8(value) : value
  const hex = hexOf(raw)
  const out = [
    { name: `${name} (${typeof value === 'string' ? 'utf-8' : 'raw'})`, bytes: raw },
    { name: `${name} (hex)`, bytes: utf8(hex) },
    { name: `${name} (HEX)`, bytes: utf8(hex.toUpperCase()) },
    { name: `${name} (base64)`, bytes: utf8(Buffer.from(raw).toString('base64').replace(/=+$/, '')) },
    { name: `${name} (base64url)`, bytes: utf8(Buffer.from(raw).toString('base64url')) },
  ]
  if (typeof value === 'string') out.push({ name: `${name} (utf-16le)`, bytes: new Uint8Array(Buffer.from(value, 'utf16le')) })
  return out
}

function contains(recordings: Recording[], needle: Uint8Array): boolean {
  return recordings.some((recording) => indexOfBytes(recording.bytes, needle) >= 0)
}

describe('a relay carrying a circle it cannot read', () => {
  const rng = seededRandom(77)
  const recorder = new Recorder()
  let untapSockets: (() => void) | undefined
  let root: string
  let stateDir: string
  let dist: string
  let relay: Relay
  let relayRunning = false
  let members: TestMember[] = []
  let circle: CircleRecord
  let topics: { gossip: string; discovery: string; sync: Uint8Array }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sharecircle-privacy-it-'))
    // The key gets a folder of its own so that the check of the relay's state sees nothing else.
    stateDir = join(root, 'state')
    dist = join(root, 'dist')
    await mkdir(stateDir)
    await mkdir(dist)
    await writeFile(join(dist, 'index.html'), TEST_INDEX_HTML)
    relay = await startRelay({ host: '127.0.0.1', port: 0, dist, keyFile: join(stateDir, 'relay.key') })
    relayRunning = true
    tapRelayNode(relay.node, recorder)
    untapSockets = tapSocketsOnPort(Number(new URL(relay.url).port), recorder)

    const id = crypto.getRandomValues(new Uint8Array(16))
    const key = crypto.getRandomValues(new Uint8Array(32))
    circle = { id: toHex(id), key, name: CIRCLE_NAME, description: `Where the ${CANARY} lives`, createdAt: Date.now(), relays: relay.multiaddrs }
    const sync = circleTopic({ id, key })
    topics = { gossip: gossipTopic(sync), discovery: discoveryTopic(sync), sync }

    const a = await startMember({ name: 'Ana', seed: 601, circle, relays: relay.multiaddrs })
    members.push(a)
    await a.replica.addOffer({ ...randomOfferDraft(rng, 'thing'), title: `Ana’s ladder ${CANARY}`, description: `ask for the ${CANARY}` })
    const [b, c] = await Promise.all([
      startMember({ name: 'Ben', seed: 602, circle, relays: relay.multiaddrs }),
      startMember({ name: 'Cam', seed: 603, circle, relays: relay.multiaddrs }),
    ])
    members.push(b!, c!)
    await b!.replica.postWant({ kind: 'borrow', title: `Ben needs a ${CANARY} drill`, description: CANARY, neededFrom: undefined, neededTo: undefined, status: 'open' })
  })

  afterAll(async () => {
    untapSockets?.()
    for (const member of members) await member.stop().catch(() => undefined)
    if (relayRunning) await relay?.close()
    if (root) await rm(root, { recursive: true, force: true })
    const summary: Record<string, number> = {}
    for (const recording of recorder.recordings()) summary[recording.level] = (summary[recording.level] ?? 0) + recording.bytes.byteLength
    console.info('privacy recordings (bytes per level):', summary, 'gossip messages:', recorder.gossip.length)
  })

  it('syncs the circle and gossips new entries through the relay', async () => {
    const [a, b, c] = members as [TestMember, TestMember, TestMember]
    await waitFor(() => allInSync(members), { signal: signal() })
    // Live edits after the mesh formed: published on the circle's gossip topic, which the relay joined.
    const before = recorder.gossip.filter((record) => record.topic === topics.gossip && record.direction === 'received').length
    await c.replica.addOffer({ ...randomOfferDraft(rng, 'gift'), title: `Cam’s ${CANARY} apples`, description: `${CANARY} ${CANARY}` })
    await a.replica.postWant({ kind: 'repair', title: `Fix my ${CANARY} bike`, description: 'soon', neededFrom: undefined, neededTo: undefined, status: 'open' })
    await b.replica.addOffer({ ...randomOfferDraft(rng, 'skill'), title: `Ben teaches ${CANARY}` })
    await waitFor(
      () =>
        members.every(
          (member) =>
            titles(member).filter((title) => title.includes(CANARY)).length === 3 && wantTitles(member).filter((title) => title.includes(CANARY)).length === 2,
        ),
      { signal: signal() },
    )
    await waitFor(() => allInSync(members), { signal: signal() })
    await waitFor(() => recorder.gossip.filter((record) => record.topic === topics.gossip && record.direction === 'received').length > before, {
      signal: signal(),
    })

    // The control: A and B join a topic the relay mirrors, and A publishes a marker in clear.
    a.node.services.pubsub.subscribe(CONTROL_TOPIC)
    b.node.services.pubsub.subscribe(CONTROL_TOPIC)
    await waitFor(() => relay.node.services.topicMirror.topics.has(CONTROL_TOPIC), { signal: signal() })
    const marker = utf8(CONTROL_MARKER)
    await waitFor(
      async () => {
        await a.node.services.pubsub.publish(CONTROL_TOPIC, marker).catch(() => undefined)
        return recorder.gossip.some((record) => record.topic === CONTROL_TOPIC && record.direction === 'received')
      },
      { signal: signal(), intervalMs: 200 },
    )
  })

  it('records what passes the relay at every level (the recorders work)', async () => {
    // Stop everything first so every byte the relay saw is in the recordings.
    for (const member of members) await member.stop()
    members = []
    await relay.close()
    relayRunning = false
    untapSockets?.()
    untapSockets = undefined

    for (const level of ['gossip', 'connection', 'stream', 'socket', 'websocket'] as const) {
      expect(recorder.bytes(level), `${level} recorded nothing`).toBeGreaterThan(0)
    }
    // Gossip: the relay received and passed on sealed messages on the circle's topics.
    const gossip = recorder.gossip.filter((record) => record.topic === topics.gossip)
    expect(gossip.some((record) => record.direction === 'received' && record.data.byteLength > 0)).toBe(true)
    expect(recorder.gossip.some((record) => record.topic === topics.discovery && record.direction === 'received')).toBe(true)
    expect(contains(recorder.recordings('gossip'), utf8(topics.gossip))).toBe(true)
    // Connections (decrypted) carry the topic names and the relay's own public key (identify).
    const connection = recorder.recordings('connection')
    expect(contains(connection, utf8(topics.gossip))).toBe(true)
    expect(contains(connection, utf8(topics.discovery))).toBe(true)
    expect(contains(connection, relay.node.peerId.publicKey!.raw)).toBe(true)
    // Streams: identify, gossipsub and circuit relay hop/stop streams, with bytes both ways.
    const streams = recorder.recordings('stream').filter((recording) => recording.bytes.byteLength > 0)
    const protocols = new Set(streams.map((recording) => recording.label.split(' ')[3]))
    console.info('relay stream protocols seen:', [...protocols])
    for (const protocol of ['/ipfs/id/1.0.0', '/meshsub/1.2.0', '/libp2p/circuit/relay/0.2.0/hop', '/libp2p/circuit/relay/0.2.0/stop']) {
      expect([...protocols].some((seen) => seen?.startsWith(protocol.slice(0, -2))), `no ${protocol} stream`).toBe(true)
    }
    expect(contains(streams.filter((recording) => recording.label.includes('/meshsub/')), utf8(topics.gossip))).toBe(true)
    // The control marker went through the relay in clear: every decrypted level must show it, and
    // noise must hide it on the wire (which is why the socket levels alone prove little).
    const marker = utf8(CONTROL_MARKER)
    expect(contains(recorder.recordings('gossip'), marker)).toBe(true)
    expect(contains(connection, marker)).toBe(true)
    expect(contains(streams.filter((recording) => recording.label.includes('/meshsub/')), marker)).toBe(true)
    expect(contains(recorder.recordings('socket'), marker)).toBe(false)
    expect(contains(recorder.recordings('websocket'), marker)).toBe(false)
    const hop = streams.filter((recording) => recording.label.includes('/circuit/relay/0.2.0/hop'))
    expect(hop.some((recording) => recording.label.endsWith(' in'))).toBe(true)
    expect(hop.some((recording) => recording.label.endsWith(' out'))).toBe(true)
    // Sockets: the upgrade answer in clear, and inside the WebSocket frames (unmasked) the
    // multistream-select negotiation of noise, which precedes encryption.
    const socket = recorder.recordings('socket')
    expect(contains(socket, utf8('HTTP/1.1 101'))).toBe(true)
    const websocket = recorder.recordings('websocket')
    expect(contains(websocket.filter((recording) => recording.label.endsWith(' read')), utf8('/noise'))).toBe(true)
    expect(contains(websocket.filter((recording) => recording.label.endsWith(' written')), utf8('/noise'))).toBe(true)
  })

  it('never sees the canary, the circle name, id or key in anything it received or sent', () => {
    const id = new Uint8Array(Buffer.from(circle.id, 'hex'))
    expect(id.byteLength).toBe(16)
    const needles = [
      ...forms('canary', CANARY),
      ...forms('circle name', CIRCLE_NAME),
      ...forms('circle id', id),
      ...forms('circle key', circle.key),
    ]
    // Not a needle: the circle (sync) topic, SHA-256 of id and key. It is public by design (DESIGN,
    // "Keys": relays may see it, it reveals neither id nor key) and every entry carries it in clear
    // in its header, so the relay sees it in every entry gossiped on the entries topic.
    // The hex id is also the circle's own name for itself (CircleRecord.id).
    needles.push({ name: 'circle id (record string)', bytes: utf8(circle.id) })
    const recordings = [
      ...recorder.recordings(),
      ...recorder.gossip.map((record) => ({ level: 'gossip' as const, label: `${record.direction} message on ${record.topic}`, bytes: record.data })),
      ...recorder.gossip.map((record) => ({ level: 'gossip' as const, label: `topic name ${record.topic}`, bytes: utf8(record.topic) })),
    ]
    expect(recordings.length).toBeGreaterThan(10)
    const leaks: string[] = []
    for (const recording of recordings) {
      for (const needle of needles) {
        const at = indexOfBytes(recording.bytes, needle.bytes)
        if (at >= 0) leaks.push(`${needle.name} in ${recording.level} ${recording.label} at ${at}`)
      }
    }
    expect(leaks).toEqual([])
  })

  it('keeps nothing on disk but its key', async () => {
    expect(relayRunning).toBe(false)
    expect(await readdir(stateDir, { recursive: true })).toEqual(['relay.key'])
    expect(await readdir(dist, { recursive: true })).toEqual(['index.html'])
    const keyFile = await readFile(join(stateDir, 'relay.key'))
    for (const needle of [...forms('canary', CANARY), ...forms('circle name', CIRCLE_NAME), ...forms('circle key', circle.key), ...forms('circle id', new Uint8Array(Buffer.from(circle.id, 'hex')))]) {
      expect(indexOfBytes(keyFile, needle.bytes), needle.name).toBe(-1)
    }
  })
})
