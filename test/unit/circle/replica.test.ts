import 'fake-indexeddb/auto'
import { IDBObjectStore as FakeObjectStore } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../src/core/bytes'
import { tweetnaclEd25519 } from '../../../src/core/ed25519'
import { ZERO_HASH, signEntry } from '../../../src/core/entry'
import { issueCertificate, newSigningKeyPair } from '../../../src/core/keys'
import { sealPayload } from '../../../src/core/payload'
import { Device } from '../../../src/circle/device'
import { ingestBatch } from '../../../src/circle/ingest'
import { Roster } from '../../../src/circle/roster'
import { FeedLog } from '../../../src/core/feed'
import type { CircleReplica } from '../../../src/circle/replica'
import type { Storage } from '../../../src/circle/types'
import type { OfferDraft } from '../../../src/core/model'
import * as idb from 'lib0/indexeddb'
import * as Y from 'yjs'
import { deleteDocData } from '../../../src/store'
import { docDatabaseName } from '../../../src/store/docs'
import { newTestDevice, openTestStorage, testEnvironment } from '../../support/circle-fixtures'

const drill: OfferDraft = {
  kind: 'thing',
  title: 'Cordless drill',
  description: 'Bosch 18 V with two batteries',
  category: 'tools',
  tags: ['drill', 'diy'],
  photos: [],
  availability: 'available',
  handover: 'Front porch',
  contribution: '',
  condition: 'good',
  value: '€120',
  deposit: '',
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A doc's update with one byte changed such that it still decodes (Y.decodeUpdate) but throws when applied. */
function rowThatDecodesButFails(): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = 4242
  doc.getMap('offers').set('x', new Y.Map<unknown>([['title', 'Cordless drill'], ['kind', 'thing']]))
  return decodesButFails(Y.encodeStateAsUpdate(doc))
}

/** `update` with the first one-byte change that still decodes but throws when applied to a new doc. */
function decodesButFails(update: Uint8Array): Uint8Array {
  for (let at = 0; at < update.length; at++) {
    for (let value = 0; value < 256; value++) {
      const row = update.slice()
      row[at] = value
      try {
        Y.decodeUpdate(row)
      } catch {
        continue
      }
      try {
        Y.applyUpdate(new Y.Doc(), row)
      } catch {
        return row
      }
    }
  }
  throw new Error('no such row')
}

async function twoMembers() {
  const ana = await newTestDevice('Ana', 1)
  const ben = await newTestDevice('Ben', 2)
  cleanups.push(() => ana.device.close(), () => ben.device.close())
  const circle = await ana.device.createCircle({ name: 'Elm Street', description: 'Neighbours' })
  await ben.device.joinCircle(circle)
  return { ana, ben, circle, a: await ana.device.openCircle(circle.id), b: await ben.device.openCircle(circle.id) }
}

async function sync(from: CircleReplica, to: CircleReplica, storage: { entries: { getAll(topic: string): Promise<Array<{ bytes: Uint8Array }>> } }) {
  const records = await storage.entries.getAll(from.topicHex)
  return to.ingest(records.map((record) => record.bytes))
}

