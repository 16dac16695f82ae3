/** What the catalogue is filtered by; the results are a `$derived` of this and the circle view. */
import type { OfferKind } from '../../core/model'

export type AvailabilityFilter = 'any' | 'available'
/** `trust`: owners the viewer trusts most first (newest first among equals). */
export type SortOrder = 'newest' | 'title' | 'trust'

export class CatalogueQuery {
  text = $state('')
  kinds = $state<OfferKind[]>([])
  categories = $state<string[]>([])
  availability = $state<AvailabilityFilter>('any')
  sort = $state<SortOrder>('newest')
  /** Only offers of members the viewer trusts at all (a path of vouches leads to them), and their own. */
  trustedOnly = $state(false)

  readonly filtered = $derived(
    this.text.trim() !== '' || this.kinds.length > 0 || this.categories.length > 0 || this.availability !== 'any' || this.trustedOnly,
  )

  toggleKind(kind: OfferKind): void {
    this.kinds = toggle(this.kinds, kind)
  }

  toggleCategory(category: string): void {
    this.categories = toggle(this.categories, category)
  }

  clear(): void {
    this.text = ''
    this.kinds = []
    this.categories = []
    this.availability = 'any'
    this.trustedOnly = false
  }
}

function toggle<T>(list: T[], item: T): T[] {
  return list.includes(item) ? list.filter((value) => value !== item) : [...list, item]
}
