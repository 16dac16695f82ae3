/**
 * Whether an owner's device may accept a borrower's request by itself: the offer's "auto-accept
 * members I vouched for" setting asks this. Yes only when this device's member is the owner and their
 * own vouch for the borrower is live (verified, in its window, not revoked).
 */
import type { MemberId } from '../../core/model'
import type { CircleHandle } from '../../circle/types'
import { trustOf } from './trust.svelte'

export function autoAcceptEligible(circle: CircleHandle, owner: MemberId, borrower: MemberId): boolean {
  if (owner !== circle.me || borrower === owner) return false
  return trustOf(circle)?.vouchedByMe(borrower) ?? false
}