describe('a circle on one device', () => {
  it('applies a patch given as a function to the offer as its write finds it: two days blocked in a row both stay', async () => {
    const { device } = await newTestDevice('Ana', 4)
    cleanups.push(() => device.close())
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    const replica = await device.openCircle(circle.id)
    const id = await replica.addOffer(drill)
    const toggle = (date: string) => (current: { blockedDates: string[] }) => ({
      blockedDates: current.blockedDates.includes(date) ? current.blockedDates.filter((day) => day !== date) : [...current.blockedDates, date],
    })
    // Both asked for before either is written, as two quick taps on the calendar.
    await Promise.all([replica.updateOffer(id, toggle('2026-12-01')), replica.updateOffer(id, toggle('2026-12-02'))])
    expect(replica.view().offers[0]!.blockedDates).toEqual(['2026-12-01', '2026-12-02'])
    await replica.updateOffer(id, toggle('2026-12-01'))
    expect(replica.view().offers[0]!.blockedDates).toEqual(['2026-12-02'])
  })

  it('keeps offers, wants and the profile across a close and reopen', async () => {
    const { device, storage } = await newTestDevice('Ana', 3)
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    const replica = await device.openCircle(circle.id)
    const id = await replica.addOffer(drill)
    await replica.postWant({ kind: 'borrow', title: 'Ladder', description: 'Saturday', neededFrom: '2026-12-05', neededTo: '2026-12-06', status: 'open' })
    await replica.setProfile({ area: 'Elm Street north' })
    await replica.updateOffer(id, { availability: 'paused' })
    const before = replica.view()
    expect(before.offers).toHaveLength(1)
    expect(before.offers[0]).toMatchObject({ title: 'Cordless drill', availability: 'paused', owner: device.me })
    await device.close()

    const again = await Device.load(storage)
    cleanups.push(() => again!.close())
    expect(again?.me).toBe(device.me)
    const reopened = await again!.openCircle(circle.id)
    expect(reopened.view().offers).toEqual(before.offers)
    expect(reopened.view().wants).toEqual(before.wants)
    expect(reopened.view().members.get(device.me)?.profile).toMatchObject({ name: 'Ana', area: 'Elm Street north' })
    // The feed continues where it stopped: a new write chains onto the stored head.
    await reopened.removeOffer(id)
    expect(reopened.view().offers).toHaveLength(0)
  })

  it('another member receives the entries, sees the same catalogue and cannot edit what they did not write', async () => {
    const { ana, a, b } = await twoMembers()
    const id = await a.addOffer(drill)
    const report = await sync(a, b, ana.storage)
    expect(report.rejected).toEqual([])
    expect(b.view().offers.map((offer) => offer.id)).toEqual([id])
    expect(b.view().members.get(a.me)?.profile.name).toBe('Ana')
    await expect(b.updateOffer(id, { title: 'Mine now' })).rejects.toMatchObject({ name: 'NotYourRecordError' })
    await expect(b.removeOffer('nope')).rejects.toMatchObject({ name: 'UnknownRecordError' })
    // Receiving the same entries again changes nothing and is reported as duplicates.
    const again = await sync(a, b, ana.storage)
    expect(again.accepted).toBe(0)
    expect(new Set(again.rejected.map((r) => r.reason))).toEqual(new Set(['duplicate']))
  })

  /** Ben holds Ana's two offers and has closed his device (snapshots saved); what he should see again. */
  async function benHoldsTwoOffersClosed() {
    const { ana, ben, a, b } = await twoMembers()
    await a.addOffer(drill)
    await a.addOffer({ ...drill, title: 'Ladder' })
    await sync(a, b, ana.storage)
    const expected = b.view().offers
    await ben.device.close()
    return { ana, ben, a, b, expected }
  }

  it('rebuilds a member’s doc from entries when its snapshot is damaged: not bytes, not applying, or a bad mark', async () => {
    const { ben, a, b, expected } = await benHoldsTwoOffersClosed()
    const name = `${b.id}:${a.me}`
    const [saved] = (await ben.storage.snapshots.getSnapshots(name)).filter((snapshot) => snapshot.name === name)
    const damages: Array<[string, Record<string, unknown>]> = [
      ['not bytes', { name, state: 'AQID', covers: saved!.covers }],
      ['not applying', { name, state: decodesButFails(saved!.state), covers: saved!.covers }],
      ['a bad mark', { name, state: saved!.state, covers: { [Object.keys(saved!.covers)[0]!]: 'all' } }],
    ]
    for (const [label, row] of damages) {
      const db = await idb.openDB(ben.storage.name, () => undefined)
      await idb.put(idb.transact(db, ['snapshots'])[0]!, row as unknown as string)
      db.close()
      const reopened = await (await Device.load(ben.storage))!.openCircle(b.id)
      expect(reopened.view().offers, label).toEqual(expected)
      await reopened.close()
    }
  })

  it('reopens other members’ docs from snapshots, and replays entries a stale snapshot misses', async () => {
    const { ana, ben, a, b, expected } = await benHoldsTwoOffersClosed()

    const reopened = await (await Device.load(ben.storage))!.openCircle(b.id)
    expect(reopened.view().offers).toEqual(expected)
    await reopened.close()

    // As if the tab closed after the entries were stored but before the snapshot was: an empty doc
    // that covers nothing. Opening replays Ana's stored entries into it.
    await ben.storage.snapshots.putSnapshots([{ name: `${b.id}:${a.me}`, state: new Uint8Array([0, 0]), covers: {} }])
    const repaired = await (await Device.load(ben.storage))!.openCircle(b.id)
    cleanups.push(() => repaired.close())
    expect(repaired.view().offers).toEqual(expected)
  })

  it('rejects a validly signed entry with a garbage Yjs update as bad-update and keeps syncing the feed', async () => {
    const { ana, a, b } = await twoMembers()
    await sync(a, b, ana.storage)
    const head = [...a.heads()].find(([feed]) => feed !== undefined)!
    const deviceSecret = (await ana.storage.records.getDevice())!.deviceSecret
    const circleKey = ana.device.circles()[0]!.key
    const records = await ana.storage.entries.getRange(a.topicHex, head[0], head[1], head[1])
    const nonce = new Uint8Array(24).fill(3)
    const garbage = await signEntry(tweetnaclEd25519, deviceSecret, {
      topic: a.topic,
      feed: deviceSecret.slice(32),
      seq: head[1] + 1,
      prev: records[0]!.hash,
      timestamp: 5,
      nonce,
      ciphertext: sealPayload(circleKey, nonce, { type: 'update', update: new Uint8Array([255, 255, 255, 1, 2, 3]) }),
    })
    const report = await b.ingest([garbage.bytes])
    expect(report.rejected).toMatchObject([{ reason: 'bad-update', seq: head[1] + 1 }])
    expect(b.view().offers).toHaveLength(0)
  })

  it('rejects a feed without a valid join as not-admitted, and a forged certificate as bad-certificate', async () => {
    const { a, b, circle } = await twoMembers()
    const stranger = newSigningKeyPair(() => new Uint8Array(32).fill(9))
    const nonce = new Uint8Array(24).fill(1)
    const entry = (seq: number, prev: Uint8Array, payload: Parameters<typeof sealPayload>[2]) =>
      signEntry(tweetnaclEd25519, stranger.secretKey, {
        topic: a.topic, feed: stranger.publicKey, seq, prev, timestamp: 1, nonce, ciphertext: sealPayload(circle.key, nonce, payload),
      })
    // A certificate for another device key than the feed's is not a valid join.
    const wrongDevice = await issueCertificate(tweetnaclEd25519, stranger, new Uint8Array(32), fromHex(circle.id)!, 1)
    const join = await entry(0, ZERO_HASH, { type: 'join', certificate: wrongDevice, name: 'Eve', boxPublicKey: new Uint8Array(32) })
    const update = await entry(1, join.hash, { type: 'update', update: new Uint8Array([0, 0]) })
    const report = await b.ingest([join.bytes, update.bytes])
    expect(report.rejected.map((r) => r.reason)).toEqual(['bad-certificate', 'not-admitted'])
    expect(report.accepted).toBe(0)
    expect(b.view().members.size).toBe(1)
    // Nothing of a feed without a valid join is kept, held or served: a stranger cannot fill storage.
    const strangerFeed = toHex(stranger.publicKey)
    expect(b.heads().has(strangerFeed)).toBe(false)
    expect(await b.range(strangerFeed, 0, 1)).toEqual([])
    // Garbage at seq 0 (random ciphertext), then an update chained to it: the same.
    const garbageJoin = await signEntry(tweetnaclEd25519, stranger.secretKey, {
      topic: a.topic, feed: stranger.publicKey, seq: 0, prev: ZERO_HASH, timestamp: 1, nonce, ciphertext: new Uint8Array(80).fill(5),
    })
    const next = await entry(1, garbageJoin.hash, { type: 'update', update: new Uint8Array([0, 0]) })
    const again = await b.ingest([garbageJoin.bytes, next.bytes])
    expect(again.rejected.map((r) => r.reason)).toEqual(['undecryptable', 'not-admitted'])
    expect(b.heads().has(strangerFeed)).toBe(false)
    // Its seq 0 may still come right later: the feed was forgotten, not frozen.
    const goodCertificate = await issueCertificate(tweetnaclEd25519, stranger, stranger.publicKey, fromHex(circle.id)!, 1)
    const validJoin = await entry(0, ZERO_HASH, { type: 'join', certificate: goodCertificate, name: 'Eve', boxPublicKey: new Uint8Array(32) })
    expect((await b.ingest([validJoin.bytes])).accepted).toBe(1)
    expect(b.heads().get(strangerFeed)).toBe(0)
  })

  it('keeps fork evidence and freezes the feed', async () => {
    const { ana, ben, a, b } = await twoMembers()
    await a.addOffer(drill)
    await sync(a, b, ana.storage)
    // Ana's device key used from a second place (a copied browser profile) writes another seq 2.
    const deviceSecret = (await ana.storage.records.getDevice())!.deviceSecret
    const feed = [...a.heads()].find(([, seq]) => seq === 2)![0]
    const [seq1] = await ana.storage.entries.getRange(a.topicHex, feed, 1, 1)
    const nonce = new Uint8Array(24).fill(4)
    const forked = await signEntry(tweetnaclEd25519, deviceSecret, {
      topic: a.topic, feed: deviceSecret.slice(32), seq: 2, prev: seq1!.hash, timestamp: 9, nonce,
      ciphertext: sealPayload(ana.device.circles()[0]!.key, nonce, { type: 'update', update: new Uint8Array([0, 0]) }),
    })
    const report = await b.ingest([forked.bytes])
    expect(report.rejected).toMatchObject([{ reason: 'fork', seq: 2 }])
    expect(await ben.storage.entries.getForks(b.topicHex)).toMatchObject([{ feed, seq: 2 }])
    expect((await ben.storage.entries.getForks(b.topicHex))[0]!.entries).toHaveLength(2)
    await a.addOffer({ ...drill, title: 'Saw' })
    const after = await sync(a, b, ana.storage)
    expect(after.rejected.map((r) => r.reason)).toContain('frozen')
    expect(b.view().offers.map((o) => o.title)).toEqual(['Cordless drill'])
    // Frozen stays frozen after a restart.
    await ben.device.close()
    const reopened = await (await Device.load(ben.storage))!.openCircle(b.id)
    cleanups.push(() => reopened.close())
    expect((await sync(a, reopened, ana.storage)).rejected.map((r) => r.reason)).toContain('frozen')
  })
})

