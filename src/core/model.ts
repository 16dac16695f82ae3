/**
 * The circle's domain vocabulary as plain data: what a member's doc holds once it has been read and
 * validated. Nothing here knows Yjs; `src/circle` maps Y.Doc contents onto these shapes and
 * `validate.ts` decides what is well-formed.
 */

/** Ids are opaque strings made by the author's device (base64url of 16 random bytes). */
export type Id = string
/** A member id is the hex of the member's Ed25519 identity public key. */
export type MemberId = string
/** Milliseconds since the epoch. */
export type Millis = number
/** An ISO calendar date, `YYYY-MM-DD`. */
export type IsoDate = string

export const OFFER_KINDS = ['thing', 'space', 'ride', 'skill', 'gift'] as const
export type OfferKind = (typeof OFFER_KINDS)[number]

export const WANT_KINDS = ['borrow', 'errand', 'repair', 'other'] as const
export type WantKind = (typeof WANT_KINDS)[number]

export const AVAILABILITY = ['available', 'paused'] as const
export type Availability = (typeof AVAILABILITY)[number]

export const CONDITIONS = ['new', 'good', 'fair', 'worn'] as const
export type Condition = (typeof CONDITIONS)[number]

export const WANT_STATUSES = ['open', 'closed'] as const
export type WantStatus = (typeof WANT_STATUSES)[number]

/** Categories offered in the editor; members may also type their own (any short string). */
export const SUGGESTED_CATEGORIES = [
  'tools',
  'garden',
  'kitchen',
  'outdoors',
  'sports',
  'kids',
  'electronics',
  'vehicles',
  'rooms',
  'parking',
  'lessons',
  'repairs',
  'food',
  'books',
  'other',
] as const

/** Text limits, enforced when writing and when reading. */
export const LIMITS = {
  title: 120,
  description: 4000,
  category: 40,
  tag: 32,
  tags: 12,
  photos: 6,
  name: 60,
  area: 80,
  bio: 600,
  place: 120,
  money: 60,
} as const

export interface Profile {
  name: string
  area: string
  bio: string
  /** Hex of the member's X25519 box public key; sealed circle keys are addressed to it. */
  boxPublicKey: string
}

interface OfferBase {
  id: Id
  owner: MemberId
  title: string
  description: string
  category: string
  tags: string[]
  /** Content hashes (hex SHA-256) of the photos; the bytes live in the blob store. */
  photos: string[]
  availability: Availability
  /** Where things change hands. Never the home address unless the owner types it. */
  handover: string
  /** A suggested contribution, free text ("€5 a day", "a cake"). Money never moves through the app. */
  contribution: string
  created: Millis
  updated: Millis
}

export interface ThingOffer extends OfferBase {
  kind: 'thing'
  condition: Condition
  /** What it is worth, free text, so borrowers know what they are taking care of. */
  value: string
  deposit: string
}

export interface SpaceOffer extends OfferBase {
  kind: 'space'
  /** A free-text description of the slots, e.g. "weekdays 9–17". */
  slot: string
  capacity: number
}

export interface RideOffer extends OfferBase {
  kind: 'ride'
  /** Departure time. */
  departure: Millis
  from: string
  to: string
  seats: number
}

export interface SkillOffer extends OfferBase {
  kind: 'skill'
  /** How long one session takes, in minutes. */
  sessionMinutes: number
}

export interface GiftOffer extends OfferBase {
  kind: 'gift'
  quantity: number
  /** For food: the best-before date. */
  bestBefore: IsoDate | undefined
  /** Free text: "today 17–19h". */
  pickupWindow: string
}

export type Offer = ThingOffer | SpaceOffer | RideOffer | SkillOffer | GiftOffer

/** What a member types into the offer editor; the rest (id, owner, timestamps) is filled in. */
export type OfferDraft = DistributiveOmit<Offer, 'id' | 'owner' | 'created' | 'updated'>

export interface Want {
  id: Id
  owner: MemberId
  kind: WantKind
  title: string
  description: string
  neededFrom: IsoDate | undefined
  neededTo: IsoDate | undefined
  status: WantStatus
  /** Offer ids given in answer (answers are written by the answerer; see the bookings issue). */
  answers: Id[]
  created: Millis
  updated: Millis
}

export type WantDraft = Omit<Want, 'id' | 'owner' | 'created' | 'updated' | 'answers'>

/**
 * One thing wrong with what a member wrote, found while reading. Reading never throws on member
 * data: a bad field is dropped (or its record skipped) and reported here.
 */
export interface ReadProblem {
  member: MemberId
  /** Where: `offers/<id>/title`, `wants/<id>`, `profile/name`… */
  path: string
  reason: 'missing' | 'wrong-type' | 'too-long' | 'out-of-range' | 'unknown-value' | 'malformed'
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
