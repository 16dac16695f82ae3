/**
 * Bookings between real replicas: real keys, signed entries, fake-indexeddb storage, entries carried
 * between devices by ingest, as the network would. Includes the tampering case: a borrower's own
 * validly signed entry that writes the owner's "accepted" into the borrower's doc is ignored.
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { writeRecord } from '../../../src/circle/member-doc'
import { bookingActions } from '../../../src/core/booking-rules'
import {
  actOnBooking,
  answerWant,
  autoAcceptRequests,
  circleBookings,
  circleMessages,
  findBooking,
  recordHandovers,
  requestBooking,
  sendMessage,
} from '../../../src/circle/bookings'
import type { CircleReplica } from '../../../src/circle/replica'
import { isTaggedBookingId } from '../../../src/core/booking-id'
import { readBookingSides } from '../../../src/core/booking-read'
import { bookingThread, wantAnswers } from '../../../src/core/messages'
import type { OfferDraft, ReadProblem } from '../../../src/core/model'
import { newTestDevice } from '../../support/circle-fixtures'

const drill: OfferDraft = {
  kind: 'thing', title: 'Cordless drill', description: '', category: 'tools', tags: [], photos: [],
  availability: 'available', handover: 'Front porch', contribution: '', condition: 'good', value: '', deposit: '',
}
const TODAY = '2026-12-01'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

type Member = Awaited<ReturnType<typeof newTestDevice>> & { replica: CircleReplica }

async function circleOf(names: string[]): Promise<Member[]> {
  const devices = await Promise.all(names.map((name, i) => newTestDevice(name, 100 + i)))
  for (const { device } of devices) cleanups.push(() => device.close())
  const circle = await devices[0]!.device.createCircle({ name: 'Elm Street', description: '' })
  for (const { device } of devices.slice(1)) await device.joinCircle(circle)
  return Promise.all(devices.map(async (member) => ({ ...member, replica: await member.device.openCircle(circle.id) })))
}

/** Every member receives every entry every other member stores, as after a full sync. */
async function syncAll(members: Member[]): Promise<void> {
  for (const from of members) {
    const records = await from.storage.entries.getAll(from.replica.topicHex)
    for (const to of members) {
      if (to === from) continue
      const report = await to.replica.ingest(records.map((record) => record.bytes))
      expect(report.rejected.filter((r) => r.reason !== 'duplicate')).toEqual([])
    }
  }
}

const stateAt = (member: Member, id: string) => findBooking(circleBookings(member.replica.view(), TODAY), id, member.replica.me)?.state

