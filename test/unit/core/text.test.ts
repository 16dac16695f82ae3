import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src/core/random'
import { cleanText, cleanTextFully, foldForSearch } from '../../../src/core/text'

describe('cleanText', () => {
  it('its shortcut for already-clean text always agrees with the full pass', () => {
    const random = seededRandom(5)
    const alphabet = ['a', 'Z', ' ', '  ', '\n', '\t', '\r\n', 'é', 'e\u0301', '\u0000', '~', '€', '😀', '\uD800', '\u2028']
    for (let i = 0; i < 20_000; i++) {
      const raw = Array.from({ length: Math.floor(random.next() * 12) }, () => alphabet[Math.floor(random.next() * alphabet.length)]).join('')
      const limit = 1 + Math.floor(random.next() * 14)
      for (const options of [{}, { multiline: true }, { lowercase: true }]) {
        expect(cleanText(raw, limit, options), JSON.stringify({ raw, limit, options })).toEqual(cleanTextFully(raw, limit, options))
      }
    }
  })
})

describe('foldForSearch', () => {
  it('folds Greek final sigma with the medial one, so a query ending in Σ finds the word going on', () => {
    expect(foldForSearch('ΟΔΟΣ')).toBe(foldForSearch('οδοσ'))
    expect(foldForSearch('Οδοστρωτήρας').includes(foldForSearch('ΟΔΟΣ'))).toBe(true)
  })
})