/** What the replica reported as signed and not stored while `write` ran. */
async function unstoredWhile(replica: CircleReplica, write: () => Promise<unknown>): Promise<unknown[]> {
  const reported: unknown[] = []
  const stop = replica.subscribeUnstored((error) => reported.push(error))
  try {
    await write()
  } finally {
    stop()
  }
  return reported
}

/** Real storage whose entry writes fail while `full` is set, as on a full disk. */
function fillable(storage: Storage) {
  const disk = { full: false }
  const entries = storage.entries
  const wrapped: Storage = {
    ...storage,
    entries: {
      ...entries,
      putEntries: async (records) => {
        if (disk.full) throw new DOMException('The disk is full', 'QuotaExceededError')
        return entries.putEntries(records)
      },
    },
  }
  return { storage: wrapped, disk }
}

async function withFillableMember(seed: number) {
  const ana = await newTestDevice('Ana', seed)
  const raw = await openTestStorage('Ben')
  const ben = fillable(raw)
  const device = await Device.create(ben.storage, 'Ben', testEnvironment(seed + 1))
  cleanups.push(() => ana.device.close(), () => device.close())
  const circle = await ana.device.createCircle({ name: 'Elm Street', description: '' })
  await device.joinCircle(circle)
  const a = await ana.device.openCircle(circle.id)
  const b = await device.openCircle(circle.id)
  const benFeed = toHex((await raw.records.getDevice())!.deviceSecret.slice(32))
  return { ana, a, b, ben: { ...ben, raw, feed: benFeed } }
}

/** A device alone in a new circle, on storage whose entry writes can be made to fail; one offer written. */
async function fillableDeviceWithAnOffer(seed: number) {
  const raw = await openTestStorage('Ben')
  const ben = fillable(raw)
  const device = await Device.create(ben.storage, 'Ben', testEnvironment(seed))
  const circle = await device.createCircle({ name: 'Elm Street', description: '' })
  const replica = await device.openCircle(circle.id)
  await replica.addOffer(drill)
  return { raw, ben, device, circle, replica }
}

/** Every range of entries read from `storage` from now on, as [from, to]. */
function recordRanges(storage: Storage): Array<[number, number | undefined]> {
  const ranges: Array<[number, number | undefined]> = []
  const getRange = storage.entries.getRange.bind(storage.entries)
  storage.entries.getRange = (topic, feed, from, to) => {
    ranges.push([from, to])
    return getRange(topic, feed, from, to)
  }
  return ranges
}