describe('a loan between real replicas', () => {
  it('goes from request to closed, with messages both ways, and every replica agrees at each step', async () => {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const offerId = await ana.replica.addOffer(drill)
    await syncAll(members)
    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: offerId }, { from: '2026-12-02', to: '2026-12-04', count: 1, message: 'For the shelves' }, TODAY)
    await syncAll(members)
    expect(members.map((m) => stateAt(m, id))).toEqual(['requested', 'requested', 'requested'])
    // Only the owner may accept, only the borrower may confirm receipt.
    await expect(actOnBooking(ben.replica, id, 'accept', TODAY)).rejects.toMatchObject({ name: 'BookingActionError', reason: 'not-allowed' })
    await expect(actOnBooking(cleo.replica, id, 'accept', TODAY)).rejects.toMatchObject({ name: 'UnknownBookingError' })
    const steps: Array<[Member, Parameters<typeof actOnBooking>[2], string]> = [
      [ana, 'accept', 'accepted'],
      [ana, 'hand-over', 'handed-over'],
      [ben, 'receive', 'received'],
      [ben, 'return', 'returned'],
      [ana, 'close', 'closed'],
    ]
    for (const [member, action, state] of steps) {
      await actOnBooking(member.replica, id, action, TODAY, { condition: 'All fine' })
      await syncAll(members)
      expect(members.map((m) => stateAt(m, id)), action).toEqual([state, state, state])
    }
    const booking = findBooking(circleBookings(cleo.replica.view(), TODAY), id, cleo.replica.me)!
    expect(booking.condition).toBe('All fine')

    await sendMessage(ben.replica, booking, 'Thanks, it worked great')
    await sendMessage(ana.replica, booking, 'Any time!')
    await expect(sendMessage(cleo.replica, booking, 'Me too')).rejects.toMatchObject({ name: 'BookingActionError' })
    await syncAll(members)
    const thread = bookingThread(circleMessages(ana.replica.view()), booking)
    expect(thread.map((m) => m.text)).toEqual(['Thanks, it worked great', 'Any time!'])
    expect(bookingThread(circleMessages(cleo.replica.view()), booking)).toEqual(thread)
  })

  it('a request that clashes is refused before anything is written', async () => {
    const members = await circleOf(['Ana', 'Ben'])
    const [ana, ben] = members as [Member, Member]
    const offerId = await ana.replica.addOffer({ ...drill, blockedDates: ['2026-12-03'] })
    await syncAll(members)
    const offer = { owner: ana.replica.me, id: offerId }
    await expect(requestBooking(ben.replica, offer, { from: '2026-12-02', to: '2026-12-03', count: 1, message: '' }, TODAY)).rejects.toMatchObject({ name: 'RequestRefusedError', reason: 'blocked' })
    await expect(requestBooking(ana.replica, offer, { from: '2026-12-04', to: '2026-12-04', count: 1, message: '' }, TODAY)).rejects.toMatchObject({ reason: 'own' })
    const first = await requestBooking(ben.replica, offer, { from: '2026-12-04', to: '2026-12-05', count: 1, message: '' }, TODAY)
    await syncAll(members)
    await actOnBooking(ana.replica, first, 'accept', TODAY)
    await syncAll(members)
    await expect(requestBooking(ben.replica, offer, { from: '2026-12-05', to: '2026-12-06', count: 1, message: '' }, TODAY)).rejects.toMatchObject({ reason: 'taken' })
  })

  it('answers a want with an offer, and auto-accepts eligible requests once', async () => {
    const members = await circleOf(['Ana', 'Ben'])
    const [ana, ben] = members as [Member, Member]
    const wantId = await ben.replica.postWant({ kind: 'borrow', title: 'A drill', description: '', neededFrom: '2026-12-02', neededTo: '2026-12-02', status: 'open' })
    const offerId = await ana.replica.addOffer({ ...drill, autoAccept: 'vouched' })
    await syncAll(members)
    const want = ben.replica.view().wants.find((w) => w.id === wantId)!
    const offer = ana.replica.view().offers.find((o) => o.id === offerId)!
    await answerWant(ana.replica, want, offer, 'Mine is free')
    await syncAll(members)
    expect(wantAnswers(circleMessages(ben.replica.view()), want, ben.replica.view().offers).map((a) => [a.offer.id, a.message.text])).toEqual([[offerId, 'Mine is free']])

    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: offerId }, { from: '2026-12-02', to: '2026-12-02', count: 1, message: '' }, TODAY)
    await syncAll(members)
    expect(await autoAcceptRequests(ana.replica, () => false, TODAY)).toEqual([])
    expect(await autoAcceptRequests(ana.replica, (borrower, offer) => borrower === ben.replica.me && offer.id === offerId, TODAY)).toEqual([id])
    expect(await autoAcceptRequests(ana.replica, () => true, TODAY)).toEqual([])
    await syncAll(members)
    expect(stateAt(ben, id)).toBe('accepted')
  })
})

