/**
 * Catalogue search, fast enough to run on every keystroke over ten thousand offers. The index folds
 * each offer's searchable text once (lowercase, accent-free) and carries that work over from the
 * previous index when the catalogue changes; a query is then plain substring tests plus cheap filters
 * over lists already in newest-first and title order. Pure: imports only the model and the text helpers.
 */
import type { MemberId, Offer, OfferKind } from './model'
import { foldForSearch } from './text'

export interface OfferQuery {
  /** Words typed by the member; every word must occur (as a word, prefix or substring). */
  text: string
  /** Empty means every kind. */
  kinds: OfferKind[]
  /** Empty means every category. */
  categories: string[]
  availability: 'any' | 'available'
  sort: 'newest' | 'title'
}

export interface SearchEntry {
  readonly offer: Offer
  readonly ownerName: string
  /** Folded title, description, tags, category, owner name and places, one field per line. */
  readonly haystack: string
  /** What title order compares; see `titleKey`. */
  readonly titleKey: string
}

interface TextMatch {
  words: string[]
  /** One byte per entry: 1 where every word occurs. */
  matches: Uint8Array
}

/**
 * Build one per catalogue change. Besides the folded haystacks it remembers the last text match, so
 * typing one more letter only re-tests the offers that matched before; the results are the same as
 * without it. Treat it as opaque: only this module reads or writes its fields.
 */
export interface SearchIndex {
  /** Newest first; ties by id then owner, so the order is the same on every device. */
  readonly entries: readonly SearchEntry[]
  /** Entry positions in title order: carried from the previous index, or sorted on first use. */
  byTitle: Uint32Array | undefined
  last: TextMatch | undefined
  /** The entry folded for each offer object, shared by an index and the ones rebuilt from it. */
  readonly folded: WeakMap<Offer, SearchEntry>
}

/**
 * An offer's folded fields, worked out when first read: a first build folds every offer at once (the
 * first keystroke then costs only the match), a rebuild leaves the offers new to it until a search or
 * the title order reads them, so a live edit reaches the screen without folding.
 */
class FoldedOffer implements SearchEntry {
  readonly offer: Offer
  readonly ownerName: string
  #haystack: string | undefined
  #titleKey: string | undefined

  constructor(offer: Offer, ownerName: string) {
    this.offer = offer
    this.ownerName = ownerName
  }

  get haystack(): string {
    return (this.#haystack ??= haystackOf(this.offer, this.ownerName))
  }

  get titleKey(): string {
    return (this.#titleKey ??= titleKey(this.haystack))
  }
}

/** Categories are few, so they can afford the viewer's own collation. */
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })

/**
 * Folding is the expensive part, so pass the previous index when the catalogue changes: an offer that
 * is the very same object as before (offers are never mutated) keeps its haystack, as long as its
 * owner's name is unchanged. A rebuild after one member's edit then costs a pass over the offers.
 */
export function buildSearchIndex(
  offers: readonly Offer[],
  ownerNames: ReadonlyMap<MemberId, string>,
  previous?: SearchIndex,
): SearchIndex {
  const folded = previous?.folded ?? new WeakMap<Offer, SearchEntry>()
  const entries = offers.map((offer): SearchEntry => {
    const ownerName = ownerNames.get(offer.owner) ?? ''
    const old = folded.get(offer)
    if (old?.ownerName === ownerName) return old
    const entry = new FoldedOffer(offer, ownerName)
    if (!previous) void entry.titleKey
    folded.set(offer, entry)
    return entry
  })
  // The circle view lists offers newest first already; only its ties may need another order.
  if (!entries.every((entry, i) => i === 0 || newestFirst((entries[i - 1] as SearchEntry).offer, entry.offer) <= 0)) {
    entries.sort((a, b) => newestFirst(a.offer, b.offer))
  }
  return { entries, byTitle: previous && carryTitleOrder(previous, entries), last: undefined, folded }
}

/** Where an offer is: people search "Brighton" for the ride there, "garage" for the space. */
function placesOf(offer: Offer): string[] {
  switch (offer.kind) {
    case 'ride':
      return [offer.from, offer.to]
    case 'space':
      return [offer.slot]
    default:
      return []
  }
}

function haystackOf(offer: Offer, ownerName: string): string {
  const fields = [offer.title, offer.description, offer.tags.join(' '), offer.category, ownerName, ...placesOf(offer)]
  return fields.map((field) => foldForSearch(field)).join('\n')
}

