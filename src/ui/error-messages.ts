import { INVITE_REJECT_REASONS, type InviteRejectReason } from '../core/invite'
import { inviteRejectionWords } from './invite-words'

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
    case 'PhotoUnreadableError':
      return 'This photo could not be read. Try a JPEG, PNG or WebP picture.'
    default:
      return 'Something went wrong and nothing was changed. Please try again.'
  }
}

function isNamed(value: unknown): value is { name: string } {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
}

function isInviteReason(value: unknown): value is InviteRejectReason {
  return (INVITE_REJECT_REASONS as readonly unknown[]).includes(value)
}
