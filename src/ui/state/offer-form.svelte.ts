/**
 * The offer editor's fields while a member types. Numbers and dates stay in the shapes the inputs
 * give; `raw` turns them into a draft, `errors` are the validator's words (shown once the member has
 * tried to save), and `toDraft` is what gets written.
 */
import { checkOfferDraft, normalizeOfferDraft, type FieldErrors } from '../../core/validate'
import type { Availability, AutoAccept, Condition, IsoDate, Offer, OfferDraft, OfferKind } from '../../core/model'
import { fromDateTimeLocal, toDateTimeLocal } from '../words'

export class OfferForm {
  readonly kind: OfferKind
  title = $state('')
  description = $state('')
  category = $state('')
  /** Comma-separated, as typed. */
  tags = $state('')
  photos = $state<string[]>([])
  handover = $state('')
  contribution = $state('')
  availability = $state<Availability>('available')
  /** Owner settings on bookings: who is accepted without asking, and days kept free (set on the calendar). */
  autoAccept = $state<AutoAccept>('off')
  blockedDates = $state<IsoDate[]>([])

  condition = $state<Condition>('good')
  value = $state('')
  deposit = $state('')

  slot = $state('')
  capacity = $state<number | undefined>(1)

  /** `<input type="datetime-local">` value, local time. */
  departure = $state('')
  from = $state('')
  to = $state('')
  seats = $state<number | undefined>(1)

  sessionMinutes = $state<number | undefined>(60)

  quantity = $state<number | undefined>(1)
  /** `<input type="date">` value; '' when not given. */
  bestBefore = $state('')
  pickupWindow = $state('')

  /** Errors show once an attempt to save found some, then follow every keystroke. */
  tried = $state(false)

  /** Photos picked and still being shrunk and stored: a save waits for them (`photosAdded`). */
  photosAdding = $state(0)
  #photosWaiting: Array<() => void> = []

  readonly raw: Record<string, unknown> = $derived(this.#raw())
  readonly errors: FieldErrors = $derived(this.tried ? checkOfferDraft(this.raw) : {})

  constructor(kind: OfferKind, offer?: Offer) {
    this.kind = kind
    if (offer) this.#fill(offer)
  }

  /** Counts photos that are being added while `adding` runs. */
  async addingPhotos(count: number, adding: () => Promise<void>): Promise<void> {
    this.photosAdding += count
    try {
      await adding()
    } finally {
      this.photosAdding -= count
      if (this.photosAdding === 0) for (const done of this.#photosWaiting.splice(0)) done()
    }
  }

  /** Settles once no photo is being added: a save right after picking one keeps it. */
  photosAdded(): Promise<void> {
    return this.photosAdding === 0 ? Promise.resolve() : new Promise((done) => this.#photosWaiting.push(done))
  }

  /**
   * True when the form can be saved; otherwise marks it as tried, so that its errors show. (A form
   * that can be saved is left as it is: nothing on it would change, so nothing re-renders ahead of
   * the save.)
   */
  validate(): boolean {
    const valid = Object.keys(checkOfferDraft(this.raw)).length === 0
    if (!valid) this.tried = true
    return valid
  }

  toDraft(): OfferDraft {
    return normalizeOfferDraft(this.raw as OfferDraft)
  }

  #raw(): Record<string, unknown> {
    const common = {
      kind: this.kind,
      title: this.title,
      description: this.description,
      category: this.category,
      tags: this.tags.split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''),
      photos: [...this.photos],
      availability: this.availability,
      handover: this.handover,
      contribution: this.contribution,
      autoAccept: this.autoAccept,
      blockedDates: [...this.blockedDates],
    }
    switch (this.kind) {
      case 'thing':
        return { ...common, condition: this.condition, value: this.value, deposit: this.deposit }
      case 'space':
        return { ...common, slot: this.slot, capacity: this.capacity }
      case 'ride': {
        const departure = fromDateTimeLocal(this.departure)
        return { ...common, departure: Number.isNaN(departure) ? undefined : departure, from: this.from, to: this.to, seats: this.seats }
      }
      case 'skill':
        return { ...common, sessionMinutes: this.sessionMinutes }
      case 'gift':
        return { ...common, quantity: this.quantity, bestBefore: this.bestBefore, pickupWindow: this.pickupWindow }
    }
  }

  #fill(offer: Offer): void {
    this.title = offer.title
    this.description = offer.description
    this.category = offer.category
    this.tags = offer.tags.join(', ')
    this.photos = [...offer.photos]
    this.handover = offer.handover
    this.contribution = offer.contribution
    this.availability = offer.availability
    this.autoAccept = offer.autoAccept
    this.blockedDates = [...offer.blockedDates]
    switch (offer.kind) {
      case 'thing':
        this.condition = offer.condition
        this.value = offer.value
        this.deposit = offer.deposit
        break
      case 'space':
        this.slot = offer.slot
        this.capacity = offer.capacity
        break
      case 'ride':
        this.departure = offer.departure > 0 ? toDateTimeLocal(offer.departure) : ''
        this.from = offer.from
        this.to = offer.to
        this.seats = offer.seats
        break
      case 'skill':
        this.sessionMinutes = offer.sessionMinutes
        break
      case 'gift':
        this.quantity = offer.quantity
        this.bestBefore = offer.bestBefore ?? ''
        this.pickupWindow = offer.pickupWindow
        break
    }
  }
}
