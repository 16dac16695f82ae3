/**
 * Primitive field readers for `validate.ts`. Each takes an untrusted value and a `Report` callback and
 * always returns a usable value (or `undefined` for essential fields), reporting every flaw with a
 * machine reason and a human message. One set of rules serves three callers: reading member docs
 * (reasons become ReadProblems), checking editor drafts (messages become FieldErrors) and normalising
 * drafts before they are written (flaws are ignored, only the cleaned value matters).
 */
import type { IsoDate, Millis, ReadProblem } from './model'
import { cleanText, type CleanOptions } from './text'

export type Reason = ReadProblem['reason']
/** `sub` names an element inside the field (`tags/3`) when the flaw is there. */
export type Report = (reason: Reason, message: string, sub?: string) => void
export type FieldReader<T> = (raw: unknown, report: Report) => T

/** The latest instant a JS Date can hold; later timestamps cannot be shown, so they are refused. */
const MAX_MILLIS = 8.64e15

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/
const HEX_32_BYTES = /^[0-9a-f]{64}$/
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Own properties only: `raw.toString` or `raw.__proto__` must never reach a reader via the prototype. */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/**
 * Ids become object keys and path segments further on, so only short base64url-ish strings pass, and
 * never a name `Object.prototype` already has (`__proto__`, `constructor`, `toString`…).
 */
export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_ID.test(value) && !(value in Object.prototype)
}

/** 32 bytes as lowercase hex (photo hashes, box keys): lowercase only, so each has one spelling. */
export function isHex32(value: unknown): value is string {
  return typeof value === 'string' && HEX_32_BYTES.test(value)
}

/** `YYYY-MM-DD` naming a day that exists (no 2023-02-29, no month 13), year 1 to 9999. */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false
  const match = ISO_DATE.exec(value)
  if (!match) return false
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  if (year < 1 || month < 1 || month > 12 || day < 1) return false
  return day <= daysInMonth(year, month)
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** Absent means `undefined` or `null` (what a cleared Y.Map value turns into); both mean "not given". */
function absent(raw: unknown): raw is undefined | null {
  return raw === undefined || raw === null
}

/** Optional text: absent is '' without complaint; over-long text is cut and reported. */
export function text(limit: number, options: CleanOptions = {}): FieldReader<string> {
  return (raw, report) => {
    if (absent(raw)) return ''
    if (typeof raw !== 'string') {
      report('wrong-type', 'Must be text')
      return ''
    }
    const clean = cleanText(raw, limit, options)
    if (clean.cut) report('too-long', `At most ${limit} characters`)
    return clean.text
  }
}

/** Essential text: blank counts as missing, because a record without it cannot be shown. */
export function requiredText(limit: number, missingMessage: string): FieldReader<string | undefined> {
  const read = text(limit)
  return (raw, report) => {
    if (absent(raw)) {
      report('missing', missingMessage)
      return undefined
    }
    let wrongType = false
    const value = read(raw, (reason, message) => {
      wrongType ||= reason === 'wrong-type'
      report(reason, message)
    })
    if (wrongType) return undefined
    if (value === '') {
      report('missing', missingMessage)
      return undefined
    }
    return value
  }
}

/** One of a fixed set; `fallback` for absent (silently) or anything else (reported). */
export function choice<T extends string>(options: readonly T[], fallback: T, message: string): FieldReader<T> {
  return (raw, report) => {
    if (absent(raw)) return fallback
    if (typeof raw !== 'string') report('wrong-type', message)
    else if ((options as readonly string[]).includes(raw)) return raw as T
    else report('unknown-value', message)
    return fallback
  }
}

/** Essential choice: no fallback, the record is skipped. */
export function requiredChoice<T extends string>(options: readonly T[], message: string): FieldReader<T | undefined> {
  return (raw, report) => {
    if (absent(raw)) report('missing', message)
    else if (typeof raw !== 'string') report('wrong-type', message)
    else if ((options as readonly string[]).includes(raw)) return raw as T
    else report('unknown-value', message)
    return undefined
  }
}

/**
 * A whole number in [min, max]. Non-numbers, NaN and infinities fall back to `fallback`; a number that
 * is merely fractional or outside the range is rounded and clamped instead, since "60 seats" is much
 * closer to the author's meaning than the default of one.
 */
export function count(min: number, max: number, fallback: number): FieldReader<number> {
  const range = `From ${min} to ${max}`
  return (raw, report) => {
    if (absent(raw)) return fallback
    if (typeof raw !== 'number') {
      report('wrong-type', range)
      return fallback
    }
    if (!Number.isFinite(raw)) {
      report('malformed', range)
      return fallback
    }
    if (!Number.isInteger(raw)) report('malformed', `A whole number, ${range.toLowerCase()}`)
    else if (raw < min || raw > max) report('out-of-range', range)
    return Math.min(max, Math.max(min, Math.round(raw)))
  }
}