describe('tampering', () => {
  it('a borrower’s validly signed entry that writes the owner’s "accepted" is ignored by every peer', async () => {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const offerId = await ana.replica.addOffer(drill)
    await syncAll(members)
    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: offerId }, { from: '2026-12-02', to: '2026-12-04', count: 1, message: '' }, TODAY)
    // Ben's own device signs an update of Ben's doc that writes the owner's fields, both into his
    // request and as an owner-shaped record of its own: a crafted entry, validly signed, that the
    // booking module would never write.
    const forged = { borrower: ben.replica.me, offer: offerId, decision: 'accepted', decided: 1, handedOver: 2 }
    await ben.replica.writeOwn((doc) => {
      writeRecord(doc, 'bookings', id, forged)
      writeRecord(doc, 'bookings', 'forged-answer', forged)
    })
    await syncAll(members)
    // The forged fields really are in Ben's doc as every peer holds it…
    for (const member of members) {
      const raw = member.replica.memberSnapshot(ben.replica.me)!.raw.bookings as Record<string, Record<string, unknown>>
      expect(raw[id]).toMatchObject({ decision: 'accepted', requested: expect.any(Number) })
    }
    // …and no peer reads them: the booking is still only requested, its owner has not answered.
    for (const member of [ana, ben, cleo]) {
      const booking = findBooking(circleBookings(member.replica.view(), TODAY), id, member.replica.me)!
      expect(booking).toMatchObject({ state: 'requested', ownerSide: undefined, conflict: false })
    }
    // The real owner's answer still works afterwards.
    await actOnBooking(ana.replica, id, 'accept', TODAY)
    await syncAll(members)
    expect(members.map((m) => stateAt(m, id))).toEqual(['accepted', 'accepted', 'accepted'])
  })
})

/** Entries `from` holds, handed to `to` only, as when the network has reached some peers and not others. */
async function deliver(from: Member, to: Member): Promise<void> {
  const records = await from.storage.entries.getAll(from.replica.topicHex)
  await to.replica.ingest(records.map((record) => record.bytes))
}

const bookingOf = (member: Member, id: string, borrower: string) =>
  circleBookings(member.replica.view(), TODAY).find((booking) => booking.id === id && booking.borrower === borrower)

describe('what an owner accepted', () => {
  it('is written into the owner’s answer; a request rewritten afterwards pushes out no other acceptance', async () => {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const offerId = await ana.replica.addOffer(drill)
    await syncAll(members)
    const offer = { owner: ana.replica.me, id: offerId }
    const bens = await requestBooking(ben.replica, offer, { from: '2026-12-01', to: '2026-12-03', count: 1, message: '' }, TODAY)
    const cleos = await requestBooking(cleo.replica, offer, { from: '2026-12-05', to: '2026-12-06', count: 1, message: '' }, TODAY)
    await syncAll(members)
    await actOnBooking(ana.replica, bens, 'accept', TODAY)
    await actOnBooking(ana.replica, cleos, 'accept', TODAY)
    const raw = ana.replica.memberSnapshot(ana.replica.me)!.raw.bookings as Record<string, Record<string, unknown>>
    expect(raw[bens]).toMatchObject({ from: '2026-12-01', to: '2026-12-03', count: 1 })
    // Ben's own device rewrites his request's last day, keeping the early acceptance.
    await ben.replica.writeOwn((doc) => writeRecord(doc, 'bookings', bens, { to: '2026-12-10' }))
    await syncAll(members)
    for (const member of members) {
      expect(stateAt(member, cleos)).toBe('accepted')
      expect(bookingOf(member, bens, ben.replica.me)).toMatchObject({ state: 'requested', conflict: false })
    }
    // Accepting Ben's new days now would take Cleo's.
    await expect(actOnBooking(ana.replica, bens, 'accept', TODAY)).rejects.toMatchObject({ name: 'BookingActionError', reason: 'clash' })
  })
})

