/**
 * Seeded, realistic offer and want drafts of every kind, for property tests and benchmarks.
 */
import type { OfferDraft, OfferKind, WantDraft } from '../../src/core/model'

export interface Rng {
  next(): number
}

const THINGS = ['Cordless drill', 'Ladder', 'Tent for four', 'Pasta machine', 'Cargo bike', 'Pressure washer', 'Sewing machine', 'Camping stove', 'Jigsaw', 'Stand mixer', 'Kayak', 'Projector', 'Hedge trimmer', 'Wheelbarrow', 'Raclette set']
const SPACES = ['Spare room', 'Parking space', 'Garden plot', 'Workshop bench', 'Attic storage']
const RIDES = ['Ride to the coast', 'Lift to the airport', 'Market run', 'School run', 'Trip to IKEA']
const SKILLS = ['Bike repair', 'Cooking for a party', 'Guitar lessons', 'Tax forms help', 'Sewing alterations']
const GIFTS = ['Surplus apples', 'Baby clothes', 'Sourdough starter', 'Moving boxes', 'Tomato seedlings']
const WORDS = ['sturdy', 'light', 'barely used', 'works great', 'with case', 'weekends', 'evenings', 'near the park', 'ask first', 'clean']
const CATEGORIES = ['tools', 'garden', 'kitchen', 'outdoors', 'sports', 'kids', 'electronics', 'vehicles', 'rooms', 'parking', 'lessons', 'repairs', 'food', 'books']
const KINDS: OfferKind[] = ['thing', 'thing', 'thing', 'space', 'ride', 'skill', 'gift']

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)]!
}

function sentence(rng: Rng, words: number): string {
  return Array.from({ length: words }, () => pick(rng, WORDS)).join(', ')
}

export function randomOfferDraft(rng: Rng, kind: OfferKind = pick(rng, KINDS)): OfferDraft {
  const common = {
    description: `${sentence(rng, 6)}.`,
    category: pick(rng, CATEGORIES),
    tags: [pick(rng, WORDS).split(' ')[0]!, pick(rng, CATEGORIES)],
    photos: [],
    availability: rng.next() < 0.85 ? ('available' as const) : ('paused' as const),
    handover: 'Corner of Elm and 3rd',
    contribution: rng.next() < 0.3 ? 'a cake' : '',
  }
  const n = Math.floor(rng.next() * 1000)
  switch (kind) {
    case 'thing':
      return { ...common, kind, title: `${pick(rng, THINGS)} #${n}`, condition: pick(rng, ['new', 'good', 'fair', 'worn'] as const), value: '€80', deposit: rng.next() < 0.2 ? '€20' : '' }
    case 'space':
      return { ...common, kind, title: `${pick(rng, SPACES)} #${n}`, slot: 'weekdays 9–17', capacity: 1 + Math.floor(rng.next() * 4) }
    case 'ride':
      return { ...common, kind, title: `${pick(rng, RIDES)} #${n}`, departure: 1_780_000_000_000 + n * 3_600_000, from: 'Elm Street', to: 'Central station', seats: 1 + Math.floor(rng.next() * 4) }
    case 'skill':
      return { ...common, kind, title: `${pick(rng, SKILLS)} #${n}`, sessionMinutes: 30 + 30 * Math.floor(rng.next() * 4) }
    case 'gift':
      return { ...common, kind, title: `${pick(rng, GIFTS)} #${n}`, quantity: 1 + Math.floor(rng.next() * 10), bestBefore: rng.next() < 0.5 ? '2026-12-24' : undefined, pickupWindow: 'today 17–19h' }
  }
}

export function randomWantDraft(rng: Rng): WantDraft {
  return {
    kind: pick(rng, ['borrow', 'errand', 'repair', 'other'] as const),
    title: `Need ${pick(rng, THINGS).toLowerCase()} #${Math.floor(rng.next() * 1000)}`,
    description: sentence(rng, 4),
    neededFrom: '2026-12-05',
    neededTo: rng.next() < 0.5 ? '2026-12-07' : undefined,
    status: 'open',
  }
}
