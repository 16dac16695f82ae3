/**
 * Text helpers shared by validation and search: cleaning member-typed text the same way on write and
 * on read, and folding text for accent- and case-insensitive matching. Pure; imports nothing.
 */

/** Removed everywhere: C0/C1 controls except tab and line breaks, which are handled per field. */
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g
const LINE_BREAKS = /\r\n?|[\u2028\u2029]/g
/** Single-line fields (titles, names, places) show on one line: a run of spaces or breaks is one space. */
const WHITESPACE_RUN = /\s+/g
/** Lone surrogates break UTF-8 encoding and JCS canonicalisation further down, so they become U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Headroom before normalising: NFC can shrink text (decomposed Hangul is 3:1) and a code point can take
 * two UTF-16 units, so text longer than this is cut (and counts as too long) before anything else.
 * That keeps a multi-megabyte string from a malicious member from costing a full normalisation pass.
 */
const HEADROOM = 4

export interface CleanText {
  text: string
  /** True when the text was over the limit and was cut. */
  cut: boolean
}

export interface CleanOptions {
  /** Keeps line breaks (as `\n`) and tabs; otherwise every run of whitespace becomes one space. */
  multiline?: boolean
  /**
   * Lowercases before normalising and cutting: lowercasing can lengthen text ("İ" becomes two code
   * points), so doing it last could push a value back over its limit.
   */
  lowercase?: boolean
}

/**
 * Makes member text safe to store and show: well-formed, no control characters, NFC, trimmed, and at
 * most `limit` characters (code points, so an emoji is never split into halves). Over-long text is cut
 * rather than refused: a truncated description is more useful than a missing offer.
 */
export function cleanText(raw: string, limit: number, options: CleanOptions = {}): CleanText {
  // Text that was cleaned when written comes back unchanged when read, thousands of fields at a cold
  // start: printable ASCII that is already trimmed (and single-spaced, lowercased where asked) is
  // exactly what the full pass would return, so it skips the regex and normalisation passes.
  const clean = raw.length <= limit && (options.multiline ? CLEAN_ASCII_LINES : CLEAN_ASCII_LINE).test(raw)
  if (clean && !(options.lowercase && UPPERCASE_ASCII.test(raw))) return { text: raw, cut: false }
  return cleanTextFully(raw, limit, options)
}

const CLEAN_ASCII_LINE = /^(?:[!-~]+(?: [!-~]+)*)?$/
const CLEAN_ASCII_LINES = /^(?:[!-~](?:[ -~\n\t]*[!-~])?)?$/
const UPPERCASE_ASCII = /[A-Z]/

/** The whole cleaning pass; `cleanText` is this with a shortcut for text that is already clean. */
export function cleanTextFully(raw: string, limit: number, options: CleanOptions = {}): CleanText {
  const cap = limit * HEADROOM + 16
  let cut = raw.length > cap
  let text = cut ? raw.slice(0, cap) : raw
  if (options.lowercase) text = text.toLowerCase()
  text = text.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROLS, '')
  text = options.multiline ? text.replace(LINE_BREAKS, '\n') : text.replace(WHITESPACE_RUN, ' ')
  text = text.normalize('NFC').trim()
  if (text.length > limit) {
    const chars = Array.from(text)
    if (chars.length > limit) {
      text = chars.slice(0, limit).join('').trimEnd()
      cut = true
    }
  }
  return { text, cut }
}

/** Letters that carry no combining mark in NFKD, so stripping marks alone would not fold them. */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  // Greek final sigma: lowercasing gives it at the end of a word (of a query word too), σ elsewhere.
  ς: 'σ',
}
const FOLDABLE_LETTER = /[ßæœøłđðþıħς]/g
const NON_ASCII = /[^\x00-\x7f]/
/** The marks of Latin accents; stripping them without a Unicode-aware regex is much faster. */
const LATIN_MARKS = /[\u0300-\u036f]+/g
const MARKS = /\p{M}+/gu
/** Spaces, punctuation and symbols all separate words, so "e-bike" and "e bike" match each other. */
const NON_WORD = /[^\p{L}\p{N}]+/gu
const ASCII_NON_WORD = /[^a-z0-9]+/g

/**
 * Lowercase, accent-free, compatibility-folded text for matching: "Café" and "cafe" fold to the same
 * string, and so do "ﬁle" and "file". Whatever is not a letter or digit becomes a single space, so
 * callers can join fields with a line break that no query word can span. Most text is ASCII once its
 * accents are gone, so the Unicode-aware passes run only on what is left: folding is what building a
 * search index costs, paid for every offer.
 */
export function foldForSearch(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase().replace(ASCII_NON_WORD, ' ')
  // Lowercase after NFKD, which can produce capitals ("ℌ" becomes "H"), and before stripping marks,
  // which lowercasing can produce ("İ" becomes "i" and a dot above).
  let folded = text.normalize('NFKD').toLowerCase().replace(LATIN_MARKS, '')
  if (!NON_ASCII.test(folded)) return folded.replace(ASCII_NON_WORD, ' ')
  folded = folded.replace(MARKS, '').replace(FOLDABLE_LETTER, (letter) => LETTER_FOLDS[letter] ?? letter)
  return folded.replace(NON_WORD, ' ')
}