describe('a booking id copied by another member', () => {
  it('hides nothing: a request under another member’s tagged id reads as malformed', async () => {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const drillId = await ana.replica.addOffer(drill)
    await syncAll(members)
    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: drillId }, { from: '2026-12-02', to: '2026-12-03', count: 1, message: '' }, TODAY)
    expect(isTaggedBookingId(id) && id.startsWith(ben.replica.me.slice(0, 16))).toBe(true)
    await syncAll(members)
    // Cleo copies Ben's pending request under his id, claiming to have asked long before him.
    const craft = { owner: ana.replica.me, offer: drillId, kind: 'thing', from: '2026-12-05', to: '2026-12-06', count: 1, message: '', requested: 1 }
    await cleo.replica.writeOwn((doc) => writeRecord(doc, 'bookings', id, craft))
    await syncAll(members)
    expect(members.map((m) => findBooking(circleBookings(m.replica.view(), TODAY), id, ana.replica.me)?.borrower)).toEqual(Array(3).fill(ben.replica.me))
    expect(members.map((m) => bookingOf(m, id, cleo.replica.me))).toEqual([undefined, undefined, undefined])
    const problems: ReadProblem[] = []
    readBookingSides(cleo.replica.me, ana.replica.memberSnapshot(cleo.replica.me)!.raw.bookings, problems)
    expect(problems).toEqual([{ member: cleo.replica.me, path: `bookings/${id}`, reason: 'malformed' }])
    await actOnBooking(ana.replica, id, 'accept', TODAY)
    await syncAll(members)
    expect(members.map((m) => stateAt(m, id))).toEqual(['accepted', 'accepted', 'accepted'])
  })
})

