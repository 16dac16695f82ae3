/**
 * The property every later issue leans on: a member's doc built by a replica from any mix of valid
 * and invalid entries, in any order and batching, equals the doc built from the valid entries alone.
 * Real devices, real keys, real storage (fake-indexeddb), seeded schedules.
 */
import 'fake-indexeddb/auto'
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { toHex } from '../../../src/core/bytes'
import { circleTopic } from '../../../src/core/circle-secrets'
import { tweetnaclEd25519 } from '../../../src/core/ed25519'
import { MAX_ENTRY_BYTES, decodeEntry, signEntry } from '../../../src/core/entry'
import { openPayload, sealPayload } from '../../../src/core/payload'
import { seededRandom } from '../../../src/core/random'
import { Device } from '../../../src/circle/device'
import { readRawDoc } from '../../../src/circle/member-doc'
import type { CircleReplica } from '../../../src/circle/replica'
import type { CircleRecord } from '../../../src/circle/types'
import { newTestDevice, openTestStorage, testEnvironment } from '../../support/circle-fixtures'
import { pick, randomOfferDraft, randomWantDraft } from '../../support/drafts'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

type Rng = ReturnType<typeof seededRandom>

async function member(name: string, seed: number, circle: CircleRecord) {
  const { device, storage } = await newTestDevice(name, seed)
  closers.push(() => device.close())
  await device.joinCircle(circle)
  return { device, storage, replica: await device.openCircle(circle.id) }
}

/** One random edit of the member's own data. */
async function randomEdit(rng: Rng, replica: CircleReplica): Promise<void> {
  const mine = replica.view().members.get(replica.me)!
  const roll = rng.next()
  if (roll < 0.35 || mine.offers.length === 0) await replica.addOffer(randomOfferDraft(rng))
  else if (roll < 0.55) await replica.updateOffer(pick(rng, mine.offers).id, { title: `Edited ${Math.floor(rng.next() * 1e6)}`, availability: pick(rng, ['available', 'paused'] as const) })
  else if (roll < 0.65) await replica.removeOffer(pick(rng, mine.offers).id)
  else if (roll < 0.8 || mine.wants.length === 0) await replica.postWant(randomWantDraft(rng))
  else if (roll < 0.9) await replica.updateWant(pick(rng, mine.wants).id, { status: 'closed' })
  else await replica.setProfile({ area: `Block ${Math.floor(rng.next() * 20)}`, bio: 'Happy to lend' })
}

