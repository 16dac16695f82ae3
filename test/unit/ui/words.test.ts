/** Member names for the screens: one map handed out again while no name changed. */
import { describe, expect, it } from 'vitest'
import type { CircleView, MemberView } from '../../../src/circle/types'
import { ownerNames } from '../../../src/ui/words'

function viewOf(names: Record<string, string>): CircleView {
  const members = new Map(Object.entries(names).map(([id, name]) => [id, { id, profile: { name } } as unknown as MemberView]))
  return { members, offers: [], wants: [], problems: [] } as unknown as CircleView
}

describe('ownerNames', () => {
  it('returns the same map for a new view in which no name changed', () => {
    const first = ownerNames(viewOf({ ana: 'Ana', ben: 'Ben' }))
    expect(ownerNames(viewOf({ ana: 'Ana', ben: 'Ben' }))).toBe(first)
  })

  it('returns a new map once a name changes, a member joins, or a name is cleared', () => {
    const first = ownerNames(viewOf({ ana: 'Ana', ben: 'Ben' }))
    const renamed = ownerNames(viewOf({ ana: 'Ana', ben: 'Benedict' }))
    expect(renamed).not.toBe(first)
    expect(renamed.get('ben')).toBe('Benedict')
    const joined = ownerNames(viewOf({ ana: 'Ana', ben: 'Benedict', cleo: 'Cleo' }))
    expect(joined).not.toBe(renamed)
    expect(ownerNames(viewOf({ ana: 'Ana', ben: ' ', cleo: 'Cleo' })).get('ben')).toBe('A neighbour')
  })
})
