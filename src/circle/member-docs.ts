/**
 * Where a circle's member docs live between sessions. This device's own doc is kept by y-indexeddb,
 * each local edit saved as soon as its entry is stored. Other members' docs are a cache of their
 * stored entries, saved as snapshot rows that record the feed seqs they cover: one range read opens
 * a 100-member circle (a y-indexeddb database per member took 1–3 s), and anything stored beyond a
 * snapshot is replayed from entries.
 *
 * The own doc keeps a covers mark too, beside its y-indexeddb updates. An entry and its doc update
 * are two writes to two databases: the replica saves the update only once the entry is stored, and
 * on opening, every stored entry of the member's feeds beyond the mark is replayed into the doc
 * (applying an update the doc already has changes nothing). So a crash between the two writes
 * leaves nothing out of the doc.
 */
import * as Y from 'yjs'
import { decodeEntry } from '../core/entry'
import type { FeedLog } from '../core/feed'
import type { MemberId } from '../core/model'
import { openPayload } from '../core/payload'
import { type DocChange, EVERYTHING, changeOf } from './doc-changes'
import { newMemberDoc } from './member-doc'
import type { Roster } from './roster'
import type { DocAttachment, DocCovers, DocSnapshot, Storage } from './types'
import { applyChecked } from './update-check'
import { whenIdle } from '../core/schedule'

/**
 * Snapshots only make the next opening faster (the entries are what is durable), so they are saved
 * once changes pause for this long (then at idle time), once for all of them: a live edit does not
 * pay for encoding its author's whole doc, and a first sync saves each doc once, at its end.
 */
export const SNAPSHOT_QUIET_MS = 1_000
/** …and at the latest this long after the first unsaved change, however busy the circle is. */
export const SNAPSHOT_MAX_DELAY_MS = 10_000

export interface MemberDocsInit {
  circleId: string
  circleKey: Uint8Array
  topicHex: string
  me: MemberId
  storage: Storage
  feeds: FeedLog
  roster: Roster
  /** Origin given to Yjs for updates that came from entries rather than local writes. */
  remoteOrigin: unknown
  /** Told after a doc is opened (everything is new) and after each of its updates, with what it changed. */
  onChange(member: MemberId, change: DocChange): void
}

export class MemberDocs {
  readonly #init: MemberDocsInit
  readonly #opening = new Map<MemberId, Promise<Y.Doc>>()
  readonly #open = new Map<MemberId, Y.Doc>()
  /** The own doc's y-indexeddb attachment, once it is open. */
  #own: DocAttachment | undefined
  /** Feed → highest seq whose entry (and every one before it) is in its member's doc. */
  readonly #reflected = new Map<string, number>()
  #saved = new Map<string, DocSnapshot>()
  /** Members whose snapshot is behind their doc, and the pending save for them. */
  readonly #stale = new Set<MemberId>()
  #saveTimer: ReturnType<typeof setTimeout> | undefined
  #staleSince: number | undefined
  #closed = false

  constructor(init: MemberDocsInit) {
    this.#init = init
  }

  /** Starts what opening the own doc checks first (see Storage.prepareDoc), ahead of `openAll`. */
  prepareOwn(): void {
    this.#init.storage.prepareDoc?.(this.#name(this.#init.me))
  }

