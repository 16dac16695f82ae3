import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromHex } from '../../../src/core/bytes'
import { MAX_JSON_DEPTH, NotJsonError, canonicalJson, checkSignedData, parseStrictJson } from '../../../src/core/jcs'
import { seededRandom } from '../../../src/core/random'

const VECTORS = new URL('../../fixtures/vc-di-eddsa-jcs-2022/', import.meta.url)
const vector = (name: string) => readFileSync(new URL(name, VECTORS), 'utf8')

function parse(text: string) {
  const parsed = parseStrictJson(text)
  if (!parsed.ok) throw new Error(`${parsed.reason}: ${parsed.detail}`)
  return parsed.value
}

function fromIeeeHex(hex: string): number {
  return new DataView(fromHex(hex)!.buffer).getFloat64(0, false)
}

describe('canonicalJson (RFC 8785)', () => {
  it('reproduces the example of section 3.2.2: numbers, escapes and literals', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`
    expect(canonicalJson(parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    )
  })

  it('sorts properties by UTF-16 code units, as in section 3.2.3', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`
    const canonical = canonicalJson(parse(input))
    // Read the order off the text itself: JSON.parse would move the integer-like key "1" to the front.
    const order = [...canonical.matchAll(/"((?:[^"\\]|\\.)*)":"/g)].map((m) => [...(JSON.parse(`"${m[1]}"`) as string)].map((c) => c.codePointAt(0)!.toString(16)).join('+'))
    // The emoji (U+1F600, surrogates D83D DE00) sorts before U+FB33 although its code point is larger.
    expect(order).toEqual(['d', '31', '80', 'f6', '20ac', '1f600', 'fb33'])
    expect(canonical).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    )
  })

  it('serialises numbers as Appendix B lists', () => {
    const samples: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ]
    for (const [hex, expected] of samples) expect([hex, canonicalJson(fromIeeeHex(hex))]).toEqual([hex, expected])
  })

  it('refuses NaN and the infinities (Appendix B), undefined, functions and lone surrogates', () => {
    for (const hex of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalJson(fromIeeeHex(hex))).toThrow(NotJsonError)
    }
    expect(() => canonicalJson({ a: undefined })).toThrow(NotJsonError)
    expect(() => canonicalJson([() => 1])).toThrow(NotJsonError)
    expect(() => canonicalJson('\ud800')).toThrow(NotJsonError)
  })

  it('reproduces the W3C vector’s canonical document and proof configuration', () => {
    const { proof, ...document } = parse(vector('signedJCS.json')) as Record<string, unknown>
    expect(proof).toBeDefined()
    expect(canonicalJson(document)).toBe(vector('canonDocJCS.txt'))
    expect(canonicalJson(parse(vector('proofConfigJCS.json')))).toBe(vector('proofCanonJCS.txt'))
  })

  it('gives the same text for the same data whatever the key order', () => {
    const random = seededRandom(7)
    const shuffled = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffled)
      if (typeof value !== 'object' || value === null) return value
      const entries = Object.entries(value).map(([k, v]) => [k, shuffled(v)] as const)
      entries.sort(() => random.next() - 0.5)
      return Object.fromEntries(entries)
    }
    const document = parse(vector('signedJCS.json'))
    for (let i = 0; i < 20; i++) expect(canonicalJson(shuffled(document))).toBe(canonicalJson(document))
  })
})

describe('parseStrictJson', () => {
  it('agrees with JSON.parse on well-formed text', () => {
    const texts = [vector('signedJCS.json'), '[]', '{}', ' 0 ', '-1.5e3', '"\\u00e9\\n"', '[true,false,null,{"a":[1,{"b":"c"}]}]', '"😀"']
    for (const text of texts) expect(parse(text)).toEqual(JSON.parse(text))
  })

  it('refuses a duplicate key, at any depth, where JSON.parse keeps the last', () => {
    expect(JSON.parse('{"a":1,"a":2}')).toEqual({ a: 2 })
    expect(parseStrictJson('{"a":1,"a":2}')).toMatchObject({ ok: false, reason: 'duplicate-key' })
    expect(parseStrictJson('{"x":[{"b":1,"c":2,"b":1}]}')).toMatchObject({ ok: false, reason: 'duplicate-key' })
    // The same key spelt with an escape is the same key.
    expect(parseStrictJson('{"a":1,"\\u0061":2}')).toMatchObject({ ok: false, reason: 'duplicate-key' })
    expect(parseStrictJson('[{"a":1},{"a":2}]').ok).toBe(true)
  })

  it('keeps __proto__ as data, never as a prototype', () => {
    const parsed = parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype)
    expect(Object.keys(parsed)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses what is not JSON, with a reason and never an exception', () => {
    const bad = ['', '{', '{"a"}', '{"a":1,}', '[1,]', '01', '1.', '.5', '+1', 'NaN', 'Infinity', 'tru', '"a', '"\t"', "'a'", '"\\x"', '"\\u12"', '{} {}', '[1] x', '1e400', '"\\ud800"', '{a:1}']
    for (const text of bad) expect([text, parseStrictJson(text)]).toMatchObject([text, { ok: false, reason: 'malformed' }])
  })

  it('refuses nesting deeper than its limit instead of overflowing the stack', () => {
    expect(parseStrictJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)).ok).toBe(true)
    expect(parseStrictJson('['.repeat(MAX_JSON_DEPTH + 2) + ']'.repeat(MAX_JSON_DEPTH + 2))).toMatchObject({ ok: false, reason: 'too-deep' })
    expect(parseStrictJson('['.repeat(100_000))).toMatchObject({ ok: false, reason: 'too-deep' })
  })
})

describe('checkSignedData', () => {
  it('accepts integers, strings, booleans, null, arrays and plain objects', () => {
    expect(checkSignedData({ a: [1, -2, 'x', true, null], b: { c: Number.MAX_SAFE_INTEGER } }).ok).toBe(true)
  })

  it('refuses numbers that are not safe integers', () => {
    for (const value of [1.5, 2 ** 53, -0, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(checkSignedData({ n: [value] })).toMatchObject({ ok: false, reason: 'not-integer' })
    }
  })

  it('refuses text, keys included, that is not NFC', () => {
    const decomposed = 'Cafe\u0301' // é as e + combining acute
    expect(checkSignedData({ name: decomposed })).toMatchObject({ ok: false, reason: 'not-nfc' })
    expect(checkSignedData({ [decomposed]: 1 })).toMatchObject({ ok: false, reason: 'not-nfc' })
    expect(checkSignedData({ name: decomposed.normalize('NFC') }).ok).toBe(true)
  })

  it('refuses what JSON cannot carry', () => {
    for (const value of [undefined, () => 1, new Date(0), new Uint8Array(1), 10n, '\udc00']) {
      expect(checkSignedData({ v: value })).toMatchObject({ ok: false, reason: 'malformed' })
    }
  })
})
