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

/** The owner's setting on an offer: accept requests by themselves, or only from members they vouched for. */
/**
 * Which requests the owner's device accepts by itself, by the owner's trust in the borrower: nobody;
 * members the owner vouched for; those or members vouched for by someone the owner vouched for; or
 * anyone the owner's trust reaches at all (a path of vouches or good reviews).
 */
export const AUTO_ACCEPT = ['off', 'vouched', 'friends', 'trusted'] as const
export type AutoAccept = (typeof AUTO_ACCEPT)[number]

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
  message: 2000,
  note: 300,
  blockedDates: 366,
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
  /** Owner setting: requests from members the owner vouched for are accepted by the owner's device. */
  autoAccept: AutoAccept
  /** Days the owner keeps free of bookings, sorted. */
  blockedDates: IsoDate[]
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

/**
 * What a member types into the offer editor; the rest (id, owner, timestamps) is filled in. The owner
 * settings on bookings may be left out and then take their defaults (off, nothing blocked).
 */
export type OfferDraft = DistributiveOmit<Offer, 'id' | 'owner' | 'created' | 'updated' | OwnerSettings> &
  Partial<Pick<OfferBase, OwnerSettings>>
type OwnerSettings = 'autoAccept' | 'blockedDates'
/** An offer's fields as stored and read, owner settings included. */
export type OfferFields = DistributiveOmit<Offer, 'id' | 'owner' | 'created' | 'updated'>

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

/**
 * The borrower's side of a booking, from the borrower's own doc (`bookings/<id>`). Only these fields
 * are ever read from the borrower; anything else there (an owner's `decision`, say) is ignored.
 */
export interface BorrowerSide {
  id: Id
  borrower: MemberId
  /** The owner of the offer, as the borrower named them; their doc holds the owner's side. */
  owner: MemberId
  offer: Id
  /** The offer's kind when requested, so history reads well after the offer is gone. */
  kind: OfferKind
  /** First and last day (things, spaces, skills); undefined for rides and gifts. */
  from: IsoDate | undefined
  to: IsoDate | undefined
  /** Seats of a ride, places in a space, items of a gift; 1 otherwise. */
  count: number
  message: string
  requested: Millis
  cancelled: Millis | undefined
  received: Millis | undefined
  returned: Millis | undefined
  /** The new last day the borrower asks for, and when they asked. */
  extendTo: IsoDate | undefined
  extendAsked: Millis | undefined
}

export const DECISIONS = ['accepted', 'declined'] as const
export type Decision = (typeof DECISIONS)[number]

export const EXTENSION_ANSWERS = ['granted', 'refused'] as const
export type ExtensionAnswer = (typeof EXTENSION_ANSWERS)[number]

/** The owner's side of a booking, from the owner's doc under the same booking id. */
export interface OwnerSide {
  id: Id
  owner: MemberId
  /** Whose request this answers: an answer to someone else's booking id is not an answer to this one. */
  borrower: MemberId
  offer: Id
  decision: Decision
  /** When the owner decided; acceptances that clash are ordered by this, then by booking id. */
  decided: Millis
  handedOver: Millis | undefined
  /** The owner confirmed the return (or, for rides, skills and gifts, that it is done). */
  closed: Millis | undefined
  /** A short note on the condition at return. */
  condition: string
  extension: ExtensionAnswer | undefined
  /** The `extendTo` this answer is about: a newer ask is a new question. */
  extensionFor: IsoDate | undefined
  extensionAt: Millis | undefined
}

export const BOOKING_STATES = [
  'requested',
  'accepted',
  'declined',
  'cancelled',
  'handed-over',
  'received',
  'returned',
  'closed',
  'overdue',
] as const
export type BookingState = (typeof BOOKING_STATES)[number]

/** Where an extension stands: asked, granted (and within capacity), refused, or granted but clashing. */
export type ExtensionState = 'asked' | 'granted' | 'refused' | 'clash'

/** A booking as every peer computes it from its two sides, the offer and the day. */
export interface Booking {
  id: Id
  borrower: MemberId
  owner: MemberId
  offer: Id
  kind: OfferKind
  from: IsoDate | undefined
  /** The last day, an extension granted included. */
  to: IsoDate | undefined
  count: number
  message: string
  requested: Millis
  state: BookingState
  /** The owner accepted, but an earlier acceptance already took the capacity: shown to the owner. */
  conflict: boolean
  /**
   * The borrower's request is gone from their doc after the owner handed the item over: the booking
   * stands on the owner's answer alone, with the terms it recorded (booking-circle.ts).
   */
  withdrawn: boolean
  extension: ExtensionState | undefined
  extendTo: IsoDate | undefined
  condition: string
  borrowerSide: BorrowerSide
  ownerSide: OwnerSide | undefined
}

/** One message of a booking's thread (or an answer to a want), from its author's doc. */
export interface Message {
  id: Id
  author: MemberId
  thread: Id
  at: Millis
  text: string
  /** An offer given in answer to a want ("I can help"). */
  offer: Id | undefined
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
