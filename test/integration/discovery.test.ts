/**
 * Discovery announces a member's WebRTC address as soon as it has one: the relay reservation that
 * gives it is an event, not something found by polling. With the periodic re-announcement pushed
 * out of the test's reach, two members who only know the relay still find and dial each other, and
 * find each other again through a new reservation after the relay restarts on the same port.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRelay, type Relay } from '../../src/relay/start-relay'
import { startMember, type TestMember } from './support/members'
import { TEST_INDEX_HTML } from './support/relay'
import { waitFor } from './support/wait'

const NEVER_WITHIN_TEST_MS = 3_600_000
const STEP_TIMEOUT_MS = 25_000

function signal(): AbortSignal {
  return AbortSignal.timeout(STEP_TIMEOUT_MS)
}

describe('discovery on address changes', () => {
  let root: string
  let relay: Relay
  let port: number
  const members: TestMember[] = []

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sharecircle-discovery-it-'))
    await writeFile(join(root, 'index.html'), TEST_INDEX_HTML)
    relay = await startRelay({ host: '127.0.0.1', port: 0, dist: root, keyFile: join(root, 'relay.key') })
    port = Number(new URL(relay.url).port)
  })

  afterAll(async () => {
    for (const member of members) await member.stop().catch(() => undefined)
    await relay?.close()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('announces once a reservation gives an address, and the two members connect directly', async () => {
    const ana = await startMember({ name: 'Ana', seed: 801, relays: relay.multiaddrs, announceIntervalMs: NEVER_WITHIN_TEST_MS })
    members.push(ana)
    members.push(await startMember({ name: 'Ben', seed: 802, circle: ana.circle, relays: relay.multiaddrs, announceIntervalMs: NEVER_WITHIN_TEST_MS }))
    const [, ben] = members as [TestMember, TestMember]
    await waitFor(() => ana.directTo(ben).length > 0 && ben.directTo(ana).length > 0, { signal: signal() })
    for (const member of [ana, ben]) expect(member.node.services.discovery.stats.announced).toBeGreaterThan(0)
  })

  it('announces the new address after the relay restarts, and a newcomer finds the others through it', async () => {
    const [ana, ben] = members as [TestMember, TestMember]
    const announcedBefore = [ana, ben].map((member) => member.node.services.discovery.stats.announced)
    await relay.close()
    relay = await startRelay({ host: '127.0.0.1', port, dist: root, keyFile: join(root, 'relay.key') })
    await waitFor(() => [ana, ben].every((member, i) => member.node.services.discovery.stats.announced > announcedBefore[i]!), { signal: signal() })
    const cam = await startMember({ name: 'Cam', seed: 803, circle: ana.circle, relays: relay.multiaddrs, announceIntervalMs: NEVER_WITHIN_TEST_MS })
    members.push(cam)
    await waitFor(() => [ana, ben].every((member) => cam.directTo(member).length > 0), { signal: signal() })
  })

  it('dials the relays a circle gains while on the network, and lets go of the ones it drops', async () => {
    const [ana] = members as [TestMember]
    const otherRoot = await mkdtemp(join(tmpdir(), 'sharecircle-discovery-it-'))
    await writeFile(join(otherRoot, 'index.html'), TEST_INDEX_HTML)
    const other = await startRelay({ host: '127.0.0.1', port: 0, dist: otherRoot, keyFile: join(otherRoot, 'relay.key') })
    try {
      const addresses = () => ana.node.services.relayLink.relays().map((link) => link.address)
      ana.network.updateRelays(ana.circle.id, other.multiaddrs)
      await waitFor(() => ana.node.services.relayLink.relays().some((link) => link.address === other.multiaddrs[0] && link.state === 'connected'), { signal: signal() })
      expect(addresses()).toEqual([...other.multiaddrs])
      expect(ana.status().relays.connected).toBe(1)
    } finally {
      ana.network.updateRelays(ana.circle.id, relay.multiaddrs)
      await other.close()
      await rm(otherRoot, { recursive: true, force: true })
    }
  })
})
