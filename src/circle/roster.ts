/**
 * Who is in a circle, as far as this device has seen: each feed's certified author and each
 * member's first join. Built from the `join` payloads at seq 0 of every feed.
 */
import type { MemberId } from '../core/model'
import type { JoinPayload } from '../core/payload'
import { fingerprint, toHex } from '../core/bytes'

export interface RosterMember {
  id: MemberId
  fingerprint: string
  /** Issued-at of the member's earliest device certificate. */
  joined: number
  /** Display name from the join payload; the doc's profile takes over once it has one. */
  joinName: string
  boxPublicKey: string
  feeds: Set<string>
}

export class Roster {
  readonly #byFeed = new Map<string, MemberId>()
  readonly #members = new Map<MemberId, RosterMember>()

  /** Records a verified join; returns the member it made or extended. */
  add(feed: string, join: JoinPayload): RosterMember {
    const id = toHex(join.certificate.identityKey)
    let member = this.#members.get(id)
    if (!member) {
      member = {
        id,
        fingerprint: fingerprint(join.certificate.identityKey),
        joined: join.certificate.issuedAt,
        joinName: join.name,
        boxPublicKey: toHex(join.boxPublicKey),
        feeds: new Set(),
      }
      this.#members.set(id, member)
    } else if (join.certificate.issuedAt < member.joined) {
      member.joined = join.certificate.issuedAt
    }
    member.feeds.add(feed)
    this.#byFeed.set(feed, id)
    return member
  }

  memberOfFeed(feed: string): MemberId | undefined {
    return this.#byFeed.get(feed)
  }

  get(member: MemberId): RosterMember | undefined {
    return this.#members.get(member)
  }

  members(): RosterMember[] {
    return [...this.#members.values()]
  }
}