describe('this device’s own doc and its entries', () => {
  it('saves a local edit into the doc only once its entry is stored', async () => {
    const { device, storage } = await newTestDevice('Ana', 81)
    cleanups.push(() => device.close())
    const replica = await device.openCircle((await device.createCircle({ name: 'Elm Street', description: '' })).id)
    const order: string[] = []
    const putEntries = storage.entries.putEntries.bind(storage.entries)
    storage.entries.putEntries = async (records) => {
      order.push('entry written')
      await putEntries(records)
      order.push('entry stored')
    }
    const { add } = FakeObjectStore.prototype
    FakeObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (this.name === 'updates') order.push('doc update written')
      return add.apply(this, args)
    }
    try {
      await replica.addOffer(drill)
    } finally {
      FakeObjectStore.prototype.add = add
    }
    expect(order).toEqual(['entry written', 'entry stored', 'doc update written'])
  })

  it('keeps an edit out of the doc on disk while its entry cannot be written, and saves it once a later write stores it', async () => {
    const { b, ben } = await withFillableMember(84)
    const saved: string[] = []
    const { add } = FakeObjectStore.prototype
    FakeObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (this.name === 'updates') saved.push('doc update')
      return add.apply(this, args)
    }
    try {
      ben.disk.full = true
      // Signed and shared, so the edit stands; storing it here failed, and the replica says so.
      expect(await unstoredWhile(b, () => b.addOffer(drill))).toMatchObject([{ name: 'QuotaExceededError' }])
      expect(saved).toEqual([])
      ben.disk.full = false
      await b.addOffer({ ...drill, title: 'Ladder' })
      expect(saved).toEqual(['doc update', 'doc update'])
    } finally {
      FakeObjectStore.prototype.add = add
    }
  })

  it('closes while an edit’s entry still cannot be written without writing the edit into the doc, and stores it on the next opening', async () => {
    const { raw, ben, device, circle, replica } = await fillableDeviceWithAnOffer(85)
    const feed = toHex((await raw.records.getDevice())!.deviceSecret.slice(32))
    const before = replica.heads().get(feed)!
    ben.disk.full = true
    // Signed and shared, so the edit stands; storing it here failed, and the replica says so.
    expect(await unstoredWhile(replica, () => replica.addOffer({ ...drill, title: 'Ladder' }))).toMatchObject([{ name: 'QuotaExceededError' }])
    // Its own doc's mark is due, and waits behind the held edit: closing must not wait for it.
    expect(replica.closed).toBe(false)
    await device.close()
    expect(replica.closed).toBe(true)

    // The entry was signed and handed to the network, so it is this device's: the next opening
    // stores it (it may be on every peer already) before anything new is signed after it.
    ben.disk.full = false
    const again = (await Device.load(raw))!
    cleanups.push(() => again.close())
    const reopened = await again.openCircle(circle.id)
    expect(reopened.heads().get(feed)).toBe(before + 1)
    expect(reopened.view().offers.map((offer) => offer.title).sort()).toEqual(['Cordless drill', 'Ladder'])
    await reopened.addOffer({ ...drill, title: 'Wheelbarrow' })
    expect(reopened.heads().get(feed)).toBe(before + 2)
    expect(raw.journal.noted(reopened.topicHex, feed)).toEqual([])
  })

  it('stores an own entry that was sent but never stored (the tab closed first) when the circle opens again, so the next edit follows it rather than forking the feed', async () => {
    const { a, b, ben } = await withFillableMember(87)
    await sync(b, a, ben.raw)
    const sent: Uint8Array[] = []
    b.subscribeEntries((record, own) => own && sent.push(record.bytes))
    // The tab closes while the entry's write is under way: the write never finishes. (Failed at the
    // end of the test, so that the dead replica's cleanup can run.)
    const putEntries = ben.storage.entries.putEntries
    let dies = (_error: Error) => {}
    ben.storage.entries.putEntries = () => new Promise((_, failed) => (dies = failed))
    const lost = b.addOffer({ ...drill, title: 'Ladder' }).catch(() => undefined)
    await expect.poll(() => sent.length).toBe(1)
    // A peer got it live. Then the page goes away (pagehide, in the app).
    expect((await a.ingest(sent)).accepted).toBe(1)
    b.pageHidden(true)

    // The next start of the app, on the same disk. (The dead tab's replica is never closed.)
    ben.storage.entries.putEntries = putEntries
    const again = (await Device.load(ben.raw))!
    cleanups.push(() => again.close())
    const reopened = await again.openCircle(b.id)
    expect(reopened.view().offers.map((offer) => offer.title)).toEqual(['Ladder'])
    await reopened.addOffer({ ...drill, title: 'Wheelbarrow' })
    const report = await sync(reopened, a, ben.raw)
    expect(report.rejected.filter((rejection) => rejection.reason !== 'duplicate')).toEqual([])
    expect(a.view().offers.map((offer) => offer.title).sort()).toEqual(['Ladder', 'Wheelbarrow'])
    expect(a.heads().get(ben.feed)).toBe(reopened.heads().get(ben.feed))
    dies(new Error('the tab is gone'))
    await lost
  })

  it('notes each own entry in the journal from just after it leaves until it is stored', async () => {
    const { device, storage } = await newTestDevice('Ana', 90)
    cleanups.push(() => device.close())
    const replica = await device.openCircle((await device.createCircle({ name: 'Elm Street', description: '' })).id)
    const feed = toHex((await storage.records.getDevice())!.deviceSecret.slice(32))
    const noted = () => storage.journal.noted(replica.topicHex, feed).map((item) => item.seq)
    let notes = 0
    const note = storage.journal.note.bind(storage.journal)
    storage.journal.note = (record) => {
      notes++
      return note(record)
    }
    // What the journal held when the network had the entry: the note comes after the send.
    const atSend: number[][] = []
    replica.subscribeEntries((_record, own) => own && queueMicrotask(() => atSend.push(noted())))
    const putEntries = storage.entries.putEntries.bind(storage.entries)
    let land = () => {}
    storage.entries.putEntries = (records) => new Promise((done) => (land = () => done(putEntries(records))))

    const ladder = replica.addOffer({ ...drill, title: 'Ladder' })
    await expect.poll(noted).toEqual([2])
    expect(atSend).toEqual([[]])
    // Hidden meanwhile (the page may then be discarded): it is noted once, not twice.
    replica.pageHidden(true)
    expect(noted()).toEqual([2])
    expect(notes).toBe(1)
    land()
    await ladder
    expect(noted()).toEqual([])
    storage.entries.putEntries = putEntries
    replica.pageHidden(false)
    await replica.addOffer({ ...drill, title: 'Tent' })
    expect(noted()).toEqual([])
    expect(replica.heads().get(feed)).toBe(3)
  })

  it('notes an entry again when the page is hidden if its first note failed (a full localStorage)', async () => {
    const { device, storage } = await newTestDevice('Ana', 91)
    cleanups.push(() => device.close())
    const replica = await device.openCircle((await device.createCircle({ name: 'Elm Street', description: '' })).id)
    const feed = toHex((await storage.records.getDevice())!.deviceSecret.slice(32))
    const note = storage.journal.note.bind(storage.journal)
    let full = true
    storage.journal.note = (record) => (full ? false : note(record))
    const putEntries = storage.entries.putEntries.bind(storage.entries)
    let land = () => {}
    storage.entries.putEntries = (records) => new Promise((done) => (land = () => done(putEntries(records))))
    const sent: number[] = []
    replica.subscribeEntries((record, own) => own && sent.push(record.seq))
    const ladder = replica.addOffer({ ...drill, title: 'Ladder' })
    await expect.poll(() => sent).toEqual([2])
    await new Promise((wait) => setTimeout(wait, 5))
    expect(storage.journal.noted(replica.topicHex, feed)).toEqual([])
    full = false
    replica.pageHidden(true)
    expect(storage.journal.noted(replica.topicHex, feed).map((item) => item.seq)).toEqual([2])
    land()
    await ladder
    expect(storage.journal.noted(replica.topicHex, feed)).toEqual([])
  })

  it('drops what it cannot use from the journal of unstored entries, and opens normally', async () => {
    const { device, storage } = await newTestDevice('Ana', 88)
    cleanups.push(() => device.close())
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    const replica = await device.openCircle(circle.id)
    await replica.addOffer(drill)
    const deviceSecret = (await storage.records.getDevice())!.deviceSecret
    const feed = toHex(deviceSecret.slice(32))
    const head = replica.heads().get(feed)!
    const [stored] = await storage.entries.getRange(replica.topicHex, feed, head, head)
    const [before] = await storage.entries.getRange(replica.topicHex, feed, head - 1, head - 1)
    const nonce = new Uint8Array(24).fill(6)
    const signedBy = (secret: Uint8Array, seq: number, prev: Uint8Array) =>
      signEntry(tweetnaclEd25519, secret, {
        topic: replica.topic, feed: deviceSecret.slice(32), seq, prev, timestamp: 7, nonce,
        ciphertext: sealPayload(circle.key, nonce, { type: 'update', update: new Uint8Array([0, 0]) }),
      })
    // Signed twice at a stored seq (as two tabs once could): ingesting it would freeze this device's
    // own feed as a fork.
    const twice = await signedBy(deviceSecret, head, before!.hash)
    const forged = await signedBy(newSigningKeyPair(() => new Uint8Array(32).fill(5)).secretKey, head + 1, stored!.hash)
    await device.close()
    const note = (seq: number, bytes: Uint8Array) => storage.journal.note({ topic: replica.topicHex, feed, seq, hash: new Uint8Array(32), bytes })
    note(head - 1, before!.bytes)
    note(head, twice.bytes)
    note(head + 1, forged.bytes)
    note(head + 2, new Uint8Array([1, 2, 3]))

    const again = (await Device.load(storage))!
    cleanups.push(() => again.close())
    const reopened = await again.openCircle(circle.id)
    expect(reopened.heads().get(feed)).toBe(head)
    expect(await storage.entries.getForks(replica.topicHex)).toEqual([])
    expect(storage.journal.noted(replica.topicHex, feed)).toEqual([])
    await reopened.addOffer({ ...drill, title: 'Ladder' })
    expect(reopened.heads().get(feed)).toBe(head + 1)
  })

  it('opens while the disk is still full, showing a noted edit, and stores it with the next write that succeeds', async () => {
    const { raw, ben, device, circle, replica } = await fillableDeviceWithAnOffer(89)
    const feed = toHex((await raw.records.getDevice())!.deviceSecret.slice(32))
    const before = replica.heads().get(feed)!
    ben.disk.full = true
    // Signed and shared, so the edit stands; storing it here failed, and the replica says so.
    expect(await unstoredWhile(replica, () => replica.addOffer({ ...drill, title: 'Ladder' }))).toMatchObject([{ name: 'QuotaExceededError' }])
    await device.close()

    const again = (await Device.load(ben.storage))!
    cleanups.push(() => again.close())
    const reopened = await again.openCircle(circle.id)
    expect(reopened.view().offers.map((offer) => offer.title).sort()).toEqual(['Cordless drill', 'Ladder'])
    expect(reopened.heads().get(feed)).toBe(before)
    expect(raw.journal.noted(reopened.topicHex, feed)).toHaveLength(1)

    ben.disk.full = false
    await reopened.addOffer({ ...drill, title: 'Wheelbarrow' })
    expect(reopened.heads().get(feed)).toBe(before + 2)
    expect(raw.journal.noted(reopened.topicHex, feed)).toEqual([])
  })

  it('gets back an edit whose entry was stored but whose doc save never happened (a crash between the two writes)', async () => {
    const { device, storage } = await newTestDevice('Ana', 86)
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    await (await device.openCircle(circle.id)).addOffer(drill)
    await device.close()

    // The doc's saves are held from now on and never let go: the tab "dies" before any is made.
    const crashing: Storage = {
      ...storage,
      attachDoc: async (name, doc) => {
        const attachment = await storage.attachDoc(name, doc)
        return { ...attachment, hold: () => (attachment.hold(), () => undefined) }
      },
    }
    const dying = (await Device.load(crashing))!
    const replica = await dying.openCircle(circle.id)
    await replica.addOffer({ ...drill, title: 'Ladder' })
    await dying.close()

    const again = (await Device.load(storage))!
    cleanups.push(() => again.close())
    const reopened = await again.openCircle(circle.id)
    expect(reopened.view().offers.map((offer) => offer.title).sort()).toEqual(['Cordless drill', 'Ladder'])
  })

  it('marks an edit its last write at closing stored, so the next opening replays nothing', { timeout: 15_000 }, async () => {
    const { raw, ben, device, circle, replica } = await fillableDeviceWithAnOffer(87)
    // The mark for that write goes out once edits pause.
    await new Promise((done) => setTimeout(done, 1_500))
    ben.disk.full = true
    // Signed and shared, so the edit stands; storing it here failed, and the replica says so.
    expect(await unstoredWhile(replica, () => replica.addOffer({ ...drill, title: 'Ladder' }))).toMatchObject([{ name: 'QuotaExceededError' }])
    ben.disk.full = false
    await device.close()

    const again = (await Device.load(raw))!
    cleanups.push(() => again.close())
    const ranges = recordRanges(raw)
    const reopened = await again.openCircle(circle.id)
    expect(reopened.view().offers.map((offer) => offer.title).sort()).toEqual(['Cordless drill', 'Ladder'])
    expect(ranges).toEqual([[0, 0]])
  })

  it('keeps writing when an entry listener throws: the listener’s error is reported, the write is stored and saved', async () => {
    const { device, storage } = await newTestDevice('Ana', 88)
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    const replica = await device.openCircle(circle.id)
    const reported: unknown[] = []
    const previous = (globalThis as { reportError?: unknown }).reportError
    ;(globalThis as { reportError?: unknown }).reportError = (error: unknown) => reported.push(error)
    try {
      replica.subscribeEntries(() => {
        throw new Error('listener failed')
      })
      await replica.addOffer(drill)
    } finally {
      ;(globalThis as { reportError?: unknown }).reportError = previous
    }
    expect(reported).toEqual([expect.objectContaining({ message: 'listener failed' })])
    await device.close()
    const again = (await Device.load(storage))!
    cleanups.push(() => again.close())
    expect((await again.openCircle(circle.id)).view().offers.map((offer) => offer.title)).toEqual(['Cordless drill'])
  })

  it('is rebuilt from its stored entries when its database lost them (a crash between the two writes)', async () => {
    const { device, storage } = await newTestDevice('Ana', 82)
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    const replica = await device.openCircle(circle.id)
    await replica.setProfile({ area: 'Elm Street north' })
    await replica.addOffer(drill)
    const before = replica.view()
    await device.close()
    await deleteDocData(`${circle.id}:${device.me}`, { storageName: storage.name })

    const again = (await Device.load(storage))!
    const reopened = await again.openCircle(circle.id)
    expect(reopened.view().offers).toEqual(before.offers)
    expect(reopened.view().members.get(device.me)?.profile).toMatchObject({ name: 'Ana', area: 'Elm Street north' })
    // What was replayed is saved into the doc again.
    await again.close()
    const third = (await Device.load(storage))!
    cleanups.push(() => third.close())
    expect((await third.openCircle(circle.id)).view().offers).toEqual(before.offers)
  })

  it('opens with a damaged row in its own doc’s saved updates, rebuilding the doc from its stored entries', async () => {
    // A truncated row, as a disk fault leaves one, and a row with one byte changed that still decodes
    // as an update but throws when applied: y-indexeddb alone would never finish loading either.
    for (const [label, row] of [['truncated', new Uint8Array([5, 200, 1])], ['applies badly', rowThatDecodesButFails()]] as const) {
      const storage = await openTestStorage('damaged-doc')
      const device = await Device.create(storage, 'Ana', testEnvironment(92))
      const circle = await device.createCircle({ name: 'Elm Street', description: '' })
      const replica = await device.openCircle(circle.id)
      await replica.addOffer(drill)
      const before = replica.view()
      await device.close()
      const db = await idb.openDB(docDatabaseName(storage.name, `${circle.id}:${device.me}`), () => undefined)
      await idb.addAutoKey(idb.transact(db, ['updates'])[0]!, row as unknown as ArrayBuffer)
      db.close()

      const again = (await Device.load(storage))!
      cleanups.push(() => again.close())
      const reopened = await again.openCircle(circle.id)
      expect(reopened.view().offers, label).toEqual(before.offers)
      await reopened.addOffer({ ...drill, title: 'Ladder' })
      expect(reopened.view().offers.map((offer) => offer.title).sort(), label).toEqual(['Cordless drill', 'Ladder'])
    }
  })

  it('replays none of the entries its doc is marked as including', async () => {
    const { device, storage } = await newTestDevice('Ana', 83)
    const circle = await device.createCircle({ name: 'Elm Street', description: '' })
    const replica = await device.openCircle(circle.id)
    await replica.addOffer(drill)
    await replica.addOffer({ ...drill, title: 'Ladder' })
    await device.close()

    const again = (await Device.load(storage))!
    cleanups.push(() => again.close())
    const ranges = recordRanges(storage)
    const reopened = await again.openCircle(circle.id)
    expect(reopened.view().offers).toHaveLength(2)
    // Only the join is read; everything after it is in the doc already.
    expect(ranges).toEqual([[0, 0]])
  })
})

