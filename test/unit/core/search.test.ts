import { describe, expect, it } from 'vitest'
import type { MemberId, Offer, OfferKind } from '../../../src/core/model'
import { buildSearchIndex, categoriesIn, searchOffers, type OfferQuery } from '../../../src/core/search'

const ANA: MemberId = 'a'.repeat(64)
const BEN: MemberId = 'b'.repeat(64)
const NAMES: ReadonlyMap<MemberId, string> = new Map([
  [ANA, 'Ana Lucía'],
  [BEN, 'Ben'],
])

let nextCreated = 1_000

function offer(id: string, title: string, patch: Partial<Record<string, unknown>> = {}): Offer {
  const kind = (patch.kind as OfferKind | undefined) ?? 'thing'
  const base: Omit<Offer, 'kind'> = {
    id,
    owner: ANA,
    title,
    description: '',
    category: '',
    tags: [],
    photos: [],
    availability: 'available',
    handover: '',
    contribution: '',
    autoAccept: 'off',
    blockedDates: [],
    created: nextCreated,
    updated: nextCreated,
  }
  nextCreated += 1_000
  const kindFields: Record<OfferKind, Record<string, unknown>> = {
    thing: { condition: 'good', value: '', deposit: '' },
    space: { slot: '', capacity: 1 },
    ride: { departure: 0, from: '', to: '', seats: 1 },
    skill: { sessionMinutes: 60 },
    gift: { quantity: 1, bestBefore: undefined, pickupWindow: '' },
  }
  return { ...base, kind, ...kindFields[kind], ...patch } as Offer
}

const CATALOGUE: Offer[] = [
  offer('drill', 'Cordless drill', { description: 'Bosch, two batteries', tags: ['diy'], category: 'tools' }),
  offer('cafe', 'Café table', { category: 'kitchen', owner: BEN }),
  offer('creme', 'Crème brûlée torch', { category: 'kitchen', availability: 'paused' }),
  offer('room', 'Spare room', { kind: 'space', category: 'rooms', description: 'Quiet, near the Hauptstraße' }),
  offer('ride', 'Lift to Ghent', { kind: 'ride', owner: BEN, tags: ['e-bike', 'weekly'], from: 'Elm Street', to: 'Sint-Pieters station' }),
  offer('lesson', 'Guitar lessons', { kind: 'skill', category: 'lessons', description: 'Beginners welcome' }),
  offer('apples', 'Apples', { kind: 'gift', category: 'food', tags: ['Organic'.toLowerCase()] }),
  offer('ladder', 'Ladder 10 steps', { category: 'tools', availability: 'paused', owner: BEN }),
  offer('ladder2', 'Ladder 2 steps', { category: 'tools' }),
]

const ANY: OfferQuery = { text: '', kinds: [], categories: [], availability: 'any', sort: 'newest' }

function ids(query: Partial<OfferQuery>, offers: Offer[] = CATALOGUE): string[] {
  return searchOffers(buildSearchIndex(offers, NAMES), { ...ANY, ...query }).map((found) => found.id)
}

const NEWEST_FIRST = [...CATALOGUE].reverse().map((found) => found.id)

