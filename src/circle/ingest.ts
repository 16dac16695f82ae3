/**
 * Receiving entries: every check of DESIGN's list, in order, stopping at the first failure with a
 * named reason — size → decodes → topic → signature → seq/prev (early entries wait) → decrypts →
 * payload → certificate / author known. Signatures are checked per chained run (entry-chain.ts): the
 * newest entry of a run of one feed vouches for the rest, and a run whose newest fails is checked
 * entry by entry, so each rejection still names its entry. What passes is returned grouped for the
 * replica to store and apply; nothing here touches a Y.Doc, so nothing unchecked can reach one.
 */
import { toHex } from '../core/bytes'
import type { Ed25519 } from '../core/ed25519'
import { type Entry, decodeForTopic } from '../core/entry'
import { verifyChained } from '../core/entry-chain'
import type { RejectReason } from '../core/errors'
import type { FeedLog, Gap } from '../core/feed'
import { verifyCertificate } from '../core/keys'
import type { MemberId } from '../core/model'
import { openPayload } from '../core/payload'
import type { Roster } from './roster'
import type { EntryRecord } from './types'

export interface Rejection {
  reason: RejectReason
  detail?: string
  feed?: string
  seq?: number
}

export interface IngestBatch {
  /**
   * Entries that extend admitted feeds, in feed order: store all of them (peers re-serve the chain),
   * including a member's later entry that failed its payload checks.
   */
  appended: Entry[]
  /** Updates to apply, per member, in feed order. */
  updates: Map<MemberId, Array<{ entry: Entry; update: Uint8Array }>>
  /** Members whose join arrived in this batch. */
  joined: MemberId[]
  rejected: Rejection[]
  buffered: number
  /** Feeds of this batch that still have entries waiting after it, and the seqs they wait for. */
  gaps: Gap[]
  forks: Array<{ feed: string; seq: number; entries: Uint8Array[] }>
}

export interface IngestContext {
  ed: Ed25519
  topic: Uint8Array
  circleId: Uint8Array
  circleKey: Uint8Array
  feeds: FeedLog
  roster: Roster
  /** The stored entry at (feed, seq), for duplicate and fork checks below the in-memory window. */
  stored(feed: string, seq: number): Promise<EntryRecord | undefined>
}

const NO_VALID_JOIN = { reason: 'not-admitted', detail: 'feed has no valid join' } as const

export async function ingestBatch(context: IngestContext, batch: Uint8Array[]): Promise<IngestBatch> {
  const result: IngestBatch = { appended: [], updates: new Map(), joined: [], rejected: [], buffered: 0, gaps: [], forks: [] }
  const touched = new Set<string>()
  /** Feeds with entries refused as early (the buffer was full), and the furthest such seq. */
  const overflowed = new Map<string, number>()
  const seenHere = new Map<string, Entry>()
  /** Feeds whose seq 0 failed in this batch: the rest of them here is refused, not buffered. */
  const unadmitted = new Set<string>()
  // Signatures do not depend on feed state, so the whole batch is verified first (its runs in
  // parallel); everything after depends on order and runs one by one.
  const checks = batch.map((bytes) => decodeForTopic(bytes, context.topic))
  const decoded = checks.flatMap((checked) => (checked.ok ? [checked.value] : []))
  const { authentic } = await verifyChained(context.ed, decoded)
  const trusted = new Set(decoded.filter((_, index) => authentic[index]))
  for (const checked of checks) {
    if (!checked.ok) {
      result.rejected.push({ reason: checked.reason, ...(checked.detail ? { detail: checked.detail } : {}) })
      continue
    }
    const entry = checked.value
    const where = { feed: entry.feedId, seq: entry.seq }
    if (!trusted.has(entry)) {
      result.rejected.push({ reason: 'bad-signature', ...where })
      continue
    }
    if (unadmitted.has(entry.feedId)) {
      result.rejected.push({ ...NO_VALID_JOIN, ...where })
      continue
    }
    const outcome = context.feeds.offer(entry)
    if ('reason' in outcome) {
      result.rejected.push({ reason: outcome.reason, ...where })
      if (outcome.reason === 'fork') await recordFork(context, result, seenHere, entry)
      if (outcome.reason === 'buffer-full') overflowed.set(entry.feedId, Math.max(entry.seq, overflowed.get(entry.feedId) ?? -1))
      continue
    }
    if (outcome.status === 'buffered') {
      result.buffered++
      touched.add(entry.feedId)
    } else if (outcome.status === 'stale') {
      const stored = await storedOrNone(context, entry.feedId, entry.seq)
      if (stored && toHex(stored.hash) === toHex(entry.hash)) {
        result.rejected.push({ reason: 'duplicate', ...where })
      } else if (stored) {
        context.feeds.freeze(entry.feedId)
        result.forks.push({ ...where, entries: [stored.bytes, entry.bytes] })
        result.rejected.push({ reason: 'fork', ...where })
      } else {
        // Below the head but missing from storage: nothing to compare against, and nothing to apply.
        result.rejected.push({ reason: 'duplicate', detail: 'below head, not stored', ...where })
      }
    } else {
      for (const dropped of outcome.dropped) result.rejected.push({ ...dropped, feed: entry.feedId })
      for (const [index, appended] of outcome.entries.entries()) {
        if (!(await openAppended(context, result, appended))) {
          // A feed whose seq 0 is not a valid join belongs to nobody in the circle: nothing of it
          // is stored or passed on, so a stranger cannot fill members' storage, and no member
          // serves it to another (who would count it against them).
          context.feeds.forget(appended.feedId)
          unadmitted.add(appended.feedId)
          for (const later of outcome.entries.slice(index + 1)) {
            result.rejected.push({ ...NO_VALID_JOIN, feed: later.feedId, seq: later.seq })
          }
          break
        }
        result.appended.push(appended)
        seenHere.set(`${appended.feedId}/${appended.seq}`, appended)
        touched.add(appended.feedId)
      }
    }
  }
  for (const feed of touched) {
    const gap = context.feeds.gap(feed)
    if (gap) result.gaps.push(gap)
  }
  // An entry refused for want of room is asked for again, in order from the feed's head, when nothing
  // else of its feed is: a full buffer then delays it instead of leaving it to the next session.
  for (const [feed, seq] of overflowed) {
    const gap = result.gaps.some((other) => other.feed === feed) ? undefined : context.feeds.missing(feed, seq)
    if (gap) result.gaps.push(gap)
  }
  return result
}