describe('writes that fail', () => {
  it('applies received entries while storing them; a failed write counts nothing as held, and is done with the next ingest', async () => {
    const { ana, a, b, ben } = await withFillableMember(61)
    await a.addOffer(drill)
    const anaFeed = [...a.heads().keys()].find((feed) => !b.heads().has(feed))!
    const entries = (await ana.storage.entries.getAll(a.topicHex)).map((record) => record.bytes)
    const passedOn: number[] = []
    b.subscribeEntries((record) => passedOn.push(record.seq))

    ben.disk.full = true
    await expect(b.ingest(entries)).rejects.toMatchObject({ name: 'QuotaExceededError' })
    // Applied while the write ran; but not held, not passed on, not in storage.
    expect(b.view().offers.map((offer) => offer.title)).toEqual(['Cordless drill'])
    expect(b.heads().has(anaFeed)).toBe(false)
    expect(passedOn).toEqual([])
    expect((await ben.raw.entries.getAll(b.topicHex)).some((record) => record.feed === anaFeed)).toBe(false)

    ben.disk.full = false
    // The same entries again: already accepted, so duplicates (never applied twice); the pending
    // write goes first and now succeeds.
    const again = await b.ingest(entries)
    expect(again.accepted).toBe(0)
    expect(new Set(again.rejected.map((rejection) => rejection.reason))).toEqual(new Set(['duplicate']))
    expect(b.heads().get(anaFeed)).toBe(a.heads().get(anaFeed))
    expect((await ben.raw.entries.getAll(b.topicHex)).filter((record) => record.feed === anaFeed)).toHaveLength(entries.length)
    expect(passedOn).toHaveLength(entries.length)
    expect(b.view().offers).toHaveLength(1)
  })

  it('passes a local entry on as soon as it is signed; it counts as held only once written, with the next write if need be', async () => {
    const { b, ben } = await withFillableMember(71)
    const before = b.heads().get(ben.feed)!
    const passedOn: number[] = []
    const heldWhenTold: number[] = []
    b.subscribeEntries((record) => passedOn.push(record.seq))
    b.subscribeStored(() => heldWhenTold.push(b.heads().get(ben.feed)!))

    ben.disk.full = true
    // Signed and shared, so the edit stands; storing it here failed, and the replica says so.
    expect(await unstoredWhile(b, () => b.addOffer(drill))).toMatchObject([{ name: 'QuotaExceededError' }])
    expect(passedOn).toEqual([before + 1])
    expect(b.heads().get(ben.feed)).toBe(before)
    expect(heldWhenTold).toEqual([])

    ben.disk.full = false
    await b.addOffer({ ...drill, title: 'Ladder' })
    expect(passedOn).toEqual([before + 1, before + 2])
    expect(b.heads().get(ben.feed)).toBe(before + 2)
    expect(heldWhenTold).toEqual([before + 2])
    const stored = await ben.raw.entries.getRange(b.topicHex, ben.feed, before + 1, before + 2)
    expect(stored.map((record) => record.seq)).toEqual([before + 1, before + 2])
  })
})

