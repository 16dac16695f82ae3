/**
 * Reading a member doc part by part: after any transaction, reading only what the transaction says
 * it changed gives the same member as reading the whole doc again. Seeded random edits in the layout
 * member-doc.ts writes, and garbage in the layouts it does not (other types under the parts' names,
 * nested types in records, fields of the wrong type).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seededRandom } from '../../../src/core/random'
import { type DocChange, EVERYTHING, changeOf } from '../../../src/circle/doc-changes'
import { type FieldValue, newMemberDoc, writeProfile, writeRecord } from '../../../src/circle/member-doc'
import { readMember, type MemberRead } from '../../../src/circle/read-model'
import type { RosterMember } from '../../../src/circle/roster'
import { randomOfferDraft } from '../../support/drafts'

const member: RosterMember = {
  id: 'a'.repeat(64),
  fingerprint: 'aaaa aaaa aaaa aaaa',
  joined: 1,
  joinName: 'Ana',
  boxPublicKey: 'b'.repeat(64),
  feeds: new Set(),
}

type Edit = (doc: Y.Doc) => void

type Random = ReturnType<typeof seededRandom>

/** An offer draft as the plain field values a doc holds. */
function offerFields(random: Random): Record<string, FieldValue> {
  return JSON.parse(JSON.stringify(randomOfferDraft(random, 'thing'))) as Record<string, FieldValue>
}

function randomEdit(random: Random, garbage: boolean): Edit {
  const pick = (n: number) => Math.floor(random.next() * n)
  const id = `r${pick(6)}`
  const edits: Edit[] = [
    (doc) => writeRecord(doc, 'offers', id, { ...offerFields(random), created: pick(1000), updated: pick(1000) }),
    (doc) => writeRecord(doc, 'offers', id, { title: `Title ${pick(100)}`, updated: pick(1000) }),
    (doc) => doc.getMap('offers').delete(id),
    (doc) => writeRecord(doc, 'wants', id, { kind: 'borrow', title: `Want ${pick(9)}`, description: '', status: 'open', neededFrom: null, neededTo: null, answers: [], created: 1, updated: 2 }),
    (doc) => doc.getMap('wants').delete(id),
    (doc) => writeProfile(doc, { name: `Name ${pick(5)}`, area: 'Elm' }),
    (doc) => writeRecord(doc, 'messages', id, { text: `hello ${pick(9)}`, at: pick(100) }),
    (doc) => writeRecord(doc, 'bookings', id, { from: '2026-12-01', to: '2026-12-02' }),
    (doc) => writeRecord(doc, 'attestations', id, { credential: `c${pick(9)}` }),
    // Two records and the profile in one transaction.
    (doc) => {
      writeRecord(doc, 'offers', 'r1', { title: `Both ${pick(9)}` })
      writeRecord(doc, 'wants', 'r2', { title: `Both ${pick(9)}` })
      writeProfile(doc, { bio: `bio ${pick(9)}` })
    },
  ]
  const garbageEdits: Edit[] = [
    (doc) => doc.getMap('offers').set(id, 'not a record'),
    (doc) => doc.getMap<unknown>('offers').set(id, new Y.Array()),
    (doc) => {
      const record = doc.getMap<Y.Map<unknown>>('offers').get(id)
      if (record instanceof Y.Map) record.set('title', new Y.Map())
    },
    (doc) => writeRecord(doc, 'offers', id, { title: 42 as never }),
    (doc) => doc.getMap('profile').set('name', new Y.Text('nested')),
    (doc) => doc.getArray('unrelated').push([1]),
  ]
  const all = garbage ? [...edits, ...garbageEdits] : edits
  return all[pick(all.length)]!
}

function sorted<T>(list: T[]): T[] {
  return [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
}

function expectSame(partial: MemberRead, whole: MemberRead): void {
  expect(partial.view).toEqual(whole.view)
  expect(sorted(partial.problems)).toEqual(sorted(whole.problems))
}

describe('reading a member doc part by part', () => {
  for (const garbage of [false, true]) {
    it(`matches reading the whole doc after every transaction (${garbage ? 'with' : 'without'} garbage)`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const random = seededRandom(seed * (garbage ? 7 : 1))
        const doc = newMemberDoc()
        let change: DocChange = EVERYTHING
        doc.on('afterTransaction', (transaction: Y.Transaction) => {
          change = changeOf(transaction)
        })
        let read = readMember(doc, member)
        for (let step = 0; step < 40; step++) {
          const edit = randomEdit(random, garbage)
          doc.transact(() => edit(doc))
          const partial = readMember(doc, member, read, change)
          expectSame(partial, readMember(doc, member))
          read = partial
        }
      }
    })
  }

  it('reads again only the records an edit touched: the others stay the same objects', () => {
    const random = seededRandom(5)
    const doc = newMemberDoc()
    let change: DocChange = EVERYTHING
    doc.on('afterTransaction', (transaction: Y.Transaction) => {
      change = changeOf(transaction)
    })
    doc.transact(() => {
      for (const id of ['o1', 'o2', 'o3']) writeRecord(doc, 'offers', id, { ...offerFields(random), created: 1, updated: 1 })
      writeRecord(doc, 'messages', 'm1', { text: 'hi' })
    })
    const before = readMember(doc, member, readMember(doc, member), change)
    doc.transact(() => writeRecord(doc, 'offers', 'o2', { title: 'Renamed' }))
    expect(change).not.toBe(EVERYTHING)
    const after = readMember(doc, member, before, change)
    expect(after.view.offers.map((offer) => offer.title)).toContain('Renamed')
    expect(after.view.offers[0]).toBe(before.view.offers[0])
    expect(after.view.offers[2]).toBe(before.view.offers[2])
    expect(after.view.offers[1]).not.toBe(before.view.offers[1])
    // Messages were not touched: the same raw object, so what is cached by it stays.
    expect(after.view.raw.messages).toBe(before.view.raw.messages)
  })
})
