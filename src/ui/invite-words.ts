/** What people read about invites: why one cannot be used, and how long one lasts. No Svelte. */
import type { InviteRejectReason } from '../core/invite'

export function inviteRejectionWords(reason: InviteRejectReason): string {
  switch (reason) {
    case 'expired':
      return 'This invite has expired — ask for a new one.'
    case 'not-yet-valid':
      return 'This invite is dated in the future. Check the date and time on this device, or ask for a new invite.'
    case 'bad-signature':
    case 'malformed':
    case 'too-large':
      return 'This link is damaged or not a Sharecircle invite. Ask for the link again and copy all of it.'
  }
}

export const INVITE_EXPIRY_DAYS = [1, 7, 30] as const
export type InviteExpiryDays = (typeof INVITE_EXPIRY_DAYS)[number]

export function expiryLabel(days: number): string {
  return days === 1 ? '1 day' : `${days} days`
}