describe('a live edit on the receiving side', () => {
  it('is shown before it is written: listeners see it while nothing of it is held or stored yet', async () => {
    const { ana, ben, a, b } = await twoMembers()
    await sync(a, b, ana.storage)
    await a.addOffer(drill)
    const anaFeed = [...a.heads().keys()].find((feed) => a.memberOfDevice(feed) === a.me)!
    const [latest] = await ana.storage.entries.getRange(a.topicHex, anaFeed, a.heads().get(anaFeed)!, a.heads().get(anaFeed)!)
    let writes = 0
    const putEntries = ben.storage.entries.putEntries.bind(ben.storage.entries)
    ben.storage.entries.putEntries = (records) => {
      writes++
      return putEntries(records)
    }
    const seen: Array<{ titles: string[]; held: number | undefined; writes: number }> = []
    b.subscribe(() => seen.push({ titles: b.view().offers.map((offer) => offer.title), held: b.heads().get(anaFeed), writes }))

    await b.ingest([latest!.bytes])
    expect(seen[0]).toEqual({ titles: ['Cordless drill'], held: a.heads().get(anaFeed)! - 1, writes: 0 })
    expect(writes).toBe(1)
    expect(b.heads().get(anaFeed)).toBe(a.heads().get(anaFeed))
  })

  it('saves other members’ doc snapshots later, once for many edits, and at the latest on close', async () => {
    const { ana, ben, a, b, circle } = await twoMembers()
    await sync(a, b, ana.storage)
    const name = `${circle.id}:${a.me}`
    const saved = async () => (await ben.storage.snapshots.getSnapshots(`${circle.id}:`)).find((snapshot) => snapshot.name === name)
    const before = await saved()
    await a.addOffer({ ...drill, title: 'Ladder' })
    await sync(a, b, ana.storage)
    // Not written with the ingest: a live edit does not pay for encoding its author's whole doc.
    expect((await saved())?.covers).toEqual(before?.covers)

    await ben.device.close()
    const after = await saved()
    expect(Object.values(after!.covers)).toEqual([a.heads().get([...a.heads().keys()].find((feed) => a.memberOfDevice(feed) === a.me)!)])
  })
})

