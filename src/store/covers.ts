/** Covers marks as stored: which seq of each feed a saved doc includes (see DocCovers). */
import type { DocCovers } from '../circle/types'

/** A covers mark as stored, or an empty one when it is not one (nothing is then taken as covered). */
export function asCovers(saved: unknown): DocCovers {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) return {}
  const covers: DocCovers = {}
  for (const [feed, seq] of Object.entries(saved)) {
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) return {}
    covers[feed] = seq as number
  }
  return covers
}