/** A timestamp in whole milliseconds within the range a Date can show; undefined when unusable. */
export function millis(message: string): FieldReader<Millis | undefined> {
  return (raw, report) => {
    if (absent(raw)) report('missing', message)
    else if (typeof raw !== 'number') report('wrong-type', message)
    else if (!Number.isInteger(raw)) report('malformed', message)
    else if (raw < 0 || raw > MAX_MILLIS) report('out-of-range', message)
    else return raw
    return undefined
  }
}

/** An optional calendar date; '' is accepted as "not given" since date inputs produce it. */
export const isoDate: FieldReader<IsoDate | undefined> = (raw, report) => {
  if (absent(raw) || raw === '') return undefined
  if (typeof raw !== 'string') report('wrong-type', 'Not a date')
  else if (isIsoDate(raw)) return raw
  else report('malformed', 'Not a real date')
  return undefined
}

export interface ListRule {
  /** At most this many entries are kept; the rest are dropped and reported once. */
  max: number
  tooMany: string
  /** Cleans one entry, or returns undefined to drop it (after reporting why). */
  entry: (raw: unknown, report: (reason: Reason, message: string) => void) => string | undefined
}

/**
 * A list of short strings, deduplicated. Only the first flawed entry is reported and only a bounded
 * prefix is examined, so a list of a million bad entries costs one problem and little time.
 */
export function list(rule: ListRule): FieldReader<string[]> {
  const examined = rule.max * 4 + 16
  return (raw, report) => {
    if (absent(raw)) return []
    if (!Array.isArray(raw)) {
      report('wrong-type', 'Must be a list')
      return []
    }
    const kept = new Set<string>()
    let flawed = false
    let tooMany = raw.length > examined
    for (let index = 0; index < raw.length && index < examined; index++) {
      const value = rule.entry(raw[index], (reason, message) => {
        if (!flawed) report(reason, message, String(index))
        flawed = true
      })
      if (value === undefined || kept.has(value)) continue
      // Duplicates past the limit are harmless; only a new entry that does not fit is too many.
      if (kept.size === rule.max) {
        tooMany = true
        break
      }
      kept.add(value)
    }
    if (tooMany) report('too-long', rule.tooMany)
    return [...kept]
  }
}

/** A tag entry: lowercase so "Drill" and "drill" are one tag; blank tags are dropped quietly. */
export function tagEntry(limit: number): ListRule['entry'] {
  return (raw, report) => {
    if (typeof raw !== 'string') {
      report('wrong-type', 'Tags must be text')
      return undefined
    }
    const clean = cleanText(raw, limit, { lowercase: true })
    if (clean.cut) report('too-long', `Tags are at most ${limit} characters`)
    return clean.text === '' ? undefined : clean.text
  }
}

export const hashEntry: ListRule['entry'] = (raw, report) => {
  if (isHex32(raw)) return raw
  report(typeof raw === 'string' ? 'malformed' : 'wrong-type', 'A photo could not be read')
  return undefined
}

export const idEntry: ListRule['entry'] = (raw, report) => {
  if (isSafeId(raw)) return raw
  report(typeof raw === 'string' ? 'malformed' : 'wrong-type', 'Not a valid id')
  return undefined
}

/** A category is matched exactly by the filter chips, so case variants must not split it in two. */
export function category(limit: number): FieldReader<string> {
  return text(limit, { lowercase: true })
}

/** A member id: the hex of a 32-byte identity key. Essential where it appears, so undefined when bad. */
export function memberId(message: string): FieldReader<string | undefined> {
  return (raw, report) => {
    if (isHex32(raw)) return raw
    report(absent(raw) ? 'missing' : typeof raw === 'string' ? 'malformed' : 'wrong-type', message)
    return undefined
  }
}

/** An essential record id (an offer, a thread). */
export function safeId(message: string): FieldReader<string | undefined> {
  return (raw, report) => {
    if (isSafeId(raw)) return raw
    report(absent(raw) ? 'missing' : typeof raw === 'string' ? 'malformed' : 'wrong-type', message)
    return undefined
  }
}

/** An optional record id: absent is undefined without complaint. */
export const optionalId: FieldReader<string | undefined> = (raw, report) => {
  if (absent(raw)) return undefined
  return safeId('Not a valid id')(raw, report)
}

/** An optional timestamp: absent means "not yet" (a step not taken), a bad one is reported and ignored. */
export const optionalMillis: FieldReader<number | undefined> = (raw, report) => {
  if (absent(raw)) return undefined
  return millis('Not a time')(raw, report)
}

/** One of a fixed set, or undefined when absent or unknown (reported). */
export function optionalChoice<T extends string>(options: readonly T[], message: string): FieldReader<T | undefined> {
  return (raw, report) => {
    if (absent(raw)) return undefined
    return requiredChoice(options, message)(raw, report)
  }
}

/** A list entry that is a real calendar day. */
export const dateEntry: ListRule['entry'] = (raw, report) => {
  if (isIsoDate(raw)) return raw
  report(typeof raw === 'string' ? 'malformed' : 'wrong-type', 'Not a real date')
  return undefined
}