describe('verifying a batch by its hash chains', () => {
  it('rejects only a forged entry in the middle of a batch; the entries after it wait, then apply when the real one comes', async () => {
    const { ana, a, b } = await twoMembers()
    for (let i = 0; i < 6; i++) await a.addOffer({ ...drill, title: `Tool ${i}` })
    const feed = [...a.heads().keys()].find((key) => !b.heads().has(key))!
    const records = await ana.storage.entries.getRange(a.topicHex, feed, 0, a.heads().get(feed)!)
    const forged = records[4]!.bytes.slice()
    forged.set(new Uint8Array(64).fill(7), forged.length - 64)
    const batch = records.map((record, index) => (index === 4 ? forged : record.bytes))
    const report = await b.ingest(batch)
    expect(report.rejected).toEqual([{ reason: 'bad-signature', feed, seq: 4 }])
    expect(report.buffered).toBe(records.length - 5)
    const missing = await b.ingest([records[4]!.bytes])
    expect(missing.accepted).toBe(records.length - 4)
    expect(b.view().offers.map((offer) => offer.title).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `Tool ${i}`))
  })
})

describe('an ingest whose storage read fails on the way', () => {
  it('loses nothing: an entry accepted before the failed read is stored, and the feed has no hole', async () => {
    const { ana, ben, a, b } = await twoMembers()
    for (let i = 0; i < 6; i++) await a.addOffer({ ...drill, title: `Tool ${i}` })
    const feed = [...a.heads().keys()].find((key) => a.memberOfDevice(key) === a.me)!
    const records = (await ana.storage.entries.getRange(a.topicHex, feed, 0, a.heads().get(feed)!)).map((record) => record.bytes)
    await b.ingest(records.slice(0, 5))
    // Ben starts again (so seq 1 is known by its stored row only), and that row's read fails once.
    await ben.device.close()
    const again = await (await Device.load(ben.storage))!.openCircle(b.id)
    cleanups.push(() => again.close())
    const entries = ben.storage.entries
    const getRange = entries.getRange.bind(entries)
    let failures = 1
    entries.getRange = async (...args: Parameters<typeof getRange>) => {
      if (failures-- > 0) throw new DOMException('Failed to read', 'UnknownError')
      return getRange(...args)
    }
    const report = await again.ingest([records[5]!, records[1]!])
    expect(report.accepted).toBe(1)
    expect(report.rejected).toEqual([{ reason: 'duplicate', detail: 'below head, not stored', feed, seq: 1 }])
    expect(await again.ingest(records.slice(6))).toMatchObject({ accepted: records.length - 6, rejected: [] })
    expect((await getRange(b.topicHex, feed, 0, records.length)).map((record) => record.seq)).toEqual(records.map((_, seq) => seq))
    expect(again.view().offers.map((offer) => offer.title).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `Tool ${i}`))
  })
})

