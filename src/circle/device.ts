/**
 * This browser profile as a member: the identity and device keys, the circles it has joined, and the
 * backup of all of it. The UI holds one Device; everything it opens goes through here.
 */
import { equalBytes, fingerprint, fromHex, toHex } from '../core/bytes'
import { newCircleSecrets } from '../core/circle-secrets'
import { type CheckedInvite, type Invite, INVITE_LIMITS, createInvite, inviteLink, openInvite, sameRelays, usableRelays } from '../core/invite'
import { type Ed25519, detectEd25519 } from '../core/ed25519'
import { boxKeyPairFromIdentitySeed, decryptBackup, encryptBackup, phraseToSeed, seedToPhrase } from '../core/backup'
import { newSigningKeyPair, signingKeyPairFromSecret, signingKeyPairFromSeed } from '../core/keys'
import type { MemberId } from '../core/model'
import { type RandomBytes, secureRandom } from '../core/random'
import { ENGLISH_WORDLIST } from '../core/wordlist'
import { type AttestationSigner, reviewSealKey } from './attestations'
import { UnknownCircleError } from './errors'
import { InvalidInviteError } from './invite-errors'
import { CircleReplica } from './replica'
import type { CircleRecord, DeviceRecord, Storage } from './types'

export interface DeviceEnvironment {
  ed: Ed25519
  random: RandomBytes
  now: () => number
  subtle: SubtleCrypto
}

export async function defaultEnvironment(): Promise<DeviceEnvironment> {
  return { ed: await detectEd25519(), random: secureRandom, now: () => Date.now(), subtle: globalThis.crypto.subtle }
}

const DAY_MS = 24 * 60 * 60 * 1000

export interface InviteOptions {
  /** Relay multiaddrs to carry, most useful first; unusable ones and any beyond the limit are dropped. */
  relays: readonly string[]
  expiresInDays: number
  /** Where the app is served, with its base path (`location.origin + location.pathname`). */
  origin: string
}

export interface CreatedInvite {
  link: string
  invite: Invite
  expiresAt: number
}

/**
 * Opens an invite someone pasted, scanned or followed, without joining: for a preview, and before
 * this browser has an identity. Never throws on the text; a rejection names its reason.
 */
export async function previewInvite(text: string, env?: Pick<DeviceEnvironment, 'ed' | 'now'>): Promise<CheckedInvite> {
  const environment = env ?? (await defaultEnvironment())
  return openInvite(environment.ed, text, environment.now())
}

/**
 * A stored circle with only usable relays: a circle joined before relays were checked may name one
 * the network code cannot parse, which would keep the circle offline.
 */
function withUsableRelays(circle: CircleRecord): CircleRecord {
  const relays = usableRelays(circle.relays)
  return sameRelays(relays, circle.relays) ? circle : { ...circle, relays }
}

export class Device {
  readonly me: MemberId
  readonly fingerprint: string
  #record: DeviceRecord
  #circles: CircleRecord[]
  readonly #storage: Storage
  readonly #env: DeviceEnvironment
  readonly #open = new Map<string, Promise<CircleReplica>>()
  /** The open ones that have finished opening (and are not closed yet), for pageHidden. */
  readonly #ready = new Set<CircleReplica>()
  #hidden = false
  readonly #listeners = new Set<() => void>()

  private constructor(storage: Storage, env: DeviceEnvironment, record: DeviceRecord, circles: CircleRecord[]) {
    this.#storage = storage
    this.#env = env
    this.#record = record
    this.#circles = sortCircles(circles.map(withUsableRelays))
    const identity = signingKeyPairFromSecret(record.identitySecret)
    this.me = toHex(identity.publicKey)
    this.fingerprint = fingerprint(identity.publicKey)
  }

  /** The device saved in this browser profile, or undefined on first run. */
  static async load(storage: Storage, env?: DeviceEnvironment): Promise<Device | undefined> {
    const record = await storage.records.getDevice()
    if (!record) return undefined
    return new Device(storage, env ?? (await defaultEnvironment()), record, await storage.records.listCircles())
  }

  /** First run: new identity, new device key, no circles. */
  static async create(storage: Storage, name: string, env?: DeviceEnvironment): Promise<Device> {
    const environment = env ?? (await defaultEnvironment())
    return Device.#start(storage, environment, environment.random(32), cleanName(name), [])
  }

  /** Restores the identity and circles from a backup file; this browser gets a new device key. */
  static async restoreFromBackup(storage: Storage, file: Uint8Array, passphrase: string, env?: DeviceEnvironment): Promise<Device> {
    const environment = env ?? (await defaultEnvironment())
    const contents = await decryptBackup(environment.subtle, file, passphrase)
    // A backup is a file from anywhere: its text gets the limits typed text gets, or the device's join
    // (which carries the name) would be one no peer accepts.
    const circles = contents.circles.map((circle) => ({
      ...circle,
      key: fromHex(circle.key)!,
      name: cleanCircleName(circle.name),
      description: cleanCircleDescription(circle.description),
      relays: usableRelays(circle.relays),
    }))
    const device = await Device.#start(storage, environment, contents.identitySeed, cleanName(contents.name), circles, environment.now())
    return device
  }