describe('a loan under way, when one side rewrites or removes its record', () => {
  async function handedOver() {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const drillId = await ana.replica.addOffer(drill)
    const tentId = await ana.replica.addOffer({ ...drill, title: 'Tent' })
    await syncAll(members)
    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: drillId }, { from: '2026-12-01', to: '2026-12-03', count: 1, message: '' }, TODAY)
    await syncAll(members)
    await actOnBooking(ana.replica, id, 'accept', TODAY)
    await actOnBooking(ana.replica, id, 'hand-over', TODAY)
    await syncAll(members)
    return { members, ana, ben, cleo, drillId, tentId, id }
  }
  const LATER = '2026-12-08'

  /** The drill stays out with Ben, on Ana's word: overdue, not bookable, and Ana can take it back. */
  async function expectStillOut({ members, ana, ben, cleo, drillId, id }: Awaited<ReturnType<typeof handedOver>>) {
    for (const member of members) {
      expect(findBooking(circleBookings(member.replica.view(), LATER), id, member.replica.me)).toMatchObject({
        borrower: ben.replica.me, offer: drillId, state: 'overdue', withdrawn: true, from: '2026-12-01', to: '2026-12-03',
      })
    }
    const request = { from: '2026-12-02', to: '2026-12-02', count: 1, message: '' }
    await expect(requestBooking(cleo.replica, { owner: ana.replica.me, id: drillId }, request, TODAY)).rejects.toMatchObject({ name: 'RequestRefusedError', reason: 'taken' })
    const bens = findBooking(circleBookings(ben.replica.view(), LATER), id, ben.replica.me)!
    expect(bookingActions(bens, ben.replica.me)).toEqual([])
    await expect(actOnBooking(ben.replica, id, 'return', LATER)).rejects.toMatchObject({ name: 'UnknownBookingError' })
    const anas = findBooking(circleBookings(ana.replica.view(), LATER), id, ana.replica.me)!
    await expect(sendMessage(ana.replica, anas, 'Where is my drill?')).rejects.toMatchObject({ name: 'BookingActionError', reason: 'not-allowed' })
    await actOnBooking(ana.replica, id, 'close', LATER, { condition: 'Back at last' })
    await syncAll(members)
    expect(members.map((m) => bookingOf(m, id, ben.replica.me)?.state)).toEqual(['closed', 'closed', 'closed'])
  }

  it('a borrower who deletes the request still has the item', async () => {
    const loan = await handedOver()
    await loan.ben.replica.writeOwn((doc) => doc.getMap('bookings').delete(loan.id))
    await syncAll(loan.members)
    await expectStillOut(loan)
  })

  it('a borrower who points the request at another offer or owner has spoiled it, and still has the item', async () => {
    for (const rewrite of ['offer', 'owner'] as const) {
      const loan = await handedOver()
      const fields: Record<string, string> = rewrite === 'offer' ? { offer: loan.tentId } : { owner: loan.cleo.replica.me }
      await loan.ben.replica.writeOwn((doc) => writeRecord(doc, 'bookings', loan.id, fields))
      await syncAll(loan.members)
      const problems: ReadProblem[] = []
      readBookingSides(loan.ben.replica.me, loan.ana.replica.memberSnapshot(loan.ben.replica.me)!.raw.bookings, problems)
      expect(problems).toEqual([{ member: loan.ben.replica.me, path: `bookings/${loan.id}`, reason: 'malformed' }])
      await expectStillOut(loan)
    }
  })

  it('an owner who answers with another offer has answered nothing', async () => {
    const members = await circleOf(['Ana', 'Ben'])
    const [ana, ben] = members as [Member, Member]
    const drillId = await ana.replica.addOffer(drill)
    const tentId = await ana.replica.addOffer({ ...drill, title: 'Tent' })
    await syncAll(members)
    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: drillId }, { from: '2026-12-01', to: '2026-12-03', count: 1, message: '' }, TODAY)
    await syncAll(members)
    // Ana pins a handed-over tent on Ben, under the id of his request for the drill.
    const answer = { borrower: ben.replica.me, offer: tentId, decision: 'accepted', decided: 1, handedOver: 2, from: '2026-12-01', to: '2026-12-03', count: 1 }
    await ana.replica.writeOwn((doc) => writeRecord(doc, 'bookings', id, answer))
    await syncAll(members)
    const problems: ReadProblem[] = []
    readBookingSides(ana.replica.me, ben.replica.memberSnapshot(ana.replica.me)!.raw.bookings, problems)
    expect(problems).toEqual([{ member: ana.replica.me, path: `bookings/${id}`, reason: 'malformed' }])
    for (const member of members) {
      expect(circleBookings(member.replica.view(), LATER).filter((booking) => booking.id === id)).toEqual([
        expect.objectContaining({ offer: drillId, state: 'requested', withdrawn: false, ownerSide: undefined }),
      ])
    }
    // Ben can still take his request back.
    await actOnBooking(ben.replica, id, 'cancel', TODAY)
    await syncAll(members)
    expect(members.map((m) => stateAt(m, id))).toEqual(['cancelled', 'cancelled'])
  })
})

