/**
 * Five members and a relay over the real network (loopback-only namespace), under a seeded random
 * schedule of edits at random members (online or not), partitions (a member takes the circle off its
 * network, hangs up its member connections, or its node is killed) and rejoins. At the end, with
 * everyone back online, every member's catalogue and heads converge. And a member killed in the
 * middle of a large first sync resumes after it comes back and ends with everything.
 * Waits poll; nothing sleeps a fixed time and no timing is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/core/random'
import type { CircleReplica } from '../../src/circle/replica'
import type { Relay } from '../../src/relay/start-relay'
import { pick, randomOfferDraft, randomWantDraft } from '../support/drafts'
import { catalogueOf, headsOfReplica, startChurnMember, type ChurnMember } from './support/churn'
import { makeRelayDir, startTestRelay, type TestRelayDir } from './support/relay'
import { waitFor } from './support/wait'

type Rng = ReturnType<typeof seededRandom>

function signal(ms = 40_000): AbortSignal {
  return AbortSignal.timeout(ms)
}

/** Every member online, in session with every other, and all up to date. */
function allInSync(members: ChurnMember[]): boolean {
  return members.every((member) => {
    const status = member.status()
    return (
      status !== undefined &&
      status.memberPeers === members.length - 1 &&
      status.peers.length === members.length - 1 &&
      status.peers.every((peer) => peer.upToDate)
    )
  })
}

function converged(members: ChurnMember[]): boolean {
  const [first, ...rest] = members.map((member) => JSON.stringify([headsOfReplica(member.replica), catalogueOf(member.replica)]))
  return rest.every((other) => other === first)
}

/** One random edit of the member's own data, through the replica. */
async function randomEdit(rng: Rng, replica: CircleReplica): Promise<string> {
  const mine = replica.view().members.get(replica.me)!
  const roll = rng.next()
  if (roll < 0.4 || mine.offers.length === 0) {
    await replica.addOffer(randomOfferDraft(rng))
    return 'addOffer'
  }
  if (roll < 0.65) {
    await replica.updateOffer(pick(rng, mine.offers).id, { title: `Edited ${Math.floor(rng.next() * 1e6)}` })
    return 'updateOffer'
  }
  if (roll < 0.8) {
    await replica.removeOffer(pick(rng, mine.offers).id)
    return 'removeOffer'
  }
  await replica.postWant(randomWantDraft(rng))
  return 'postWant'
}

describe('random partitions and rejoins', () => {
  let dir: TestRelayDir
  let relay: Relay
  const started: ChurnMember[] = []

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
  })

  afterAll(async () => {
    for (const member of started) await member.stop().catch(() => undefined)
    await relay?.close()
    await dir?.remove()
  })

  it('converges catalogues and heads of 5 members after a seeded schedule of edits, partitions and rejoins', async () => {
    const rng = seededRandom(2027)
    const first = await startChurnMember({ name: 'M0', seed: 701, relays: relay.multiaddrs })
    started.push(first)
    const others = await Promise.all(
      [1, 2, 3, 4].map((i) => startChurnMember({ name: `M${i}`, seed: 701 + i, circle: first.circle, relays: relay.multiaddrs })),
    )
    started.push(...others)
    const members = [first, ...others]
    for (const member of members) await member.replica.addOffer(randomOfferDraft(rng))
    await waitFor(() => allInSync(members), { signal: signal(50_000) })

    const log: string[] = []
    for (let step = 0; step < 24; step++) {
      const roll = rng.next()
      const online = members.filter((member) => member.online)
      const offline = members.filter((member) => !member.online)
      if (roll < 0.55 || (roll < 0.85 && online.length <= 3) || (roll >= 0.85 && offline.length === 0)) {
        const author = pick(rng, members)
        log.push(`${author.name}${author.online ? '' : ' (offline)'}: ${await randomEdit(rng, author.replica)}`)
      } else if (roll < 0.85) {
        const victim = pick(rng, online)
        const kind = pick(rng, ['leave', 'hang-up', 'kill'] as const)
        if (kind === 'leave') await victim.leave()
        else if (kind === 'kill') await victim.kill()
        else {
          // Hangs up every direct member connection; discovery dials again by itself.
          const connections = victim.node.getConnections().filter((connection) => connection.limits === undefined && !victim.node.services.relayLink.isRelay(connection.remotePeer.toString()))
          await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)))
        }
        log.push(`${victim.name}: ${kind}`)
      } else {
        const back = pick(rng, offline)
        if (back.node.status === 'started') await back.rejoin()
        else await back.restart()
        log.push(`${back.name}: back`)
      }
    }
    for (const member of members) {
      if (member.online) continue
      if (member.node.status === 'started') await member.rejoin()
      else await member.restart()
    }
    // One last edit everywhere, so every feed moved after the last partition.
    for (const member of members) await member.replica.addOffer({ ...randomOfferDraft(rng), title: `Last word of ${member.name}` })
    console.info('schedule:', log.join('; '))

    await waitFor(() => allInSync(members) && converged(members), { signal: signal(50_000) })
    const reference = catalogueOf(first.replica)
    for (const member of members) {
      expect(headsOfReplica(member.replica)).toEqual(headsOfReplica(first.replica))
      expect(catalogueOf(member.replica)).toEqual(reference)
    }
    expect(reference.offers.map((offer) => (offer as { title: string }).title)).toEqual(expect.arrayContaining(members.map((member) => `Last word of ${member.name}`)))
    expect(log.some((line) => / (leave|kill|hang-up)$/.test(line))).toBe(true)
  }, 120_000)
})

describe('a member killed in the middle of a large first sync', () => {
  let dir: TestRelayDir
  let relay: Relay
  const started: ChurnMember[] = []

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
  })

  afterAll(async () => {
    for (const member of started) await member.stop().catch(() => undefined)
    await relay?.close()
    await dir?.remove()
  })

  it('resumes the sync when it comes back, and loses nothing', async () => {
    const rng = seededRandom(404)
    const sender = await startChurnMember({ name: 'Big', seed: 801, relays: relay.multiaddrs })
    started.push(sender)
    for (let i = 0; i < 300; i++) await sender.replica.addOffer(randomOfferDraft(rng))
    const expected = headsOfReplica(sender.replica)

    const late = await startChurnMember({ name: 'Late', seed: 802, circle: sender.circle, relays: relay.multiaddrs })
    started.push(late)
    let killedAfter: number | undefined
    late.afterIngest = (report) => {
      // The first batch of the catch-up is in: kill the node while the rest is on its way.
      if (killedAfter === undefined && report.accepted > 0) {
        killedAfter = report.accepted
        void late.kill()
      }
    }
    await waitFor(() => killedAfter !== undefined && late.node.status === 'stopped', { signal: signal() })
    const senderFeed = Object.keys(expected).find((feed) => expected[feed]! >= 300)!
    const partial = late.replica.heads().get(senderFeed) ?? -1
    expect(partial).toBeGreaterThanOrEqual(0)
    expect(partial).toBeLessThan(expected[senderFeed]!)
    console.info(`killed after ${killedAfter} entries; had ${partial + 1} of ${expected[senderFeed]! + 1}`)

    late.afterIngest = undefined
    await late.restart()
    await waitFor(() => allInSync([sender, late]) && converged([sender, late]), { signal: signal() })
    expect(late.replica.heads().get(senderFeed)).toBe(expected[senderFeed])
    expect(catalogueOf(late.replica)).toEqual(catalogueOf(sender.replica))
    expect(late.replica.view().offers).toHaveLength(300)
  }, 90_000)
})