/** A total order (two members may use the same offer id), so carried title orders stay valid. */
function newestFirst(a: Offer, b: Offer): number {
  return b.created - a.created || compareStrings(a.id, b.id) || compareStrings(a.owner, b.owner)
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function searchOffers(index: SearchIndex, query: OfferQuery): Offer[] {
  const words = queryWords(query.text)
  const matches = words.length === 0 ? undefined : matchText(index, words)
  const kinds = query.kinds.length === 0 ? undefined : new Set(query.kinds)
  const categories = query.categories.length === 0 ? undefined : new Set(query.categories)
  const onlyAvailable = query.availability === 'available'
  const order = query.sort === 'title' ? titleOrder(index) : undefined
  const out: Offer[] = []
  for (let i = 0; i < index.entries.length; i++) {
    const position = order ? (order[i] as number) : i
    if (matches && matches[position] === 0) continue
    const { offer } = index.entries[position] as SearchEntry
    if (kinds && !kinds.has(offer.kind)) continue
    if (categories && !categories.has(offer.category)) continue
    if (onlyAvailable && offer.availability !== 'available') continue
    out.push(offer)
  }
  return out
}

/**
 * The query's folded words, longest first so a miss is found early. A word contained in another is
 * dropped: any offer matching "drill" also matches "dri".
 */
function queryWords(text: string): string[] {
  const unique = [...new Set(foldForSearch(text).split(' ').filter((word) => word !== ''))]
  unique.sort((a, b) => b.length - a.length)
  return unique.filter((word, i) => !unique.some((other, j) => j < i && other.includes(word)))
}

function matchText(index: SearchIndex, words: string[]): Uint8Array {
  const { entries, last } = index
  const matches = new Uint8Array(entries.length)
  // Every offer matching the new words also matched the old ones when each old word lies inside a new
  // word, so only the old matches need testing.
  const narrowing = last !== undefined && last.words.every((old) => words.some((word) => word.includes(old)))
  for (let position = 0; position < entries.length; position++) {
    if (narrowing && last.matches[position] === 0) continue
    const haystack = (entries[position] as SearchEntry).haystack
    if (words.every((word) => haystack.includes(word))) matches[position] = 1
  }
  index.last = { words, matches }
  return matches
}

function titleOrder(index: SearchIndex): Uint32Array {
  if (!index.byTitle) {
    const order = Array.from(index.entries, (_, position) => position)
    index.byTitle = Uint32Array.from(order.sort(byTitle(index.entries)))
  }
  return index.byTitle
}

/** Title order over entry positions; the newest (lower position) wins ties between equal titles. */
function byTitle(entries: readonly SearchEntry[]): (a: number, b: number) => number {
  return (a, b) => compareStrings((entries[a] as SearchEntry).titleKey, (entries[b] as SearchEntry).titleKey) || a - b
}

/**
 * The title order of a rebuilt index, made from the previous one: carried-over entries keep their
 * relative order, so only changed offers are sorted and merged in. The first title-sorted keystroke
 * after sync brings in a change then costs a linear pass instead of a full sort.
 */
function carryTitleOrder(previous: SearchIndex, entries: readonly SearchEntry[]): Uint32Array | undefined {
  if (!previous.byTitle) return undefined
  const positions = new Map<SearchEntry, number>()
  entries.forEach((entry, position) => positions.set(entry, position))
  const before = new Set(previous.entries)
  // The same offer listed twice would be carried once; a full sort copes with that.
  if (positions.size !== entries.length || before.size !== previous.entries.length) return undefined
  const carried: number[] = []
  for (const old of previous.byTitle) {
    const position = positions.get(previous.entries[old] as SearchEntry)
    if (position !== undefined) carried.push(position)
  }
  const compare = byTitle(entries)
  const fresh = entries.flatMap((entry, position) => (before.has(entry) ? [] : [position])).sort(compare)
  const merged = new Uint32Array(entries.length)
  let i = 0
  let j = 0
  for (let k = 0; k < merged.length; k++) {
    const nextCarried = carried[i]
    const nextFresh = fresh[j]
    const takeCarried = nextFresh === undefined || (nextCarried !== undefined && compare(nextCarried, nextFresh) < 0)
    merged[k] = takeCarried ? (nextCarried as number) : nextFresh
    if (takeCarried) i++
    else j++
  }
  return merged
}

/**
 * The folded title (the haystack's first line) with numbers zero-padded, so "ladder 2" sorts before
 * "ladder 10" under a plain string comparison. That is several times cheaper than an Intl.Collator
 * over ten thousand titles, and orders the same on every device; the price is that letters sort in
 * their accent-free Latin order rather than by the viewer's locale.
 */
function titleKey(haystack: string): string {
  const end = haystack.indexOf('\n')
  const title = end === -1 ? haystack : haystack.slice(0, end)
  return title.trim().replace(/\d+/g, (digits) => digits.padStart(16, '0'))
}

/** The distinct non-empty categories among `offers`, sorted, for the filter chips. */
export function categoriesIn(offers: readonly Offer[]): string[] {
  const categories = new Set<string>()
  for (const offer of offers) if (offer.category !== '') categories.add(offer.category)
  return [...categories].sort(collator.compare)
}
