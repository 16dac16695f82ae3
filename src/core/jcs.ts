/**
 * JSON for signatures: RFC 8785 canonical serialisation (JCS) and a strict parser. Signed credentials
 * are hashed over their canonical text, so both sides must agree on every byte: properties sorted by
 * UTF-16 code units, ECMAScript number and string serialisation, no whitespace. The parser refuses
 * what `JSON.parse` lets through silently: a duplicate key (JSON.parse keeps the last, so a signer and
 * a reader could see different values), lone surrogates (not I-JSON), numbers beyond a double, and
 * nesting deep enough to exhaust the stack. `checkSignedData` adds our signing rules: integers and
 * strings only, every string NFC-normalised.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

/** Why a JSON text or value was refused, in the order the checks run. */
export const JSON_REJECT_REASONS = ['malformed', 'duplicate-key', 'too-deep', 'not-integer', 'not-nfc'] as const
export type JsonRejectReason = (typeof JSON_REJECT_REASONS)[number]
export type JsonChecked<T> = { ok: true; value: T } | { ok: false; reason: JsonRejectReason; detail?: string }

export const MAX_JSON_DEPTH = 32

/** Thrown by `canonicalJson` for a value JSON cannot carry (NaN, Infinity, undefined, a function…). */
export class NotJsonError extends Error {
  override name = 'NotJsonError'
  constructor(message = 'The value cannot be written as I-JSON') {
    super(message)
  }
}

/** RFC 8785: the canonical text of a JSON value. Hash `utf8()` of it. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      // ECMAScript's Number-to-String is exactly RFC 8785's number form (-0 becomes 0).
      if (!Number.isFinite(value)) throw new NotJsonError(`${value} is not a JSON number`)
      return JSON.stringify(value)
    case 'string':
      if (hasLoneSurrogate(value)) throw new NotJsonError('A string holds a lone surrogate')
      // JSON.stringify escapes exactly as RFC 8785 asks: \b \t \n \f \r \" \\ and \u00xx for the rest below 0x20.
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
      const record = value as Record<string, unknown>
      // The default sort compares UTF-16 code units, which is RFC 8785's order.
      const keys = Object.keys(record).sort()
      const members: string[] = []
      for (const key of keys) {
        if (record[key] === undefined) throw new NotJsonError(`${key} is undefined`)
        members.push(`${canonicalJson(key)}:${canonicalJson(record[key])}`)
      }
      return `{${members.join(',')}}`
    }
    default:
      throw new NotJsonError(`A ${typeof value} is not JSON`)
  }
}

// With the u flag a surrogate class matches only unpaired halves: a pair is one code point.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text)
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }

class ParseFailure {
  constructor(
    readonly reason: JsonRejectReason,
    readonly detail: string,
  ) {}
}

/**
 * Parses RFC 8259 JSON, refusing duplicate keys, lone surrogates, numbers that overflow a double and
 * nesting past `MAX_JSON_DEPTH`. Never throws. Objects are plain objects whose keys are all own data
 * properties, so a key named `__proto__` is data, never a prototype.
 */