/** Invalid variants of a valid entry, each failing a different check. */
async function corruptions(rng: Rng, bytes: Uint8Array, otherCircleKey: Uint8Array): Promise<Uint8Array[]> {
  const flipped = bytes.slice()
  flipped[Math.floor(rng.next() * flipped.length)]! ^= 1 << Math.floor(rng.next() * 8)
  const forged = bytes.slice()
  forged.set(rng(64), forged.length - 64)
  const entry = decodeEntry(bytes)
  const out = [flipped, forged, bytes.slice(0, Math.floor(rng.next() * bytes.length)), rng(1 + Math.floor(rng.next() * 300))]
  if (entry.ok) {
    // Same feed and seq, validly signed by nobody who holds the device key: a forged feed claim.
    const stranger = tweetnaclEd25519
    const wrongKey = await signEntry(stranger, new Uint8Array([...rng(32), ...entry.value.feed]), { ...entry.value, ciphertext: sealPayload(otherCircleKey, entry.value.nonce, { type: 'update', update: new Uint8Array([0, 0]) }) })
    out.push(wrongKey.bytes)
  }
  return out
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

describe('replicas converge on the valid entries alone', () => {
  // Each seed signs and checks a few hundred entries with tweetnacl: seconds on a loaded machine, so
  // the limit is generous (speed is the benchmark's business, not this test's).
  for (const seed of [11, 22, 33]) {
    it(`seed ${seed}: 4 members (one with two devices) and a hostile one, random order and batches`, async () => {
      const rng = seededRandom(seed)
      const founder = await newTestDevice('Founder', seed)
      closers.push(() => founder.device.close())
      const circle = await founder.device.createCircle({ name: 'Elm Street', description: '' })
      const members = [
        { device: founder.device, storage: founder.storage, replica: await founder.device.openCircle(circle.id) },
        await member('Ben', seed + 1, circle),
        await member('Cleo', seed + 2, circle),
      ]
      // Founder's second device: restored from a backup, so same identity, new device key and feed.
      const backup = await founder.device.exportBackup('correct horse battery')
      const secondStorage = await openTestStorage('second')
      const second = await Device.restoreFromBackup(secondStorage, backup, 'correct horse battery', testEnvironment(seed + 3))
      closers.push(() => second.close())
      expect(second.me).toBe(founder.device.me)
      members.push({ device: second, storage: secondStorage, replica: await second.openCircle(circle.id) })
      const hostile = await member('Mallory', seed + 4, circle)

      for (let round = 0; round < 40; round++) {
        const author = pick(rng, members)
        await randomEdit(rng, author.replica)
        if (rng.next() < 0.2) {
          // The founder's two devices sometimes sync, so they edit each other's offers concurrently.
          const [a, b] = [members[0]!, members[3]!]
          await b.replica.ingest((await a.storage.entries.getAll(a.replica.topicHex)).map((r) => r.bytes))
          await a.replica.ingest((await b.storage.entries.getAll(b.replica.topicHex)).map((r) => r.bytes))
        }
      }
      await hostile.replica.addOffer(randomOfferDraft(rng))

      // Every valid entry, from every device's own store (each holds at least its own feed).
      const valid = new Map<string, Uint8Array>()
      for (const m of [...members, hostile]) {
        for (const record of await m.storage.entries.getAll(m.replica.topicHex)) valid.set(`${record.feed}/${record.seq}`, record.bytes)
      }
      // The hostile member appends validly signed, chained entries whose Yjs update is garbage.
      const hostileFeed = toHex((await hostile.storage.records.getDevice())!.deviceSecret.slice(32))
      const hostileSecret = (await hostile.storage.records.getDevice())!.deviceSecret
      let head = hostile.replica.heads().get(hostileFeed)!
      let prev = (await hostile.storage.entries.getRange(hostile.replica.topicHex, hostileFeed, head, head))[0]!.hash
      const garbage: Uint8Array[] = []
      for (let i = 0; i < 3; i++) {
        const nonce = rng(24)
        const entry = await signEntry(tweetnaclEd25519, hostileSecret, {
          topic: hostile.replica.topic, feed: hostileSecret.slice(32), seq: ++head, prev, timestamp: 1, nonce,
          ciphertext: sealPayload(circle.key, nonce, { type: 'update', update: rng(40) }),
        })
        garbage.push(entry.bytes)
        prev = entry.hash
      }
      const otherCircle = { id: rng(16), key: rng(32) }
      const invalid: Uint8Array[] = [new Uint8Array(MAX_ENTRY_BYTES + 1)]
      for (const bytes of valid.values()) if (rng.next() < 0.3) invalid.push(...(await corruptions(rng, bytes, otherCircle.key)))
      // A valid entry of another circle.
      const elsewhere = decodeEntry([...valid.values()][0]!)
      if (elsewhere.ok) invalid.push((await signEntry(tweetnaclEd25519, hostileSecret, { ...elsewhere.value, topic: circleTopic(otherCircle), feed: hostileSecret.slice(32) })).bytes)
      const replays = [...valid.values()].filter(() => rng.next() < 0.2)

      // The oracle: each member's doc built straight from the valid updates, no replica involved.
      const oracle = new Map<string, Y.Doc>()
      const joins = new Map<string, string>()
      for (const bytes of valid.values()) {
        const entry = decodeEntry(bytes)
        const payload = entry.ok && openPayload(circle.key, entry.value)
        if (!entry.ok || !payload || !payload.ok) throw new Error('valid entry did not open')
        if (payload.value.type === 'join') joins.set(entry.value.feedId, toHex(payload.value.certificate.identityKey))
      }
      for (const bytes of valid.values()) {
        const entry = decodeEntry(bytes)
        const payload = entry.ok && openPayload(circle.key, entry.value)
        if (entry.ok && payload && payload.ok && payload.value.type === 'update') {
          const owner = joins.get(entry.value.feedId)!
          if (!oracle.has(owner)) oracle.set(owner, new Y.Doc())
          Y.applyUpdate(oracle.get(owner)!, payload.value.update)
        }
      }

      // The receiver gets everything, shuffled, in random batches.
      const receiver = await member('Receiver', seed + 5, circle)
      const everything = shuffle(rng, [...valid.values(), ...garbage, ...invalid, ...replays])
      const reasons = new Map<string, number>()
      for (let at = 0; at < everything.length; ) {
        const size = 1 + Math.floor(rng.next() * 25)
        const report = await receiver.replica.ingest(everything.slice(at, at + size))
        for (const r of report.rejected) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1)
        at += size
      }

      for (const [owner, doc] of oracle) {
        const snapshot = receiver.replica.memberSnapshot(owner)
        expect(snapshot?.raw, `member ${owner.slice(0, 8)}`).toEqual(readRawDoc(doc))
        expect(toHex(snapshot!.stateVector)).toBe(toHex(Y.encodeStateVector(doc)))
      }
      for (const [feed, seq] of receiver.replica.heads()) {
        const expected = feed === hostileFeed ? head : Math.max(...[...valid.keys()].filter((k) => k.startsWith(feed)).map((k) => Number(k.split('/')[1])))
        if (feed !== toHex((await receiver.storage.records.getDevice())!.deviceSecret.slice(32))) expect(seq).toBe(expected)
      }
      expect(reasons.get('bad-update')).toBe(3)
      expect(reasons.get('too-large')).toBe(1)
      expect(reasons.get('unknown-topic')).toBeGreaterThanOrEqual(1)
      for (const reason of ['bad-signature', 'malformed', 'duplicate']) expect(reasons.get(reason), reason).toBeGreaterThan(0)
      // And the read model over those docs is the same as a replica's fed only valid entries, in order.
      const reference = await member('Reference', seed + 6, circle)
      await reference.replica.ingest([...valid.values()])
      const plain = (replica: CircleReplica) => {
        const view = replica.view()
        return { offers: view.offers, wants: view.wants, profiles: [...view.members.values()].filter((m) => m.id !== replica.me).map((m) => m.profile) }
      }
      const fromEverything = plain(receiver.replica)
      expect(fromEverything.offers.length).toBeGreaterThan(5)
      expect(fromEverything).toEqual(plain(reference.replica))
    }, 30_000)
  }
})
