/**
 * Core's failures. Peer input never throws: it comes back as a `Rejected` with a named reason that is
 * counted and reported. Local misuse (a bad passphrase, a corrupt backup) throws one named error class
 * per failure; callers switch on `error.name`, never on message text.
 */

/** Why an entry was not applied, in the order the checks run (DESIGN, "Feeds and entries"). */
export const REJECT_REASONS = [
  'too-large',
  'malformed',
  'unknown-topic',
  'bad-signature',
  'duplicate',
  'seq-gap',
  'prev-mismatch',
  'fork',
  'frozen',
  'buffer-full',
  'undecryptable',
  'bad-payload',
  'bad-certificate',
  'bad-update',
  'not-admitted',
] as const
export type RejectReason = (typeof REJECT_REASONS)[number]

export interface Rejected {
  ok: false
  reason: RejectReason
  detail?: string
}
export type Checked<T> = { ok: true; value: T } | Rejected

export function reject(reason: RejectReason, detail?: string): Rejected {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail }
}

export function accept<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export class WrongPassphraseError extends Error {
  override name = 'WrongPassphraseError'
  constructor(message = 'The passphrase does not open this backup') {
    super(message)
  }
}

export class CorruptBackupError extends Error {
  override name = 'CorruptBackupError'
  constructor(message = 'This file is not a Sharecircle backup, or it is damaged') {
    super(message)
  }
}

export class InvalidPhraseError extends Error {
  override name = 'InvalidPhraseError'
  constructor(message = 'The recovery phrase is not valid: check each word and their order') {
    super(message)
  }
}

export class InvalidKeyError extends Error {
  override name = 'InvalidKeyError'
  constructor(message = 'A key has the wrong length or form') {
    super(message)
  }
}
