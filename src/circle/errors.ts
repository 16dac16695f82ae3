/**
 * The circle layer's failures, one named class each (callers switch on `error.name`). Core's
 * WrongPassphraseError, CorruptBackupError and InvalidPhraseError pass through unchanged.
 */

export class NotYourRecordError extends Error {
  override name = 'NotYourRecordError'
  constructor(message = 'Only its author can change this') {
    super(message)
  }
}

export class UnknownRecordError extends Error {
  override name = 'UnknownRecordError'
  constructor(message = 'There is no such offer or want') {
    super(message)
  }
}

export class UnknownCircleError extends Error {
  override name = 'UnknownCircleError'
  constructor(message = 'This device has not joined that circle') {
    super(message)
  }
}

export class CircleClosedError extends Error {
  override name = 'CircleClosedError'
  constructor(message = 'This circle has been closed on this device') {
    super(message)
  }
}

export class InvalidDraftError extends Error {
  override name = 'InvalidDraftError'
  constructor(readonly fields: Partial<Record<string, string>>) {
    super(`Some fields need attention: ${Object.keys(fields).join(', ')}`)
  }
}

/**
 * This device's next entry did not continue its own feed: what it holds in memory and what storage
 * holds disagree — for instance another tab of the same browser profile wrote to the feed meanwhile.
 */
export class OwnFeedConflictError extends Error {
  override name = 'OwnFeedConflictError'
  constructor(message = 'This circle changed in another tab; reload to continue') {
    super(message)
  }
}

/** A photo over the size other members' devices accept (MAX_PHOTO_BYTES): it could never reach them. */
export class PhotoTooLargeError extends Error {
  override name = 'PhotoTooLargeError'
  constructor(message = 'This photo is too large to share') {
    super(message)
  }
}
