/**
 * Gossip beside the direct push: a live edit reaches members in sync by their sync sessions, and
 * goes on the circle's gossip topic (for members without a session) only once they all hold it, and
 * only from its author; nobody pushes it back to its author. Three real member nodes and a relay on
 * loopback; the relay's gossipsub is where the topic is watched.
 */
import type { Message } from '@libp2p/gossipsub'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { peekEntryPosition } from '../../src/core/entry'
import { circleTopic } from '../../src/core/circle-secrets'
import { toHex } from '../../src/core/bytes'
import { seededRandom } from '../../src/core/random'
import type { CircleRecord } from '../../src/circle/types'
import { gossipTopic } from '../../src/net/topics'
import { startRelay, type Relay } from '../../src/relay/start-relay'
import { randomOfferDraft } from '../support/drafts'
import { startMember, type TestMember } from './support/members'
import { TEST_INDEX_HTML } from './support/relay'
import { waitFor } from './support/wait'

const STEP_TIMEOUT_MS = 25_000

interface Heard {
  from: string
  feed: string
  seq: number
  /** What each other member had stored of that feed when the relay heard the message. */
  heldThen: Map<string, number>
}

function signal(): AbortSignal {
  return AbortSignal.timeout(STEP_TIMEOUT_MS)
}

function allInSync(members: TestMember[]): boolean {
  return members.every((member) => {
    const status = member.status()
    return status.memberPeers === members.length - 1 && status.peers.every((peer) => peer.upToDate)
  })
}

function ownFeed(member: TestMember): string {
  return [...member.replica.heads().keys()].find((feed) => member.replica.memberOfDevice(feed) === member.replica.me)!
}

describe('gossip of live edits', () => {
  let root: string
  let relay: Relay
  const members: TestMember[] = []
  const heard: Heard[] = []

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sharecircle-gossip-it-'))
    await writeFile(join(root, 'index.html'), TEST_INDEX_HTML)
    relay = await startRelay({ host: '127.0.0.1', port: 0, dist: root, keyFile: join(root, 'relay.key') })
    const id = crypto.getRandomValues(new Uint8Array(16))
    const circle: CircleRecord = {
      id: toHex(id),
      key: crypto.getRandomValues(new Uint8Array(32)),
      name: 'Gossip Lane',
      description: '',
      createdAt: Date.now(),
      relays: relay.multiaddrs,
    }
    const topic = gossipTopic(circleTopic({ id, key: circle.key }))
    relay.node.services.pubsub.addEventListener('message', (event: CustomEvent<Message>) => {
      const message = event.detail
      if (message.topic !== topic || message.type !== 'signed') return
      const position = peekEntryPosition(message.data)
      if (!position) return
      const heldThen = new Map(members.map((member) => [member.name, member.replica.heads().get(position.feed) ?? -1]))
      heard.push({ from: message.from.toString(), ...position, heldThen })
    })
    members.push(await startMember({ name: 'Ana', seed: 701, circle, relays: relay.multiaddrs }))
    members.push(...(await Promise.all([702, 703].map((seed, i) => startMember({ name: ['Ben', 'Cam'][i]!, seed, circle, relays: relay.multiaddrs })))))
    await waitFor(() => allInSync(members), { signal: signal() })
  })

  afterAll(async () => {
    for (const member of members) await member.stop().catch(() => undefined)
    await relay?.close()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('publishes an edit once, from its author, after every member in sync holds it', async () => {
    const [ana, ben, cam] = members as [TestMember, TestMember, TestMember]
    const receivedByAna = () => ana.status().peers.reduce((sum, peer) => sum + peer.received, 0)
    const anaHadReceived = receivedByAna()
    await ana.replica.addOffer({ ...randomOfferDraft(seededRandom(7), 'thing'), title: 'Gossiped ladder' })
    const feed = ownFeed(ana)
    const seq = ana.replica.heads().get(feed)!
    await waitFor(() => heard.some((item) => item.feed === feed && item.seq === seq), { signal: signal() })
    // Long enough for a member that wrongly passed it on to have published its copy too.
    await waitFor(() => [ben, cam].every((member) => (member.replica.heads().get(feed) ?? -1) >= seq), { signal: signal() })
    await new Promise((done) => setTimeout(done, 1_000))

    const copies = heard.filter((item) => item.feed === feed && item.seq === seq)
    expect(copies.map((item) => item.from)).toEqual([ana.node.peerId.toString()])
    expect(copies[0]!.heldThen.get('Ben')).toBeGreaterThanOrEqual(seq)
    expect(copies[0]!.heldThen.get('Cam')).toBeGreaterThanOrEqual(seq)
    // Ben and Cam pass received entries on to their other peers in sync, never back to their author.
    expect(receivedByAna()).toBe(anaHadReceived)
  })
})
