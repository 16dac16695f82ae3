/**
 * Whether an owner's device may accept a borrower's request by itself, by the offer's setting and the
 * owner's trust in the borrower (verified, live attestations only): `vouched` — the owner's own vouch
 * stands; `friends` — that, or someone the owner vouched for vouches for the borrower; `trusted` —
 * the owner's trust reaches the borrower at all.
 */
import type { AutoAccept, MemberId } from '../../core/model'
import type { CircleHandle } from '../../circle/types'
import { trustOf } from './trust.svelte'

export function autoAcceptEligible(circle: CircleHandle, owner: MemberId, borrower: MemberId, level: AutoAccept): boolean {
  if (level === 'off' || owner !== circle.me || borrower === owner) return false
  const trust = trustOf(circle)
  if (!trust) return false
  return trust.eligibleAt(level, borrower)
}