describe('an untagged booking id (written before tags) reused by another member', () => {
  /** A request as requestBooking wrote it before booking ids carried their borrower's tag. */
  async function untaggedRequest(borrower: Member, owner: Member, offer: string, id: string): Promise<string> {
    const fields = { owner: owner.replica.me, offer, kind: 'thing', from: '2026-12-02', to: '2026-12-03', count: 1, message: '', requested: borrower.replica.clock.now() }
    await borrower.replica.writeOwn((doc) => writeRecord(doc, 'bookings', id, fields))
    return id
  }

  it('takes over neither the owner’s booking page, nor her answer, nor the thread', async () => {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const drillId = await ana.replica.addOffer(drill)
    const tentId = await ana.replica.addOffer({ ...drill, title: 'Tent' })
    await syncAll(members)
    const id = await untaggedRequest(ben, ana, drillId, 'oldStyleBookingId-0001')
    // Cleo's crafted request for the tent reaches Ana before Ben's does; Ana writes to Cleo about it.
    const craft = { owner: ana.replica.me, offer: tentId, kind: 'thing', from: '2026-12-02', to: '2026-12-03', count: 1, message: '', requested: 9e12 }
    await cleo.replica.writeOwn((doc) => writeRecord(doc, 'bookings', id, craft))
    await deliver(cleo, ana)
    const cleos = findBooking(circleBookings(ana.replica.view(), TODAY), id, ana.replica.me)!
    expect(cleos.borrower).toBe(cleo.replica.me)
    await sendMessage(ana.replica, cleos, 'The tent is in the shed')
    await syncAll(members)
    // Ben asked first: the id is his. Ana's page, her accept and the thread are about his booking.
    const shown = findBooking(circleBookings(ana.replica.view(), TODAY), id, ana.replica.me)!
    expect(shown).toMatchObject({ borrower: ben.replica.me, offer: drillId })
    expect(bookingOf(ana, id, cleo.replica.me)).toBeUndefined()
    expect(bookingThread(circleMessages(ben.replica.view()), shown)).toEqual([])
    await actOnBooking(ana.replica, id, 'accept', TODAY)
    await actOnBooking(ana.replica, id, 'hand-over', TODAY)
    await syncAll(members)
    expect(members.map((m) => bookingOf(m, id, ben.replica.me)?.state)).toEqual(['handed-over', 'handed-over', 'handed-over'])
    const raw = ana.replica.memberSnapshot(ana.replica.me)!.raw.bookings as Record<string, Record<string, unknown>>
    expect(raw[id]).toMatchObject({ borrower: ben.replica.me, offer: drillId })
  })

  it('an owner’s answer is never written over another record under that id', async () => {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const drillId = await ana.replica.addOffer(drill)
    const tentId = await ana.replica.addOffer({ ...drill, title: 'Tent' })
    await syncAll(members)
    const id = await untaggedRequest(ben, ana, drillId, 'oldStyleBookingId-0001')
    await syncAll(members)
    await actOnBooking(ana.replica, id, 'accept', TODAY)
    await actOnBooking(ana.replica, id, 'hand-over', TODAY)
    // Ben spoils his own request so that it no longer reads; Cleo asks for the tent under his id.
    await ben.replica.writeOwn((doc) => writeRecord(doc, 'bookings', id, { requested: 'soon' }))
    const craft = { owner: ana.replica.me, offer: tentId, kind: 'thing', from: '2026-12-05', to: '2026-12-06', count: 1, message: '', requested: 9e12 }
    await cleo.replica.writeOwn((doc) => writeRecord(doc, 'bookings', id, craft))
    await syncAll(members)
    expect(findBooking(circleBookings(ana.replica.view(), TODAY), id, ana.replica.me)).toMatchObject({ borrower: cleo.replica.me, state: 'requested' })
    await expect(actOnBooking(ana.replica, id, 'accept', TODAY)).rejects.toMatchObject({ name: 'BookingIdTakenError' })
    const raw = ana.replica.memberSnapshot(ana.replica.me)!.raw.bookings as Record<string, Record<string, unknown>>
    expect(raw[id]).toMatchObject({ borrower: ben.replica.me, offer: drillId, handedOver: expect.any(Number) })
  })
})

