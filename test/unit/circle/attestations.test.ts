/**
 * Attestations travel like any other member data: real devices, real signatures, entries carried
 * between replicas. Vouches and revocations change what another member sees; a credential published
 * by someone who did not issue it, or altered after signing, is reported and never counted; sealed
 * reviews stay sealed until both sides have written or 14 days have passed.
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_CREDENTIAL_BYTES, issueReview } from '../../../src/core/attestation'
import {
  CircleAttestations,
  REVIEW_REVEAL_AFTER_MS,
  publishCredential,
  revealReviews,
  reviewsToReveal,
  revokeVouch,
  vouch,
  writeSealedReview,
} from '../../../src/circle/attestations'
import { writeRecord } from '../../../src/circle/member-doc'
import type { CircleReplica } from '../../../src/circle/replica'
import { circleTrust } from '../../../src/circle/trust-view'
import type { CircleView } from '../../../src/circle/types'
import { webCryptoEd25519 } from '../../../src/core/ed25519'
import { newTestDevice } from '../../support/circle-fixtures'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** The test devices' clock (2025, stepping a second per read): vouches are valid for a year from it. */
const clockNow = () => 1_750_000_000_000 + 60 * 60 * 1000

type Member = Awaited<ReturnType<typeof newTestDevice>> & { replica: CircleReplica }

async function threeMembers(): Promise<Member[]> {
  const members: Member[] = []
  const names = ['Ana', 'Ben', 'Cleo']
  let circle
  for (const [i, name] of names.entries()) {
    const made = await newTestDevice(name, 40 + i)
    cleanups.push(() => made.device.close())
    circle ??= await made.device.createCircle({ name: 'Elm Street', description: '' })
    if (i > 0) await made.device.joinCircle(circle)
    members.push({ ...made, replica: await made.device.openCircle(circle.id) })
  }
  await syncAll(members)
  return members
}

/** Every replica gets every entry any of them stores. */
async function syncAll(members: Member[]): Promise<void> {
  for (const from of members) {
    const records = await from.storage.entries.getAll(from.replica.topicHex)
    for (const to of members) if (to !== from) await to.replica.ingest(records.map((record) => record.bytes))
  }
}

/** Reads until every credential in the view is verified. */
async function verified(view: CircleView) {
  let wake = () => {}
  const book = new CircleAttestations({ ed: webCryptoEd25519(globalThis.crypto.subtle), now: () => clockNow(), onVerified: () => wake() })
  for (;;) {
    const waiting = new Promise<void>((resolve) => (wake = resolve))
    const result = book.read(view)
    if (result.pending === 0) return result
    await waiting
  }
}

