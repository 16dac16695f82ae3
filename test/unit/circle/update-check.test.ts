/**
 * The checked apply with kept scratch copies: over many batches, with garbage among them, with docs
 * changed from elsewhere between batches and more docs than copies kept, the real docs end exactly
 * as docs fed only the good updates.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src/core/random'
import { UpdateChecker, applyChecked } from '../../../src/circle/update-check'

const rng = seededRandom(77)

/** `count` updates of one author's doc, each setting a few fields of a record. */
function authorUpdates(count: number, clientID: number): Uint8Array[] {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (let i = 0; i < count; i++) {
    const offers = doc.getMap<Y.Map<unknown>>('offers')
    if (i % 4 === 3) offers.delete(`offer-${i - 1}`)
    else offers.set(`offer-${i}`, new Y.Map(Object.entries({ title: `Offer ${i}`, n: i, tags: ['a', 'b'] })))
  }
  return updates
}

const state = (doc: Y.Doc) => doc.getMap('offers').toJSON()

describe('the checked apply', () => {
  it('keeps the real docs equal to docs fed only the good updates, across batches, garbage and outside changes', () => {
    const checker = new UpdateChecker(2)
    const authors = [1, 2, 3, 4].map((client) => ({ updates: authorUpdates(24, client), real: new Y.Doc(), oracle: new Y.Doc() }))
    const rejected: number[] = []
    for (let at = 0; at < 24; at += 6) {
      for (const author of authors) {
        const batch = author.updates.slice(at, at + 6)
        // Garbage in some batches: random bytes and a truncated real update.
        const garbage = [rng(20), batch[0]!.slice(0, Math.max(1, batch[0]!.length - 5))]
        const mixed = at % 12 === 0 ? [batch[0]!, garbage[0]!, ...batch.slice(1, 3), garbage[1]!, ...batch.slice(3)] : batch
        const check = checker.apply(author.real, mixed, 'remote')
        rejected.push(check.bad.length)
        expect(check.good).toHaveLength(batch.length)
        for (const update of batch) Y.applyUpdate(author.oracle, update)
      }
      // An outside change to one real doc (and its oracle): the kept copy must not be trusted after it.
      const touched = authors[at % authors.length]!
      for (const doc of [touched.real, touched.oracle]) {
        const other = new Y.Doc()
        other.clientID = 99 + at
        other.getMap('offers').set(`outside-${at}`, 'x')
        Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
      }
    }
    expect(rejected.reduce((sum, count) => sum + count, 0)).toBe(4 * 2 * 2)
    for (const author of authors) {
      expect(state(author.real)).toEqual(state(author.oracle))
      expect(Y.encodeStateVector(author.real)).toEqual(Y.encodeStateVector(author.oracle))
    }
    checker.clear()
  })

  it('applies nothing of a batch that is all garbage, and the one-shot form agrees', () => {
    const doc = new Y.Doc()
    const checker = new UpdateChecker()
    const before = Y.encodeStateAsUpdate(doc)
    expect(checker.apply(doc, [rng(30), rng(5)], 'remote')).toEqual({ good: [], bad: [0, 1] })
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    const updates = authorUpdates(5, 7)
    expect(applyChecked(doc, [updates[0]!, rng(12), ...updates.slice(1)], 'remote').bad).toEqual([1])
    expect(state(doc)).toEqual(state((() => {
      const oracle = new Y.Doc()
      for (const update of updates) Y.applyUpdate(oracle, update)
      return oracle
    })()))
  })
})