describe('searchOffers', () => {
  it('returns every offer, newest first, for an empty query', () => {
    expect(ids({})).toEqual(NEWEST_FIRST)
    expect(ids({ text: '   ' })).toEqual(NEWEST_FIRST)
  })

  it('breaks ties in creation time by id, so every device shows the same order', () => {
    const same = [offer('b', 'B', { created: 5 }), offer('c', 'C', { created: 5 }), offer('a', 'A', { created: 5 })]
    expect(ids({}, same)).toEqual(['a', 'b', 'c'])
  })

  it('matches words as prefixes and substrings, ignoring case', () => {
    expect(ids({ text: 'DRI' })).toEqual(['drill'])
    expect(ids({ text: 'rill' })).toEqual(['drill'])
    expect(ids({ text: 'ladder' })).toEqual(['ladder2', 'ladder'])
  })

  it('requires every word to match (AND), in any field and any order', () => {
    expect(ids({ text: 'ladder 10' })).toEqual(['ladder'])
    expect(ids({ text: 'bosch drill' })).toEqual(['drill'])
    expect(ids({ text: 'drill guitar' })).toEqual([])
    expect(ids({ text: 'ladder ben' })).toEqual(['ladder'])
  })

  it('searches title, description, tags, category and owner name', () => {
    expect(ids({ text: 'batteries' })).toEqual(['drill'])
    expect(ids({ text: 'weekly' })).toEqual(['ride'])
    expect(ids({ text: 'lessons' })).toEqual(['lesson'])
    expect(ids({ text: 'kitchen' })).toEqual(['creme', 'cafe'])
    expect(ids({ text: 'lucia' })).toEqual(NEWEST_FIRST.filter((id) => !['cafe', 'ride', 'ladder'].includes(id)))
  })

  it('finds a ride by where it goes from or to', () => {
    expect(ids({ text: 'pieters' })).toEqual(['ride'])
    expect(ids({ text: 'elm station' })).toEqual(['ride'])
  })

  it('ignores accents both ways', () => {
    expect(ids({ text: 'cafe' })).toEqual(['cafe'])
    expect(ids({ text: 'CAFÉ' })).toEqual(['cafe'])
    expect(ids({ text: 'cafe\u0301' })).toEqual(['cafe'])
    expect(ids({ text: 'creme brulee' })).toEqual(['creme'])
    expect(ids({ text: 'hauptstrasse' })).toEqual(['room'])
  })

  it('treats punctuation as a word break', () => {
    expect(ids({ text: 'e-bike' })).toEqual(['ride'])
    expect(ids({ text: 'e bike' })).toEqual(['ride'])
    expect(ids({ text: 'bosch,' })).toEqual(['drill'])
  })

  it('never matches a word across two fields', () => {
    const offers = [offer('x', 'Foo', { description: 'bar' })]
    expect(ids({ text: 'foo bar' }, offers)).toEqual(['x'])
    expect(ids({ text: 'foobar' }, offers)).toEqual([])
    expect(ids({ text: 'foo\nbar' }, offers)).toEqual(['x'])
  })

  it('filters by kind, category and availability, alone and combined with text', () => {
    expect(ids({ kinds: ['space', 'gift'] })).toEqual(['apples', 'room'])
    expect(ids({ categories: ['tools'] })).toEqual(['ladder2', 'ladder', 'drill'])
    expect(ids({ categories: ['tools', 'food'] })).toEqual(['ladder2', 'ladder', 'apples', 'drill'])
    expect(ids({ availability: 'available', categories: ['kitchen'] })).toEqual(['cafe'])
    expect(ids({ text: 'ladder', availability: 'available' })).toEqual(['ladder2'])
    expect(ids({ text: 'a', kinds: ['thing'], categories: ['tools'], availability: 'available' })).toEqual([
      'ladder2',
      'drill',
    ])
    expect(ids({ kinds: ['ride'], categories: ['tools'] })).toEqual([])
  })

  it('sorts by title the way people read it, newest first among equal titles', () => {
    expect(ids({ sort: 'title', categories: ['tools'] })).toEqual(['drill', 'ladder2', 'ladder'])
    const offers = [offer('old', 'apple'), offer('z', 'Zebra'), offer('new', 'Apple'), offer('e', 'éclair')]
    expect(ids({ sort: 'title' }, offers)).toEqual(['new', 'old', 'e', 'z'])
    expect(ids({ sort: 'title', text: 'appl' }, offers)).toEqual(['new', 'old'])
  })

  it('gives the same answers while typing as a fresh index would', () => {
    const index = buildSearchIndex(CATALOGUE, NAMES)
    const typed = ['l', 'la', 'lad', 'ladd', 'ladder', 'ladder 1', 'ladder', 'lad', '', 'drill', 'dr', 'x']
    typed.push('ladder ste', 'ladder steps', 'steps ladder')
    for (const text of typed) {
      for (const sort of ['newest', 'title'] as const) {
        const query = { ...ANY, text, sort }
        const fresh = searchOffers(buildSearchIndex(CATALOGUE, NAMES), query)
        expect(searchOffers(index, query), `${sort} "${text}"`).toEqual(fresh)
      }
    }
  })

  it('folds compatibility forms, special letters and capitals that only appear after decomposing', () => {
    const offers = [offer('x', 'ﬁne ℌammer', { description: 'Große Œuvre, İstanbul, Łódź, Ørsted' })]
    for (const text of ['fine', 'hammer', 'grosse', 'oeuvre', 'istanbul', 'lodz', 'orsted', 'GROSSE ØRSTED']) {
      expect(ids({ text }, offers), text).toEqual(['x'])
    }
  })

  it('rebuilds from a previous index with the same results as from scratch', () => {
    const first = buildSearchIndex(CATALOGUE.slice(0, 5), NAMES)
    searchOffers(first, { ...ANY, text: 'lucia' })
    const renamed = new Map([...NAMES, [ANA, 'Ana Zed']])
    const changed = [...CATALOGUE.slice(1, 5), offer('new', 'Lucia lamp'), ...CATALOGUE.slice(5)]
    const next = buildSearchIndex(changed, renamed, first)
    for (const text of ['lucia', 'zed', 'ben', 'drill', '']) {
      const query = { ...ANY, text }
      expect(searchOffers(next, query), text).toEqual(searchOffers(buildSearchIndex(changed, renamed), query))
    }
  })

  it('folds again only the offers that are new since an earlier index, however many rebuilds back', () => {
    const first = buildSearchIndex(CATALOGUE, NAMES)
    const second = buildSearchIndex(CATALOGUE.slice(1), NAMES, first)
    const added = offer('new', 'Lucia lamp')
    const third = buildSearchIndex([added, ...CATALOGUE], NAMES, second)
    const entryOf = (index: typeof first, found: Offer) => index.entries.find((entry) => entry.offer === found)
    for (const kept of CATALOGUE) expect(entryOf(third, kept), kept.id).toBe(entryOf(first, kept))
    expect(entryOf(third, added)?.haystack).toContain('lucia lamp')
    const renamed = buildSearchIndex(CATALOGUE, new Map([...NAMES, [BEN, 'Benedikt']]), third)
    expect(entryOf(renamed, CATALOGUE[1]!)).not.toBe(entryOf(first, CATALOGUE[1]!))
    expect(searchOffers(renamed, { ...ANY, text: 'benedikt' }).map((found) => found.id)).toEqual(['ladder', 'ride', 'cafe'])
  })

  it('orders offers given in any order, and ties in time by id then owner', () => {
    const tied = [offer('b', 'Two', { created: 5, owner: BEN }), offer('b', 'One', { created: 5 }), offer('a', 'Three', { created: 5 }), offer('c', 'Old', { created: 1 })]
    const order = (offers: Offer[]) => buildSearchIndex(offers, NAMES).entries.map((entry) => `${entry.offer.id}:${entry.offer.title}`)
    expect(order(tied)).toEqual(['a:Three', 'b:One', 'b:Two', 'c:Old'])
    expect(order([...tied].reverse())).toEqual(['a:Three', 'b:One', 'b:Two', 'c:Old'])
  })

  it('keeps title order right across many rebuilds with random changes', () => {
    let state = 7
    const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
    const titles = ['Drill', 'drill', 'Ladder 2', 'Ladder 10', 'Tent', 'Café', 'cafe', 'Bike', 'Apples']
    const pickTitle = () => titles[Math.floor(random() * titles.length)] as string
    const created = () => Math.floor(random() * 20)
    let offers = Array.from({ length: 40 }, (_, i) => offer(`o${i}`, pickTitle(), { created: created() }))
    let names = NAMES
    let index = buildSearchIndex(offers, names)
    for (let round = 0; round < 200; round++) {
      const roll = random()
      const at = Math.floor(random() * offers.length)
      if (roll < 0.3) offers = [...offers, offer(`n${round}`, pickTitle(), { created: created() })]
      else if (roll < 0.5) offers = offers.filter((_, i) => i !== at)
      else if (roll < 0.8) offers = offers.map((found, i) => (i === at ? { ...found, title: pickTitle() } : found))
      else if (roll < 0.9) names = new Map([...names, [ANA, pickTitle()]])
      index = buildSearchIndex(offers, names, index)
      const query = { ...ANY, sort: random() < 0.8 ? ('title' as const) : ('newest' as const) }
      const fresh = searchOffers(buildSearchIndex(offers, names), query)
      expect(searchOffers(index, query), `round ${round}`).toEqual(fresh)
    }
  })

  it('leaves its input alone', () => {
    const offers = [...CATALOGUE]
    const index = buildSearchIndex(offers, NAMES)
    searchOffers(index, { ...ANY, sort: 'title' })
    expect(offers).toEqual(CATALOGUE)
  })

  it('copes with owners it has no name for and an empty catalogue', () => {
    const stranger = offer('s', 'Tent', { owner: 'c'.repeat(64) })
    expect(ids({ text: 'tent' }, [stranger])).toEqual(['s'])
    expect(ids({ text: 'tent', sort: 'title' }, [])).toEqual([])
  })
})

describe('categoriesIn', () => {
  it('lists each category once, sorted, without the empty one', () => {
    expect(categoriesIn(CATALOGUE)).toEqual(['food', 'kitchen', 'lessons', 'rooms', 'tools'])
    expect(categoriesIn([])).toEqual([])
  })
})
