/**
 * Attestations and trust of the circle on screen: the verified credentials (verified off the render
 * path; `version` moves when a batch is done), the viewer's trust view, and the member's own actions
 * — vouch, change, revoke, review. Sealed reviews of this member are revealed by this device as soon
 * as the rule allows (`reviewsToReveal`): at the first idle moment after the circle changes, and once
 * an hour.
 */
import {
  type AttestationSigner,
  CircleAttestations,
  type CircleAttestationsView,
  revealReviews,
  reviewsToReveal,
  revokeVouch,
  vouch,
  writeSealedReview,
} from '../../circle/attestations'
import type { CircleReplica } from '../../circle/replica'
import { type TrustView, circleTrust, liveAt, withinVouches } from '../../circle/trust-view'
import type { CircleHandle, CircleView } from '../../circle/types'
import { type Attestation, type AttestationRejectReason, verifyAttestations } from '../../core/attestation'
import { type ExportRejectReason, decodeAttestationExport, encodeAttestationExport } from '../../core/attestation-export'
import type { AutoAccept, MemberId } from '../../core/model'
import { whenIdle } from '../../core/schedule'
import { circleBookings } from '../../circle/bookings'
import { isReviewable } from '../../core/booking-rules'
import { localToday } from '../words'

export type ImportedReputation =
  | { ok: true; subject: MemberId; valid: Attestation[]; rejected: AttestationRejectReason[] }
  | { ok: false; reason: ExportRejectReason }

const REVEAL_CHECK_MS = 60 * 60 * 1000
const registry = new WeakMap<CircleHandle, TrustState>()

/** The trust state of an open circle, if the app made one (auto-accept asks through this). */
export function trustOf(circle: CircleHandle): TrustState | undefined {
  return registry.get(circle)
}

export class TrustState {
  readonly #replica: CircleReplica
  readonly #signer: AttestationSigner
  readonly #inviter: MemberId | undefined
  readonly #book: CircleAttestations
  #version = $state(0)
  #trust: { view: CircleView; known: CircleAttestationsView; minute: number; result: TrustView } | undefined
  #revealing = false
  #revealScheduled = false

  constructor(replica: CircleReplica, signer: AttestationSigner, inviter: MemberId | undefined) {
    this.#replica = replica
    this.#signer = signer
    this.#inviter = inviter
    this.#book = new CircleAttestations({
      ed: signer.ed,
      now: signer.now,
      onVerified: () => {
        this.#version++
        this.#revealWhenIdle()
      },
    })
    registry.set(replica, this)
    // Looking for reviews to reveal reads the whole circle: it waits for an idle moment, so that a
    // change reaches the screen before this housekeeping runs (several changes share one look).
    replica.subscribe(() => this.#revealWhenIdle())
    // Stops at its first tick after the circle closed (another tab took the device over, say).
    const timer = setInterval(() => (replica.closed ? clearInterval(timer) : this.#revealDue()), REVEAL_CHECK_MS)
    this.#revealWhenIdle()
  }

  /** Verified attestations of the circle as it is now (reactive through the view and `version`). */
  attestations(view = this.#replica.view()): CircleAttestationsView {
    void this.#version
    return this.#book.read(view)
  }

  /**
   * How the member on this device sees everyone, at `now`. Several parts of a screen ask at once, so
   * the answer is kept while the view, the verified attestations and the minute stay the same.
   */
  view(view = this.#replica.view(), now = this.#signer.now()): TrustView {
    const known = this.attestations(view)
    const minute = Math.floor(now / 60_000)
    const kept = this.#trust
    if (kept?.view === view && kept.known === known && kept.minute === minute) return kept.result
    const closedBookings = circleBookings(view, localToday(now)).filter(isReviewable)
    const result = circleTrust(known.attestations, this.#replica.me, { now, closedBookings, ...(this.#inviter ? { inviter: this.#inviter } : {}) })
    this.#trust = { view, known, minute, result }
    return result
  }

  /** Whether `member` is within the auto-accept level for this member (see auto-accept.ts). */
  eligibleAt(level: Exclude<AutoAccept, 'off'>, member: MemberId): boolean {
    const view = this.#replica.view()
    const now = this.#signer.now()
    const known = this.#book.read(view).attestations
    if (level === 'trusted') return (this.view(view, now).trust.get(member) ?? 0) > 0
    return withinVouches(liveAt(known, now), this.#replica.me, member, level === 'vouched' ? 1 : 2)
  }

  /** Vouches, replacing this member's earlier vouch for them (once every credential is checked, so none is missed). */
  async vouch(subject: MemberId, strength: 1 | 2 | 3, scope: string): Promise<void> {
    const known = await this.#book.settled(this.#replica.view())
    await vouch(this.#replica, this.#signer, known.attestations, { subject, strength, scope })
  }

  async revoke(subject: MemberId): Promise<void> {
    const known = await this.#book.settled(this.#replica.view())
    await revokeVouch(this.#replica, this.#signer, known.attestations, subject)
  }

  review(input: { booking: string; subject: MemberId; rating: 1 | 2 | 3 | 4 | 5; role: 'borrower' | 'owner' }): Promise<void> {
    return writeSealedReview(this.#replica, this.#signer, input)
  }

  /**
   * The credentials others issued about this member, live now, as an export file's text (reactive
   * like `attestations`: a credential verified later is in it).
   */
  exportReceived(): { text: string; count: number; vouches: number; reviews: number } {
    const me = this.#replica.me
    const received = liveAt(this.attestations().attestations, this.#signer.now()).filter((a) => a.subject === me && a.issuer !== me)
    const text = encodeAttestationExport({ subject: me, credentials: received.map((a) => a.credential) })
    const vouches = received.filter((a) => a.kind === 'vouch').length
    return { text, count: received.length, vouches, reviews: received.length - vouches }
  }

  /**
   * Verifies someone's export file from another circle, offline. Nothing of it enters this circle:
   * the screen shows it apart, as "from elsewhere".
   */
  async verifyImport(text: string): Promise<ImportedReputation> {
    const decoded = decodeAttestationExport(text)
    if (!decoded.ok) return { ok: false, reason: decoded.reason }
    const checks = await verifyAttestations(this.#signer.ed, decoded.value.credentials, this.#signer.now())
    const valid: Attestation[] = []
    const rejected: AttestationRejectReason[] = []
    const seen = new Set<string>()
    for (const check of checks) {
      if (!check.ok) rejected.push(check.reason)
      else if (check.value.subject !== decoded.value.subject || seen.has(`${check.value.issuer} ${check.value.id}`)) rejected.push('malformed')
      else {
        seen.add(`${check.value.issuer} ${check.value.id}`)
        valid.push(check.value)
      }
    }
    return { ok: true, subject: decoded.value.subject, valid, rejected }
  }

  #revealWhenIdle(): void {
    if (this.#revealScheduled) return
    this.#revealScheduled = true
    whenIdle(() => {
      this.#revealScheduled = false
      this.#revealDue()
    })
  }

  #revealDue(): void {
    if (this.#revealing) return
    const due = reviewsToReveal(this.#book.read(this.#replica.view()).sealedReviews, this.#replica.me, this.#signer.now())
    if (due.length === 0) return
    this.#revealing = true
    revealReviews(this.#replica, this.#signer, due)
      .catch(() => undefined)
      .finally(() => {
        this.#revealing = false
      })
  }
}