describe('a full early buffer', () => {
  it('refuses an entry that does not fit, and asks for it again in order from its feed’s head', async () => {
    const { ana, ben, a, b, circle } = await twoMembers()
    for (let i = 0; i < 4; i++) await a.addOffer({ ...drill, title: `Tool ${i}` })
    for (let i = 0; i < 4; i++) await b.addOffer({ ...drill, title: `Bike ${i}` })
    const feedOf = (replica: CircleReplica) => [...replica.heads().keys()].find((feed) => replica.memberOfDevice(feed) === replica.me)!
    const rangeOf = async (storage: Storage, replica: CircleReplica) => (await storage.entries.getRange(replica.topicHex, feedOf(replica), 0, 10)).map((record) => record.bytes)
    const [anas, bens] = [await rangeOf(ana.storage, a), await rangeOf(ben.storage, b)]
    // Room for two members' early entries (and two strangers', unused here).
    const feeds = new FeedLog({ perFeed: 8, total: 4, totalBytes: 1 << 20, strangers: 2, strangerBytes: 1 << 10 })
    const context = {
      ed: tweetnaclEd25519,
      topic: a.topic,
      circleId: fromHex(circle.id)!,
      circleKey: circle.key,
      feeds,
      roster: new Roster(),
      stored: async () => undefined,
    }
    // Both feeds begin; Ana's later entries take the whole buffer, and Ben's early one finds no room.
    const report = await ingestBatch(context, [anas[0]!, bens[0]!, anas[3]!, anas[4]!, bens[3]!])
    expect(report.rejected).toEqual([{ reason: 'buffer-full', feed: feedOf(b), seq: 3 }])
    expect(report.gaps).toEqual([
      { feed: feedOf(a), from: 1, to: 2 },
      { feed: feedOf(b), from: 1, to: 3 },
    ])
  })
})

describe('restoring from the recovery phrase', () => {
  it('brings back the same identity with a new device key', async () => {
    const { device, storage } = await newTestDevice('Ana', 41)
    cleanups.push(() => device.close())
    const words = device.recoveryPhrase()
    expect(words).toHaveLength(24)
    const fresh = await newTestDevice('Placeholder', 42)
    cleanups.push(() => fresh.device.close())
    const restored = await Device.restoreFromPhrase(fresh.storage, words, 'Ana again', fresh.env)
    cleanups.push(() => restored.close())
    expect(restored.me).toBe(device.me)
    expect(restored.name).toBe('Ana again')
    const [original, again] = [await storage.records.getDevice(), await fresh.storage.records.getDevice()]
    expect(again!.deviceSecret).not.toEqual(original!.deviceSecret)
    expect(again!.boxSecret).toEqual(original!.boxSecret)
    await expect(Device.restoreFromPhrase(fresh.storage, words.slice(1), 'x', fresh.env)).rejects.toMatchObject({ name: 'InvalidPhraseError' })
  })
})