describe('auto-accept', () => {
  async function setup() {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben, cleo] = members as [Member, Member, Member]
    const offerId = await ana.replica.addOffer({ ...drill, autoAccept: 'vouched' })
    await syncAll(members)
    return { members, ana, ben, cleo, offer: { owner: ana.replica.me, id: offerId } }
  }

  it('accepts nothing already begun or on a day the owner blocked since', async () => {
    const { members, ana, ben, offer } = await setup()
    const id = await requestBooking(ben.replica, offer, { from: '2026-12-02', to: '2026-12-04', count: 1, message: '' }, TODAY)
    await syncAll(members)
    expect(await autoAcceptRequests(ana.replica, () => true, '2026-12-03')).toEqual([])
    await ana.replica.updateOffer(offer.id, { blockedDates: ['2026-12-03'] })
    expect(await autoAcceptRequests(ana.replica, () => true, TODAY)).toEqual([])
    await ana.replica.updateOffer(offer.id, { blockedDates: [] })
    expect(await autoAcceptRequests(ana.replica, () => true, TODAY)).toEqual([id])
  })

  it('also accepts a request that arrives while it is accepting another', async () => {
    const { members, ana, ben, cleo, offer } = await setup()
    const bens = await requestBooking(ben.replica, offer, { from: '2026-12-02', to: '2026-12-02', count: 1, message: '' }, TODAY)
    await deliver(ben, ana)
    const cleos = await requestBooking(cleo.replica, offer, { from: '2026-12-05', to: '2026-12-05', count: 1, message: '' }, TODAY)
    // Ana's replica as it is, except that Cleo's request comes in from the network during her first write.
    let arriving: Member | undefined = cleo
    const circle = {
      me: ana.replica.me,
      clock: ana.replica.clock,
      view: () => ana.replica.view(),
      writeOwn: async (write: Parameters<CircleReplica['writeOwn']>[0]) => {
        await ana.replica.writeOwn(write)
        const from = arriving
        arriving = undefined
        if (from) await deliver(from, ana)
      },
    }
    expect(await autoAcceptRequests(circle, () => true, TODAY)).toEqual([bens, cleos])
    await syncAll(members)
    expect([stateAt(ben, bens), stateAt(cleo, cleos)]).toEqual(['accepted', 'accepted'])
  })
})

describe('a borrower who says they received it before the owner said it left', () => {
  async function received(offer: OfferDraft = drill, dates = { from: '2026-12-01', to: '2026-12-03' }) {
    const members = await circleOf(['Ana', 'Ben', 'Cleo'])
    const [ana, ben] = members as [Member, Member, Member]
    const offerId = await ana.replica.addOffer(offer)
    await syncAll(members)
    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: offerId }, { ...dates, count: 1, message: '' }, TODAY)
    await syncAll(members)
    await actOnBooking(ana.replica, id, 'accept', TODAY)
    await syncAll(members)
    await actOnBooking(ben.replica, id, 'receive', TODAY)
    await syncAll(members)
    return { members, ana, ben, id }
  }

  it('has the owner’s device write down the handover, once, so that deleting the request no longer drops the loan', async () => {
    const { members, ana, ben, id } = await received()
    // Only the owner's device records it, and only for what the borrower said they received.
    expect(await recordHandovers(ben.replica, TODAY)).toEqual([])
    expect(await recordHandovers(ana.replica, TODAY)).toEqual([id])
    expect(await recordHandovers(ana.replica, TODAY)).toEqual([])
    await syncAll(members)
    expect(members.map((m) => stateAt(m, id))).toEqual(['received', 'received', 'received'])
    expect(bookingOf(ana, id, ben.replica.me)?.ownerSide?.handedOver).toEqual(expect.any(Number))
    await ben.replica.writeOwn((doc) => doc.getMap('bookings').delete(id))
    await syncAll(members)
    for (const member of members) {
      expect(findBooking(circleBookings(member.replica.view(), '2026-12-08'), id, member.replica.me)).toMatchObject({ state: 'overdue', withdrawn: true })
    }
  })

  it('and even brought it back: nothing is recorded, and the owner closes it, which says it left', async () => {
    const { members, ana, ben, id } = await received()
    await actOnBooking(ben.replica, id, 'return', TODAY)
    await syncAll(members)
    const returned = bookingOf(ana, id, ben.replica.me)!
    expect(returned.state).toBe('returned')
    expect(bookingActions(returned, ana.replica.me)).toEqual(['close'])
    expect(await recordHandovers(ana.replica, TODAY)).toEqual([])
    await actOnBooking(ana.replica, id, 'close', TODAY, { condition: 'Fine' })
    await syncAll(members)
    expect(members.map((m) => stateAt(m, id))).toEqual(['closed', 'closed', 'closed'])
    expect(bookingOf(ben, id, ben.replica.me)?.ownerSide).toMatchObject({ handedOver: expect.any(Number), closed: expect.any(Number), condition: 'Fine' })
  })

  it('of a kind that does not come back, is left for the owner to confirm: both saying so closes it', async () => {
    const lessons: OfferDraft = {
      kind: 'skill', title: 'Guitar lessons', description: '', category: 'music', tags: [], photos: [],
      availability: 'available', handover: 'My place', contribution: '', sessionMinutes: 60,
    }
    const { members, ana, ben, id } = await received(lessons, { from: '2026-12-10', to: '2026-12-10' })
    expect(await recordHandovers(ana.replica, TODAY)).toEqual([])
    expect(members.map((m) => stateAt(m, id))).toEqual(['received', 'received', 'received'])
    await actOnBooking(ana.replica, id, 'hand-over', TODAY)
    await syncAll(members)
    expect(members.map((m) => stateAt(m, id))).toEqual(['closed', 'closed', 'closed'])
    expect(bookingOf(ana, id, ben.replica.me)?.kind).toBe('skill')
  })

  it('a write that fails leaves that loan for the next pass and records the others', async () => {
    const { members, ana, ben, id } = await received()
    const tentId = await ana.replica.addOffer({ ...drill, title: 'Tent' })
    await syncAll(members)
    const second = await requestBooking(ben.replica, { owner: ana.replica.me, id: tentId }, { from: '2026-12-01', to: '2026-12-02', count: 1, message: '' }, TODAY)
    await syncAll(members)
    await actOnBooking(ana.replica, second, 'accept', TODAY)
    await syncAll(members)
    await actOnBooking(ben.replica, second, 'receive', TODAY)
    await syncAll(members)
    // Ana's replica as it is, except that her first write fails (a full disk).
    let failures = 1
    const circle = {
      me: ana.replica.me,
      clock: ana.replica.clock,
      view: () => ana.replica.view(),
      writeOwn: async (write: Parameters<CircleReplica['writeOwn']>[0]) => {
        if (failures-- > 0) throw new Error('QuotaExceededError')
        await ana.replica.writeOwn(write)
      },
    }
    const recorded = await recordHandovers(circle, TODAY)
    expect(recorded).toHaveLength(1)
    expect([id, second]).toContain(recorded[0])
    expect(await recordHandovers(circle, TODAY)).toEqual([id, second].filter((booking) => booking !== recorded[0]))
    expect(await recordHandovers(circle, TODAY)).toEqual([])
  })
})