export function parseStrictJson(text: string): JsonChecked<JsonValue> {
  let at = 0
  const fail = (reason: JsonRejectReason, detail: string): never => {
    throw new ParseFailure(reason, detail)
  }
  const skipSpace = (): void => {
    while (at < text.length) {
      const c = text.charCodeAt(at)
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return
      at++
    }
  }
  const parseString = (): string => {
    at++ // opening quote
    let out = ''
    let start = at
    for (;;) {
      if (at >= text.length) fail('malformed', 'unterminated string')
      const c = text.charCodeAt(at)
      if (c === 0x22) break
      if (c < 0x20) fail('malformed', `control character in a string at ${at}`)
      if (c !== 0x5c) {
        at++
        continue
      }
      out += text.slice(start, at)
      const escape = text[at + 1] ?? ''
      if (escape === 'u') {
        const hex = text.slice(at + 2, at + 6)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('malformed', `bad \\u escape at ${at}`)
        out += String.fromCharCode(parseInt(hex, 16))
        at += 6
      } else {
        const replacement = ESCAPES[escape]
        if (replacement === undefined) fail('malformed', `bad escape at ${at}`)
        out += replacement
        at += 2
      }
      start = at
    }
    out += text.slice(start, at)
    at++ // closing quote
    if (hasLoneSurrogate(out)) fail('malformed', 'a string holds a lone surrogate')
    return out
  }
  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_JSON_DEPTH) fail('too-deep', `nested deeper than ${MAX_JSON_DEPTH}`)
    skipSpace()
    const c = text[at]
    if (c === '{') {
      at++
      const object: JsonObject = {}
      const seen = new Set<string>()
      skipSpace()
      if (text[at] === '}') {
        at++
        return object
      }
      for (;;) {
        skipSpace()
        if (text[at] !== '"') fail('malformed', `expected a key at ${at}`)
        const key = parseString()
        if (seen.has(key)) fail('duplicate-key', `duplicate key ${JSON.stringify(key)}`)
        seen.add(key)
        skipSpace()
        if (text[at] !== ':') fail('malformed', `expected : at ${at}`)
        at++
        Object.defineProperty(object, key, { value: parseValue(depth + 1), enumerable: true, writable: true, configurable: true })
        skipSpace()
        if (text[at] === ',') {
          at++
          continue
        }
        if (text[at] === '}') {
          at++
          return object
        }
        fail('malformed', `expected , or } at ${at}`)
      }
    }
    if (c === '[') {
      at++
      const array: JsonValue[] = []
      skipSpace()
      if (text[at] === ']') {
        at++
        return array
      }
      for (;;) {
        array.push(parseValue(depth + 1))
        skipSpace()
        if (text[at] === ',') {
          at++
          continue
        }
        if (text[at] === ']') {
          at++
          return array
        }
        fail('malformed', `expected , or ] at ${at}`)
      }
    }
    if (c === '"') return parseString()
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length
        return value
      }
    }
    NUMBER.lastIndex = at
    const match = NUMBER.exec(text)
    if (match === null) fail('malformed', `unexpected ${c === undefined ? 'end of text' : JSON.stringify(c)} at ${at}`)
    at += match![0].length
    const number = Number(match![0])
    if (!Number.isFinite(number)) fail('malformed', `${match![0]} is beyond a double`)
    return number
  }
  try {
    const value = parseValue(0)
    skipSpace()
    if (at !== text.length) fail('malformed', `text after the value at ${at}`)
    return { ok: true, value }
  } catch (error) {
    if (error instanceof ParseFailure) return { ok: false, reason: error.reason, detail: error.detail }
    throw error
  }
}

/**
 * Checks a value about to be signed or just received: plain JSON only (no undefined, functions,
 * non-finite numbers, class instances), every number a safe integer, every string and key NFC and
 * well-formed, nesting at most `MAX_JSON_DEPTH`. Never throws.
 */
export function checkSignedData(value: unknown): JsonChecked<JsonValue> {
  const problem = findProblem(value, '', 0)
  return problem === undefined ? { ok: true, value: value as JsonValue } : { ok: false, ...problem }
}

function findProblem(value: unknown, path: string, depth: number): { reason: JsonRejectReason; detail: string } | undefined {
  if (depth > MAX_JSON_DEPTH) return { reason: 'too-deep', detail: `nested deeper than ${MAX_JSON_DEPTH}` }
  if (value === null || typeof value === 'boolean') return undefined
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? undefined : { reason: 'not-integer', detail: `${path || '/'} is ${value}` }
  }
  if (typeof value === 'string') return checkText(value, path)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findProblem(value[i], `${path}/${i}`, depth + 1)
      if (problem) return problem
    }
    return undefined
  }
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    for (const key of Object.keys(value)) {
      const keyProblem = checkText(key, `${path}/${key}`)
      if (keyProblem) return keyProblem
      const problem = findProblem((value as Record<string, unknown>)[key], `${path}/${key}`, depth + 1)
      if (problem) return problem
    }
    return undefined
  }
  return { reason: 'malformed', detail: `${path || '/'} is not JSON data` }
}

function checkText(text: string, path: string): { reason: JsonRejectReason; detail: string } | undefined {
  if (hasLoneSurrogate(text)) return { reason: 'malformed', detail: `${path || '/'} holds a lone surrogate` }
  if (text.normalize('NFC') !== text) return { reason: 'not-nfc', detail: `${path || '/'} is not NFC-normalised` }
  return undefined
}