describe('attestations in a circle', () => {
  it('a vouch reaches a third member through trust, and its revocation takes it away', async () => {
    const [ana, ben, cleo] = (await threeMembers()) as [Member, Member, Member]
    await vouch(cleo.replica, cleo.device.attestationSigner(), [], { subject: ana.device.me, strength: 3, scope: 'anything' })
    await vouch(ana.replica, ana.device.attestationSigner(), [], { subject: ben.device.me, strength: 2, scope: 'tools' })
    await syncAll([ana, ben, cleo])

    const seen = await verified(cleo.replica.view())
    expect(seen.problems).toEqual([])
    expect(seen.attestations.map((a) => a.kind).sort()).toEqual(['vouch', 'vouch'])
    const now = clockNow()
    const before = circleTrust(seen.attestations, cleo.device.me, { now, closedBookings: [] }).standing(ben.device.me)
    expect(before.vouchers.map((v) => v.member)).toEqual([ana.device.me])
    expect(before.score).toBeGreaterThan(0)
    expect(circleTrust(seen.attestations, cleo.device.me, { now, closedBookings: [] }).paths(ben.device.me)).toEqual([[cleo.device.me, ana.device.me, ben.device.me]])

    const anasView = await verified(ana.replica.view())
    await revokeVouch(ana.replica, ana.device.attestationSigner(), anasView.attestations, ben.device.me)
    await syncAll([ana, ben, cleo])
    const after = await verified(cleo.replica.view())
    expect(after.attestations.filter((a) => a.kind === 'revocation')).toHaveLength(1)
    const standing = circleTrust(after.attestations, cleo.device.me, { now, closedBookings: [] }).standing(ben.device.me)
    expect(standing.vouchers).toEqual([])
    expect(standing.score).toBe(0)
  })

  it('changing a vouch revokes the earlier one in the same entry', async () => {
    const [ana, ben] = (await threeMembers()) as [Member, Member, Member]
    const signer = ana.device.attestationSigner()
    await vouch(ana.replica, signer, [], { subject: ben.device.me, strength: 1, scope: 'tools' })
    const first = await verified(ana.replica.view())
    await vouch(ana.replica, signer, first.attestations, { subject: ben.device.me, strength: 3, scope: 'car' })
    const second = await verified(ana.replica.view())
    const standing = circleTrust(second.attestations, ana.device.me, { now: clockNow(), closedBookings: [] }).standing(ben.device.me)
    expect(standing.vouchedByViewer).toEqual({ strength: 3, scope: 'car' })
    expect(second.attestations.filter((a) => a.kind === 'revocation').map((a) => a.revokes)).toEqual([first.attestations[0]!.id])
  })

  it("reports a credential republished by someone who did not issue it, or altered after signing, and counts neither", async () => {
    const [ana, ben, cleo] = (await threeMembers()) as [Member, Member, Member]
    await vouch(ana.replica, ana.device.attestationSigner(), [], { subject: cleo.device.me, strength: 2, scope: 'tools' })
    const anas = (await verified(ana.replica.view())).attestations[0]!
    // Ben copies Ana's credential into his own doc, and publishes an altered copy of it under another key.
    await publishCredential(ben.replica, anas.credential)
    const altered = structuredClone(anas.credential) as { id: string; credentialSubject: { vouch: { strength: number } } }
    altered.credentialSubject.vouch.strength = 3
    altered.id = 'urn:uuid:00000000-0000-4000-8000-000000000001'
    await ben.replica.writeOwn((doc) => writeRecord(doc, 'attestations', altered.id, { vc: JSON.stringify(altered) }))
    await ben.replica.writeOwn((doc) => writeRecord(doc, 'attestations', 'junk', { vc: '{"id": 1, "id": 2}' }))
    // Over the size limit: refused as it is read, before anything hashes, verifies or keeps it.
    await ben.replica.writeOwn((doc) => writeRecord(doc, 'attestations', 'huge', { vc: 'x'.repeat(MAX_CREDENTIAL_BYTES + 1) }))
    await syncAll([ana, ben, cleo])

    const seen = await verified(cleo.replica.view())
    expect(seen.attestations.map((a) => a.issuer)).toEqual([ana.device.me])
    expect(seen.problems.map((p) => [p.member === ben.device.me, p.reason]).sort()).toEqual([
      [true, 'bad-signature'],
      [true, 'duplicate-key'],
      [true, 'not-the-author'],
      [true, 'too-large'],
    ])
  })

  it('keeps reviews sealed until both sides wrote theirs, then reveals both', async () => {
    const [ana, ben, cleo] = (await threeMembers()) as [Member, Member, Member]
    const booking = 'booking-1'
    await writeSealedReview(ana.replica, ana.device.attestationSigner(), { booking, subject: ben.device.me, rating: 5, role: 'owner' })
    await syncAll([ana, ben, cleo])
    let seen = await verified(cleo.replica.view())
    expect(seen.attestations).toEqual([])
    expect(seen.sealedReviews).toMatchObject([{ issuer: ana.device.me, subject: ben.device.me, booking, revealed: false }])
    expect(reviewsToReveal(seen.sealedReviews, ana.device.me, clockNow())).toEqual([])
    // The rating is not readable from what the circle holds.
    expect(JSON.stringify(cleo.replica.view().members.get(ana.device.me)!.raw.attestations)).not.toContain('"rating"')

    await writeSealedReview(ben.replica, ben.device.attestationSigner(), { booking, subject: ana.device.me, rating: 4, role: 'borrower' })
    await syncAll([ana, ben, cleo])
    seen = await verified(ana.replica.view())
    for (const member of [ana, ben]) {
      const due = reviewsToReveal(seen.sealedReviews, member.device.me, clockNow())
      expect(due).toHaveLength(1)
      expect(await revealReviews(member.replica, member.device.attestationSigner(), due)).toBe(1)
    }
    await syncAll([ana, ben, cleo])
    seen = await verified(cleo.replica.view())
    expect(seen.problems).toEqual([])
    expect(seen.attestations.map((a) => [a.issuer === ana.device.me ? 'ana' : 'ben', a.review?.rating]).sort()).toEqual([
      ['ana', 5],
      ['ben', 4],
    ])
  })

  it('reveals a lone review after 14 days, and refuses a reveal that does not match its commitment', async () => {
    const [ana, ben] = (await threeMembers()) as [Member, Member, Member]
    await writeSealedReview(ana.replica, ana.device.attestationSigner(), { booking: 'b-2', subject: ben.device.me, rating: 2, role: 'borrower' })
    const sealed = (await verified(ana.replica.view())).sealedReviews
    const at = sealed[0]!.at
    expect(reviewsToReveal(sealed, ana.device.me, at + REVIEW_REVEAL_AFTER_MS - 1)).toEqual([])
    expect(reviewsToReveal(sealed, ana.device.me, at + REVIEW_REVEAL_AFTER_MS)).toHaveLength(1)

    // Swapping in another credential under the same commitment is caught.
    await vouch(ana.replica, ana.device.attestationSigner(), [], { subject: ben.device.me, strength: 1, scope: 'tools' })
    const other = (await verified(ana.replica.view())).attestations.find((a) => a.kind === 'vouch')!
    await ana.replica.writeOwn((doc) => writeRecord(doc, 'attestations', sealed[0]!.key, { vc: JSON.stringify(other.credential) }))
    const seen = await verified(ana.replica.view())
    expect(seen.problems.map((p) => p.reason)).toEqual(['reveal-mismatch'])
    expect(seen.attestations.filter((a) => a.kind === 'review')).toEqual([])
  })

  it('counts a review only through its first commitment: unsealed or second reviews are refused', async () => {
    const [ana, ben, cleo] = (await threeMembers()) as [Member, Member, Member]
    const signer = ana.device.attestationSigner()
    // Published straight away, without a commitment: refused.
    const unsealed = await issueReview(signer.ed, signer.identity, { subject: ben.device.me, booking: 'b-9', rating: 1, role: 'owner', now: signer.now(), random: signer.random })
    await publishCredential(ana.replica, unsealed)
    // Two commitments for one booking: only the first can ever count.
    await writeSealedReview(ana.replica, signer, { booking: 'b-3', subject: ben.device.me, rating: 5, role: 'owner' })
    await writeSealedReview(ana.replica, signer, { booking: 'b-3', subject: ben.device.me, rating: 1, role: 'owner' })
    await syncAll([ana, ben, cleo])
    const seen = await verified(cleo.replica.view())
    expect(seen.attestations).toEqual([])
    expect(seen.problems.map((p) => p.reason).sort()).toEqual(['superseded-review', 'unsealed-review'])
    expect(seen.sealedReviews).toHaveLength(1)

    // After 14 days Ana reveals: the first (5★) counts; revealing the second as well changes nothing.
    const later = seen.sealedReviews[0]!.at + REVIEW_REVEAL_AFTER_MS
    await revealReviews(ana.replica, signer, reviewsToReveal(seen.sealedReviews, ana.device.me, later))
    await syncAll([ana, ben, cleo])
    const after = await verified(cleo.replica.view())
    expect(after.attestations.map((a) => a.review?.rating)).toEqual([5])
  })
})