describe('extensions between real replicas', () => {
  it('refusing a second ask keeps the days granted for the first', async () => {
    const members = await circleOf(['Ana', 'Ben'])
    const [ana, ben] = members as [Member, Member]
    const offerId = await ana.replica.addOffer(drill)
    await syncAll(members)
    const id = await requestBooking(ben.replica, { owner: ana.replica.me, id: offerId }, { from: '2026-12-02', to: '2026-12-04', count: 1, message: '' }, TODAY)
    const steps: Array<[Member, Parameters<typeof actOnBooking>[2], string?]> = [
      [ana, 'accept'],
      [ana, 'hand-over'],
      [ben, 'ask-extension', '2026-12-06'],
      [ana, 'grant-extension'],
      [ben, 'ask-extension', '2026-12-08'],
    ]
    for (const [member, action, extendTo] of steps) {
      await syncAll(members)
      await actOnBooking(member.replica, id, action, TODAY, { extendTo })
    }
    await syncAll(members)
    expect(findBooking(circleBookings(ana.replica.view(), TODAY), id, ana.replica.me)).toMatchObject({ extension: 'asked', to: '2026-12-06' })
    await actOnBooking(ana.replica, id, 'refuse-extension', TODAY)
    await syncAll(members)
    for (const member of members) {
      expect(findBooking(circleBookings(member.replica.view(), TODAY), id, member.replica.me)).toMatchObject({ extension: 'refused', to: '2026-12-06', extendTo: '2026-12-08' })
    }
  })
})