  /** Restores the identity from its 24 words; circles are joined again from an invite. */
  static async restoreFromPhrase(storage: Storage, words: string[], name: string, env?: DeviceEnvironment): Promise<Device> {
    const environment = env ?? (await defaultEnvironment())
    const seed = phraseToSeed(words, ENGLISH_WORDLIST)
    return Device.#start(storage, environment, seed, cleanName(name), [], environment.now())
  }

  static async #start(
    storage: Storage,
    env: DeviceEnvironment,
    identitySeed: Uint8Array,
    name: string,
    circles: CircleRecord[],
    backedUpAt?: number,
  ): Promise<Device> {
    const record: DeviceRecord = {
      identitySecret: signingKeyPairFromSeed(identitySeed).secretKey,
      deviceSecret: newSigningKeyPair(env.random).secretKey,
      boxSecret: boxKeyPairFromIdentitySeed(identitySeed).secretKey,
      name,
      createdAt: env.now(),
      backedUpAt,
    }
    for (const circle of circles) await storage.records.putCircle(circle)
    await storage.records.putDevice(record)
    return new Device(storage, env, record, circles)
  }

  get name(): string {
    return this.#record.name
  }

  get backedUpAt(): number | undefined {
    return this.#record.backedUpAt
  }

  circles(): CircleRecord[] {
    return this.#circles
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** A new circle; `relays` are where its members find each other (the relay that served the app). */
  async createCircle(input: { name: string; description: string; relays?: string[] }): Promise<CircleRecord> {
    const secrets = newCircleSecrets(this.#env.random)
    const circle: CircleRecord = {
      id: toHex(secrets.id),
      key: secrets.key,
      name: cleanCircleName(input.name),
      description: cleanCircleDescription(input.description),
      createdAt: this.#env.now(),
      relays: usableRelays(input.relays ?? []),
    }
    await this.#storage.records.putCircle(circle)
    this.#circles = sortCircles([...this.#circles, circle])
    this.#notify()
    return circle
  }

  /**
   * Remembers a circle whose secrets came from elsewhere (an invite); joining happens on first open.
   * A circle already here keeps its record, except that relays it lacks are added (a later invite is
   * how a circle whose relay moved learns the new one); nothing new, and it is returned unchanged.
   */
  async joinCircle(circle: CircleRecord): Promise<CircleRecord> {
    const known = this.#circles.find((candidate) => candidate.id === circle.id)
    if (known) return this.#addRelays(known, circle)
    await this.#storage.records.putCircle(circle)
    this.#circles = sortCircles([...this.#circles, circle])
    this.#notify()
    return circle
  }

  /**
   * A signed invite to one of this device's circles: whoever holds the link can read the circle, so
   * it expires. Signed with the identity key, so the joiner sees who invited them.
   */
  async createInvite(circleId: string, options: InviteOptions): Promise<CreatedInvite> {
    const circle = this.#circles.find((candidate) => candidate.id === circleId)
    const id = circle && fromHex(circle.id)
    if (!circle || !id) throw new UnknownCircleError()
    if (!Number.isFinite(options.expiresInDays) || options.expiresInDays <= 0) throw new RangeError('An invite must expire in a positive number of days')
    const issuedAt = this.#env.now()
    const expiresAt = issuedAt + Math.round(options.expiresInDays * DAY_MS)
    const invite = await createInvite(
      this.#env.ed,
      signingKeyPairFromSecret(this.#record.identitySecret),
      {
        circleId: id,
        circleKey: circle.key,
        circleName: circle.name.slice(0, INVITE_LIMITS.circleName),
        relays: usableRelays(options.relays),
        inviterName: this.#record.name.slice(0, INVITE_LIMITS.inviterName),
        issuedAt,
        expiresAt,
      },
      this.#env.random,
    )
    return { link: inviteLink(options.origin, invite), invite, expiresAt }
  }

  /** Opens an invite at this device's clock; see the function of the same name. */
  previewInvite(text: string): Promise<CheckedInvite> {
    return previewInvite(text, this.#env)
  }

  /**
   * Verifies an invite and remembers its circle (the circle's contents arrive once a member is
   * reachable), with the invite's usable relays only; an invite with none still joins. Joining a
   * circle this device already has adds the relays it lacks (see joinCircle). Throws
   * InvalidInviteError, with core's reason, for anything openInvite refuses.
   */
  async joinFromInvite(text: string): Promise<CircleRecord> {
    const opened = await this.previewInvite(text)
    if (!opened.ok) throw new InvalidInviteError(opened.reason, opened.detail)
    const invite = opened.value
    return this.joinCircle({
      id: toHex(invite.circleId),
      key: invite.circleKey,
      name: invite.circleName,
      description: '',
      createdAt: this.#env.now(),
      relays: usableRelays(invite.relays),
      invitedBy: toHex(invite.inviter),
    })
  }

  /** What this member signs attestations with (the identity key never leaves this object otherwise). */
  attestationSigner(): AttestationSigner {
    const identity = signingKeyPairFromSecret(this.#record.identitySecret)
    return { ed: this.#env.ed, identity, random: this.#env.random, now: this.#env.now, sealKey: reviewSealKey(identity.secretKey) }
  }

  openCircle(id: string): Promise<CircleReplica> {
    let replica = this.#open.get(id)
    if (!replica) {
      const circle = this.#circles.find((candidate) => candidate.id === id)
      if (!circle) return Promise.reject(new UnknownCircleError())
      replica = CircleReplica.open({ circle, keys: this.#keys(), storage: this.#storage, ...this.#env })
      this.#open.set(id, replica)
      replica.then(
        (opened) => {
          if (this.#open.get(id) !== replica) return
          this.#ready.add(opened)
          if (this.#hidden) opened.pageHidden(true)
        },
        () => this.#open.delete(id),
      )
    }
    return replica
  }

  async exportBackup(passphrase: string): Promise<Uint8Array> {
    const file = await encryptBackup(this.#env.subtle, this.#env.random, {
      identitySeed: this.#record.identitySecret.slice(0, 32),
      name: this.#record.name,
      circles: this.#circles.map((circle) => ({ ...circle, key: toHex(circle.key) })),
      exportedAt: this.#env.now(),
    }, passphrase)
    // The file is what matters, and a full disk is when a backup is most wanted: not noting when it
    // was made only leaves the reminder to make one.
    await this.markBackedUp().catch(() => undefined)
    return file
  }

  recoveryPhrase(): string[] {
    return seedToPhrase(this.#record.identitySecret.slice(0, 32), ENGLISH_WORDLIST)
  }

  async markBackedUp(): Promise<void> {
    await this.#update({ backedUpAt: this.#env.now() })
  }

  async rename(name: string): Promise<void> {
    const clean = cleanName(name)
    await this.#update({ name: clean })
    for (const replica of this.#open.values()) await (await replica).setProfile({ name: clean })
  }

  /** See CircleReplica.pageHidden: the page is going away or hidden, or visible again. Synchronous. */
  pageHidden(hidden: boolean): void {
    this.#hidden = hidden
    for (const replica of this.#ready) replica.pageHidden(hidden)
  }

  async close(): Promise<void> {
    const open = [...this.#open.values()]
    this.#open.clear()
    // Still reached by pageHidden while they close: closing waits for writes under way, of every
    // circle, even when one of them failed to open (settled, not all-or-the-first-failure).
    await Promise.allSettled(open.map(async (replica) => (await replica).close()))
    this.#ready.clear()
    this.#listeners.clear()
  }

  #keys() {
    const identity = signingKeyPairFromSecret(this.#record.identitySecret)
    return {
      identity,
      device: signingKeyPairFromSecret(this.#record.deviceSecret),
      box: boxKeyPairFromIdentitySeed(identity.secretKey.slice(0, 32)),
      name: this.#record.name,
    }
  }

  /**
   * The known circle with the other record's relays added, newest first: the later invite has the
   * inviter's current preference, and if the limit is reached it is the stale relays that drop off.
   * The key must match: a record under this id with another key is not the same circle.
   */
  async #addRelays(known: CircleRecord, incoming: CircleRecord): Promise<CircleRecord> {
    if (!equalBytes(known.key, incoming.key)) return known
    const fresh = usableRelays(incoming.relays)
    if (fresh.every((relay) => known.relays.includes(relay))) return known
    const updated: CircleRecord = { ...known, relays: usableRelays([...fresh, ...known.relays]) }
    await this.#storage.records.putCircle(updated)
    this.#circles = sortCircles(this.#circles.map((circle) => (circle === known ? updated : circle)))
    this.#notify()
    return updated
  }

  async #update(patch: Partial<DeviceRecord>): Promise<void> {
    const record = { ...this.#record, ...patch }
    await this.#storage.records.putDevice(record)
    this.#record = record
    this.#notify()
  }

  #notify(): void {
    for (const listener of this.#listeners) listener()
  }
}

function sortCircles(circles: CircleRecord[]): CircleRecord[] {
  return [...circles].sort((a, b) => b.createdAt - a.createdAt)
}

function cleanName(name: string): string {
  return name.normalize('NFC').trim().slice(0, 60) || 'Neighbour'
}

function cleanCircleName(name: string): string {
  return name.normalize('NFC').trim().slice(0, 80) || 'Our circle'
}

function cleanCircleDescription(description: string): string {
  return description.normalize('NFC').trim().slice(0, 600)
}
