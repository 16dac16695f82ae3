/**
 * Members whose network can go away and come back: a real Device and replica (as members.ts) whose
 * member node and circle network can be taken off the circle (removeCircle), killed (node stopped
 * without a goodbye) and started again with the same device and replica. The replica handed to the
 * network is a thin wrapper that records every ingest report (the rejection reasons a session or
 * gossip got from the real replica), can run a hook after each ingest, and refuses to ingest for a
 * network whose node was killed (a closed tab processes nothing more of what was in flight).
 */
import 'fake-indexeddb/auto'
import type { Connection } from '@libp2p/interface'
import { seededRandom } from '../../../src/core/random'
import type { Device } from '../../../src/circle/device'
import type { CircleReplica, IngestReport } from '../../../src/circle/replica'
import type { CircleRecord } from '../../../src/circle/types'
import { CircleNetwork, type CircleStatus, type NetworkReplica } from '../../../src/net/circle-network'
import { createMemberNode, type MemberNode } from '../../../src/net/member-node'
import { newTestDevice } from '../../support/circle-fixtures'
import { LOOPBACK_RTC_CONFIGURATION, loopbackOnlyGater } from './peer'

export type Storage = Awaited<ReturnType<typeof newTestDevice>>['storage']

export interface ChurnMember {
  name: string
  device: Device
  storage: Storage
  replica: CircleReplica
  circle: CircleRecord
  node: MemberNode
  network: CircleNetwork
  /** Every report the network's ingests got, in order. */
  reports: IngestReport[]
  /** Runs after every ingest the network makes (a test's way to act mid-transfer). */
  afterIngest: ((report: IngestReport, batch: Uint8Array[]) => void) | undefined
  /** On the circle: node running and circle added. */
  readonly online: boolean
  status(): CircleStatus | undefined
  directTo(other: { node: MemberNode }): Connection[]
  /** Takes the circle off the network; the node and its connections stay. */
  leave(): Promise<void>
  /** Puts the circle back on the (running) network. */
  rejoin(): Promise<void>
  /** Stops the node without taking the circle off first, as a closed tab would. */
  kill(): Promise<void>
  /** A new node (new peer id) and network for the same device and replica. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface ChurnInit {
  name: string
  seed: number
  circle?: CircleRecord
  relays: readonly string[]
}

async function startNetwork(seed: number, generation: number): Promise<{ node: MemberNode; network: CircleNetwork }> {
  const node = await createMemberNode({
    allowLocal: true,
    connectionGater: loopbackOnlyGater,
    rtcConfiguration: LOOPBACK_RTC_CONFIGURATION,
    discovery: { announceIntervalMs: 1_000 },
    relayLink: { redialMinMs: 200, redialMaxMs: 1_000 },
  })
  const network = await CircleNetwork.start({ node, random: seededRandom(seed + 10_000 + generation * 7_919), statusTickMs: 100 })
  return { node, network }
}

export async function startChurnMember(init: ChurnInit): Promise<ChurnMember> {
  const { device, storage } = await newTestDevice(init.name, init.seed)
  const record = init.circle ? await device.joinCircle(init.circle) : await device.createCircle({ name: 'Elm Street', description: '' })
  const circle = { ...record, relays: [...init.relays] }
  const replica = await device.openCircle(circle.id)
  let generation = 0
  let { node, network } = await startNetwork(init.seed, generation)
  let added = false
  let nodeRunning = true
  const member: ChurnMember = {
    name: init.name,
    device,
    storage,
    replica,
    circle,
    get node() {
      return node
    },
    get network() {
      return network
    },
    reports: [],
    afterIngest: undefined,
    get online() {
      return nodeRunning && added
    },
    status: () => network.status(circle.id),
    directTo: (other) =>
      node.getConnections(other.node.peerId).filter((connection) => connection.status === 'open' && connection.limits === undefined),
    leave: async () => {
      added = false
      await network.removeCircle(circle.id)
    },
    rejoin: async () => {
      await network.addCircle(circle, recordingFor(generation))
      added = true
    },
    kill: async () => {
      nodeRunning = false
      added = false
      await node.stop()
      await network.stop().catch(() => undefined)
    },
    restart: async () => {
      if (nodeRunning) await member.kill()
      ;({ node, network } = await startNetwork(init.seed, ++generation))
      nodeRunning = true
      await member.rejoin()
    },
    stop: async () => {
      if (nodeRunning) {
        nodeRunning = false
        await network.stop()
        await node.stop()
      }
      await device.close()
    },
  }
  /** One per network generation: a killed network's late ingests fail, as a dead process's would. */
  const recordingFor = (ofGeneration: number): NetworkReplica => ({
    get topic() {
      return replica.topic
    },
    heads: () => replica.heads(),
    range: (feed, from, to) => replica.range(feed, from, to),
    subscribeEntries: (listener) => replica.subscribeEntries(listener),
    subscribeStored: (listener) => replica.subscribeStored(listener),
    signDevice: (context) => replica.signDevice(context),
    verifyDevice: (feed, context, signature) => replica.verifyDevice(feed, context, signature),
    memberOfDevice: (feed) => replica.memberOfDevice(feed),
    ingest: async (batch) => {
      if (ofGeneration !== generation || !nodeRunning) throw new Error(`${init.name}'s node was killed`)
      const report = await replica.ingest(batch)
      member.reports.push(report)
      member.afterIngest?.(report, batch)
      return report
    },
  })
  await member.rejoin()
  return member
}

/** Rejection counts by reason over the member's recorded ingests (from index `since`). */
export function rejectedByReason(member: ChurnMember, since = 0): Map<string, number> {
  const counts = new Map<string, number>()
  for (const report of member.reports.slice(since)) {
    for (const { reason } of report.rejected) counts.set(reason, (counts.get(reason) ?? 0) + 1)
  }
  return counts
}

/** Feed → head seq, comparable with toEqual. */
export function headsOfReplica(replica: CircleReplica): Record<string, number> {
  return Object.fromEntries([...replica.heads()].sort(([a], [b]) => a.localeCompare(b)))
}

/** The catalogue as every member should see it: offers and wants, sorted by id. */
export function catalogueOf(replica: CircleReplica): { offers: unknown[]; wants: unknown[] } {
  const view = replica.view()
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id)
  return { offers: [...view.offers].sort(byId), wants: [...view.wants].sort(byId) }
}