  /** Opens every member the roster knows, from the snapshots saved for this circle. */
  async openAll(): Promise<void> {
    const saved = await this.#init.storage.snapshots.getSnapshots(`${this.#init.circleId}:`)
    this.#saved = new Map(saved.map((snapshot) => [snapshot.name, snapshot]))
    await Promise.all(this.#init.roster.members().map((member) => this.doc(member.id)))
    this.#saved.clear()
  }

  /** The member's doc, opened (and restored) on first use. */
  doc(member: MemberId): Promise<Y.Doc> {
    let doc = this.#opening.get(member)
    if (!doc) {
      doc = this.#openDoc(member)
      this.#opening.set(member, doc)
    }
    return doc
  }

  /** Whether the member's doc is open or opening. */
  known(member: MemberId): boolean {
    return this.#opening.has(member)
  }

  /**
   * Takes `doc` as the doc of a member first seen just now (their join is being ingested, so nothing
   * of theirs is stored to restore from); an already known member keeps theirs.
   */
  adopt(member: MemberId, doc: Y.Doc): void {
    if (this.#opening.has(member)) return
    this.#opening.set(member, Promise.resolve(this.#adopt(member, doc)))
  }

  /** The doc if it is already open: for synchronous readers. */
  loaded(member: MemberId): Y.Doc | undefined {
    return this.#open.get(member)
  }

  /**
   * Holds the saving of this device's own doc until the returned function is called (see
   * DocAttachment.hold); a no-op before the doc is attached.
   */
  holdOwnSaves(): () => void {
    return this.#own?.hold() ?? (() => undefined)
  }

  /**
   * Tells that the entry at (feed, seq), and every one of that feed before it, is now in its member's
   * doc (applied, or refused by the update check): what the next save marks as covered.
   */
  reflect(feed: string, seq: number): void {
    // Only the next one: an entry whose apply was skipped (an ingest that failed after the feed log
    // took it) then keeps every later one of its feed out of the mark too, so that opening replays
    // them rather than the doc's save claiming what it never had.
    if ((this.#reflected.get(feed) ?? -1) + 1 === seq) this.#reflected.set(feed, seq)
  }

  /** Saves these members' snapshots soon, together with any others pending (see SNAPSHOT_QUIET_MS). */
  saveSoon(members: Iterable<MemberId>): void {
    for (const member of members) this.#stale.add(member)
    if (this.#stale.size === 0 || this.#closed) return
    const now = Date.now()
    this.#staleSince ??= now
    clearTimeout(this.#saveTimer)
    const wait = Math.max(0, Math.min(SNAPSHOT_QUIET_MS, this.#staleSince + SNAPSHOT_MAX_DELAY_MS - now))
    this.#saveTimer = setTimeout(() => whenIdle(() => void this.#saveStale().catch(() => undefined)), wait)
  }

  /** Saves the pending snapshots now (a failed save costs only a longer replay on the next opening). */
  async #saveStale(): Promise<void> {
    clearTimeout(this.#saveTimer)
    this.#saveTimer = undefined
    this.#staleSince = undefined
    const members = [...this.#stale]
    this.#stale.clear()
    if (members.length > 0) await this.save(members)
  }

  /**
   * Saves these members' docs as snapshots, with the feed seqs they now include; for this device's
   * own doc (saved in its y-indexeddb database as it changes), only the seqs.
   */
  async save(members: Iterable<MemberId>): Promise<void> {
    const snapshots: DocSnapshot[] = []
    let own: Promise<void> | undefined
    for (const member of members) {
      const doc = this.#open.get(member)
      if (!doc) continue
      if (member === this.#init.me) own = this.#own?.markCovered(this.#covers(member))
      else snapshots.push({ name: this.#name(member), state: Y.encodeStateAsUpdate(doc), covers: this.#covers(member) })
    }
    await Promise.all([own, snapshots.length > 0 ? this.#init.storage.snapshots.putSnapshots(snapshots) : undefined])
  }

  /** What the member's doc includes now, feed by feed. */
  #covers(member: MemberId): DocCovers {
    const covers: DocCovers = {}
    for (const feed of this.#init.roster.get(member)?.feeds ?? []) {
      const seq = this.#reflected.get(feed)
      if (seq !== undefined) covers[feed] = seq
    }
    return covers
  }

  async close(): Promise<void> {
    this.#closed = true
    // The own doc's mark is asked for before its attachment closes, and goes out unless saves are
    // still held back (an entry that could not be written): closing drops those, mark included.
    const saving = this.#saveStale().catch(() => undefined)
    await this.#own?.close()
    await saving
    for (const doc of this.#open.values()) doc.destroy()
  }

  #name(member: MemberId): string {
    return `${this.#init.circleId}:${member}`
  }

  async #openDoc(member: MemberId): Promise<Y.Doc> {
    if (member !== this.#init.me) return this.#adopt(member, await this.#restore(member, this.#saved.get(this.#name(member))))
    const doc = newMemberDoc()
    this.#own = await this.#init.storage.attachDoc(this.#name(member), doc)
    // Replayed updates are saved like any other; mark them soon, so that the next opening does not
    // replay them again.
    if (await this.#replay(member, doc, this.#own.covers)) this.saveSoon([member])
    return this.#adopt(member, doc)
  }

  #adopt(member: MemberId, doc: Y.Doc): Y.Doc {
    this.#open.set(member, doc)
    this.#init.onChange(member, EVERYTHING)
    // Not 'update': an update listener makes Yjs encode every transaction's update just to tell it.
    doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.changed.size > 0) this.#init.onChange(member, changeOf(transaction))
      else if (transaction.deleteSet.clients.size > 0) this.#init.onChange(member, EVERYTHING)
    })
    return doc
  }

  /** Another member's doc: its snapshot, then its stored entries the snapshot does not cover. */
  async #restore(member: MemberId, snapshot: DocSnapshot | undefined): Promise<Y.Doc> {
    // A snapshot is this device's own record of updates that passed every check, so it is applied
    // without the scratch copy; if it was damaged on disk, every entry is replayed instead, into a
    // fresh doc (the failed apply may have left part of itself behind).
    let doc = newMemberDoc()
    let covers = snapshot?.covers ?? {}
    try {
      if (snapshot) Y.applyUpdate(doc, snapshot.state, this.#init.remoteOrigin)
    } catch {
      doc.destroy()
      doc = newMemberDoc()
      covers = {}
    }
    await this.#replay(member, doc, covers)
    return doc
  }

  /**
   * Applies the member's stored entries beyond `covers` to `doc` (checked, as on arrival); the doc then
   * reflects every stored entry. Whether there were any.
   */
  async #replay(member: MemberId, doc: Y.Doc, covers: DocCovers): Promise<boolean> {
    const missing: Uint8Array[] = []
    const reached = new Map(Object.entries(covers))
    for (const feed of this.#init.roster.get(member)?.feeds ?? []) {
      const head = this.#init.feeds.head(feed)
      const from = (covers[feed] ?? -1) + 1
      if (!head || from > head.seq) continue
      for (const record of await this.#init.storage.entries.getRange(this.#init.topicHex, feed, from, head.seq)) {
        const entry = decodeEntry(record.bytes)
        const payload = entry.ok ? openPayload(this.#init.circleKey, entry.value) : undefined
        if (payload?.ok && payload.value.type === 'update') missing.push(payload.value.update)
        reached.set(feed, record.seq)
      }
    }
    if (missing.length > 0) applyChecked(doc, missing, this.#init.remoteOrigin)
    // Everything up to here is in the doc now (its save's mark, then what was replayed).
    for (const [feed, seq] of reached) if ((this.#reflected.get(feed) ?? -1) < seq) this.#reflected.set(feed, seq)
    return missing.length > 0
  }
}
