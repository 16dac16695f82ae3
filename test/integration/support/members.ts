/**
 * Circle members for integration tests: a real Device and replica (real keys, fake-indexeddb), a
 * real member node configured for loopback (no ICE servers, ICE bound to 127.0.0.1, a gater that
 * refuses anything but loopback) and the circle network on top. Tunables are shortened so relay
 * restarts and announcements happen within a test's patience, never by waiting a fixed time.
 */
import 'fake-indexeddb/auto'
import type { Connection } from '@libp2p/interface'
import { seededRandom } from '../../../src/core/random'
import type { Device } from '../../../src/circle/device'
import type { CircleReplica } from '../../../src/circle/replica'
import type { CircleRecord } from '../../../src/circle/types'
import { CircleNetwork, type CircleStatus } from '../../../src/net/circle-network'
import { createMemberNode, type MemberNode } from '../../../src/net/member-node'
import { newTestDevice } from '../../support/circle-fixtures'
import { LOOPBACK_RTC_CONFIGURATION, loopbackOnlyGater } from './peer'

export interface TestMember {
  name: string
  device: Device
  replica: CircleReplica
  circle: CircleRecord
  node: MemberNode
  network: CircleNetwork
  status(): CircleStatus
  /** Open, unlimited connections to this peer. */
  directTo(other: TestMember): Connection[]
  stop(): Promise<void>
}

export interface MemberInit {
  name: string
  seed: number
  /** Joins this circle (as an invite would give it); creates a new one when absent. */
  circle?: CircleRecord
  /** Relay multiaddrs of the circle (what the invite names). */
  relays: readonly string[]
  signal?: AbortSignal
  /** Periodic re-announcement (1 s unless said): announcing on an address change is not periodic. */
  announceIntervalMs?: number
}

export async function startMember(init: MemberInit): Promise<TestMember> {
  const { device } = await newTestDevice(init.name, init.seed)
  const record = init.circle ? await device.joinCircle(init.circle) : await device.createCircle({ name: 'Elm Street', description: '' })
  const circle = { ...record, relays: [...init.relays] }
  const replica = await device.openCircle(circle.id)
  const node = await createMemberNode({
    allowLocal: true,
    connectionGater: loopbackOnlyGater,
    rtcConfiguration: LOOPBACK_RTC_CONFIGURATION,
    discovery: { announceIntervalMs: init.announceIntervalMs ?? 1_000 },
    relayLink: { redialMinMs: 200, redialMaxMs: 1_000 },
    signal: init.signal,
  })
  const network = await CircleNetwork.start({ node, random: seededRandom(init.seed + 10_000), statusTickMs: 100 }, { signal: init.signal })
  await network.addCircle(circle, replica, { signal: init.signal })
  return {
    name: init.name,
    device,
    replica,
    circle,
    node,
    network,
    status: () => network.status(circle.id)!,
    directTo: (other) =>
      node.getConnections(other.node.peerId).filter((connection) => connection.status === 'open' && connection.limits === undefined),
    stop: async () => {
      await network.stop()
      await node.stop()
      await device.close()
    },
  }
}

/** Feed → head seq, comparable with toEqual. */
export function headsOf(member: TestMember): Record<string, number> {
  return Object.fromEntries([...member.replica.heads()].sort(([a], [b]) => a.localeCompare(b)))
}
