import { INVITE_REJECT_REASONS, type InviteRejectReason } from '../core/invite'
import { inviteRejectionWords } from './invite-words'

/**
 * What a person reads when an edit of theirs was made and shared with the circle but could not be
 * stored on this device yet (CircleReplica.subscribeUnstored): not a failure to try again.
 */
export function describeUnstoredEdit(error: unknown): string {
  const name = error instanceof Error || isNamed(error) ? error.name : ''
  if (name === 'StorageFullError' || name === 'QuotaExceededError') {
    return 'Saved and shared with the circle, but your device storage is full, so this device has not stored it yet. Free some space; Sharecircle stores it with your next change.'
  }
  return 'Saved and shared with the circle, but this device could not store it yet. Sharecircle tries again with your next change.'
}

/**
 * What a person reads when something fails. Errors are told apart by `error.name` (one named class per
 * failure in each layer), never by their message text.
 */
export function describeError(error: unknown): string {
  const name = error instanceof Error || isNamed(error) ? error.name : ''
  switch (name) {
    case 'WrongPassphraseError':
      return 'That passphrase does not open this backup. Check it and try again.'
    case 'CorruptBackupError':
      return 'This file is not a Sharecircle backup, or it is damaged. Try another copy.'
    case 'InvalidPhraseError':
      return 'The recovery phrase is not right. Check each word and that they are in order.'
    case 'StorageFullError':
    case 'QuotaExceededError':
      return 'Your device storage is full — nothing was lost; free some space and try again.'
    case 'StorageUnavailableError':
      return 'This browser does not let Sharecircle keep data on this device. A private window may be the reason.'
    case 'StorageBlockedError':
      return 'Another Sharecircle tab is holding the storage. Close it and try again.'
    case 'StorageDamagedError':
      return 'Some data stored on this device is damaged (a disk or browser fault); nothing was changed. Reload to try again.'
    case 'StorageClosedError':
      return 'Sharecircle was updated or closed in another tab. Reload this page to keep going.'
    case 'NotYourRecordError':
      return 'Only the person who wrote this can change it.'
    case 'UnknownRecordError':
      return 'This offer or want is no longer there.'
    case 'UnknownCircleError':
      return 'This device has not joined that circle.'
    case 'InvalidDraftError':
      return 'Some fields need another look before this can be saved.'
    case 'InvalidInviteError': {
      const reason = (error as { reason?: unknown }).reason
      return isInviteReason(reason) ? inviteRejectionWords(reason) : inviteRejectionWords('malformed')
    }
    case 'BookingIdTakenError':
      return 'This booking clashes with another one of yours under the same name. Ask the borrower to request again.'
    case 'UnknownBookingError':
      return 'This booking is not one of yours, or it is no longer there.'
    case 'RequestRefusedError':
      return requestRefusedWords((error as { reason?: unknown }).reason)
    case 'BookingActionError': {
      const reason = (error as { reason?: unknown }).reason
      if (reason === 'clash') return 'That would take more than the offer has: another booking already holds it.'
      if (reason === 'bad-date') return 'That date does not work for this booking. Pick another.'
      if (reason === 'empty') return 'Write something first.'
      return 'That step is not yours to take right now; the booking may have moved on. Look again.'
    }
    case 'InvalidAttestationError':
      return 'This vouch or review cannot be signed as given. Check it and try again.'
    case 'PhotoTooLargeError':
      return 'This photo is too large to share even after resizing. Try a smaller picture.'
    case 'PhotoUnreadableError':
      return 'This photo could not be read. Try a JPEG, PNG or WebP picture.'
    default:
      return 'Something went wrong and nothing was changed. Please try again.'
  }
}

function requestRefusedWords(reason: unknown): string {
  switch (reason) {
    case 'own':
      return 'This is your own offer.'
    case 'paused':
      return 'The owner has paused this offer for now.'
    case 'expired':
      return 'This gift is past its best-before date.'
    case 'dates':
    case 'past':
      return 'Pick dates from today on, the last one not before the first.'
    case 'blocked':
      return 'The owner is not lending it on some of those days.'
    case 'too-many':
      return 'That is more than this offer has.'
    case 'taken':
      return 'Someone has already booked it for some of those days. Pick other dates.'
    case 'too-long':
      return 'At most 400 days at a time.'
    default:
      return 'This offer is no longer there.'
  }
}

function isNamed(value: unknown): value is { name: string } {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
}

function isInviteReason(value: unknown): value is InviteRejectReason {
  return (INVITE_REJECT_REASONS as readonly unknown[]).includes(value)
}
