/**
 * Builders for booking tests: raw member records exactly as the circle layer writes them (plain JSON
 * fields), read back through core's readers, so every test goes through the real validation.
 */
import { readBookingSides, type BookingSides } from '../../../src/core/booking-read'
import { deriveBookings } from '../../../src/core/booking-circle'
import type { Booking, IsoDate, MemberId, Offer, OfferKind, ReadProblem } from '../../../src/core/model'

export const ANA: MemberId = 'a'.repeat(64)
export const BEN: MemberId = 'b'.repeat(64)
export const CLEO: MemberId = 'c'.repeat(64)
export const DAN: MemberId = 'd'.repeat(64)

export type Raw = Record<string, unknown>
/** Member → booking id → fields: the `bookings` maps of a circle's docs. */
export type Docs = Map<MemberId, Record<string, Raw>>

export function offerOf(kind: OfferKind, patch: Partial<Record<string, unknown>> = {}): Offer {
  const base = {
    id: 'offer1',
    owner: ANA,
    title: 'Drill',
    description: '',
    category: '',
    tags: [],
    photos: [],
    availability: 'available',
    handover: 'Porch',
    contribution: '',
    autoAccept: 'off',
    blockedDates: [],
    created: 1,
    updated: 1,
  }
  const kindFields: Record<OfferKind, Raw> = {
    thing: { condition: 'good', value: '', deposit: '' },
    space: { slot: '', capacity: 2 },
    ride: { departure: 5_000, from: 'A', to: 'B', seats: 3 },
    skill: { sessionMinutes: 60 },
    gift: { quantity: 2, bestBefore: undefined, pickupWindow: '' },
  }
  return { ...base, kind, ...kindFields[kind], ...patch } as unknown as Offer
}

export function request(offer: Offer, from?: IsoDate, to?: IsoDate, extra: Raw = {}): Raw {
  return { owner: offer.owner, offer: offer.id, kind: offer.kind, requested: 100, from: from ?? null, to: to ?? null, count: 1, message: 'Hi', ...extra }
}

export function answer(borrower: MemberId, offer: Offer, decided: number, extra: Raw = {}): Raw {
  return { borrower, offer: offer.id, decision: 'accepted', decided, ...extra }
}

/**
 * Writes the records in order. A first answer that names no terms copies them from the request as it
 * stands at that point, as the circle layer does when the owner answers; give `count` to write others.
 */
export function docs(...records: Array<[MemberId, string, Raw]>): Docs {
  const out: Docs = new Map()
  for (const [member, id, fields] of records) {
    const map = out.get(member) ?? {}
    const before = map[id] ?? {}
    const asked = typeof fields.borrower === 'string' ? out.get(fields.borrower)?.[id] : undefined
    const terms = 'decision' in fields && !('count' in fields) && !('count' in before) && asked ? { from: asked.from, to: asked.to, count: asked.count } : {}
    map[id] = { ...before, ...terms, ...fields }
    out.set(member, map)
  }
  return out
}

export function sidesOf(all: Docs, problems: ReadProblem[] = []): Array<{ id: MemberId; sides: BookingSides }> {
  return [...all].map(([id, raw]) => ({ id, sides: readBookingSides(id, raw, problems) }))
}

export function derive(all: Docs, offers: Offer[], today: IsoDate = '2026-12-01'): Booking[] {
  return deriveBookings(sidesOf(all), offers, today)
}

export function one(all: Docs, offers: Offer[], id: string, today?: IsoDate): Booking {
  const found = derive(all, offers, today).find((booking) => booking.id === id)
  if (!found) throw new Error(`no booking ${id}`)
  return found
}