/**
 * Opens an entry that extends its feed and files it as a join or an update. False when the feed
 * turns out to have no valid join: it is dropped whole. A later entry that fails (a member's own
 * garbage) is rejected but stays in the feed, whose chain runs through it.
 */
async function openAppended(context: IngestContext, result: IngestBatch, entry: Entry): Promise<boolean> {
  const where = { feed: entry.feedId, seq: entry.seq }
  const fail = (reason: RejectReason, detail?: string) => {
    result.rejected.push({ reason, ...(detail ? { detail } : {}), ...where })
    return entry.seq !== 0 && context.roster.memberOfFeed(entry.feedId) !== undefined
  }
  const payload = openPayload(context.circleKey, entry)
  if (!payload.ok) return fail(payload.reason)
  if (payload.value.type === 'join') {
    if (entry.seq !== 0) return fail('bad-payload', 'join after seq 0')
    const certified = await verifyCertificate(context.ed, payload.value.certificate, {
      deviceKey: entry.feed,
      circleId: context.circleId,
    })
    if (!certified.ok) return fail(certified.reason)
    const member = context.roster.add(entry.feedId, payload.value)
    result.joined.push(member.id)
    return true
  }
  const member = context.roster.memberOfFeed(entry.feedId)
  if (!member) return fail(NO_VALID_JOIN.reason, NO_VALID_JOIN.detail)
  const list = result.updates.get(member) ?? []
  list.push({ entry, update: payload.value.update })
  result.updates.set(member, list)
  return true
}

/**
 * The stored entry at (feed, seq), or undefined when there is none or it cannot be read: a read that
 * fails costs that one comparison, never the batch (whose entries before it are in the feed log).
 */
async function storedOrNone(context: IngestContext, feed: string, seq: number): Promise<EntryRecord | undefined> {
  try {
    return await context.stored(feed, seq)
  } catch {
    return undefined
  }
}

async function recordFork(context: IngestContext, result: IngestBatch, seenHere: Map<string, Entry>, entry: Entry) {
  const other = seenHere.get(`${entry.feedId}/${entry.seq}`)?.bytes ?? (await storedOrNone(context, entry.feedId, entry.seq))?.bytes
  result.forks.push({ feed: entry.feedId, seq: entry.seq, entries: other ? [other, entry.bytes] : [entry.bytes] })
}

export function toRecord(topic: string, entry: Entry): EntryRecord {
  // `hash` read through, so the entry's hash is worked out only when the record is stored.
  return {
    topic,
    feed: entry.feedId,
    seq: entry.seq,
    bytes: entry.bytes,
    get hash() {
      return entry.hash
    },
  }
}
