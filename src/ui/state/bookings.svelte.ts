/**
 * Bookings as the screens see them: the circle's bookings as of the member's today, their messages,
 * and the writer for this member's steps. Everything is computed by core and cached by the circle
 * layer per view; reading `today` subscribes to a clock, so "overdue" appears without a reload.
 */
import { circleBookings, circleMessages, findBooking, offerBookings, type BookingCircle } from '../../circle/bookings'
import type { CircleHandle } from '../../circle/types'
import { isPartyTo } from '../../core/booking-rules'
import type { ThreadMessage } from '../../core/messages'
import type { Booking, Id, IsoDate, MemberId } from '../../core/model'
import type { CircleState } from './circle-view.svelte'
import { Clock } from './clock.svelte'
import { localToday } from '../words'

/** The open circle, narrowed to what booking writes need; every CircleReplica has it. */
export function bookingCircle(handle: CircleHandle): BookingCircle {
  if (!isBookingCircle(handle)) throw new TypeError('This circle cannot take bookings')
  return handle
}

function isBookingCircle(handle: CircleHandle): handle is CircleHandle & BookingCircle {
  return 'writeOwn' in handle && 'clock' in handle
}

export class BookingsState {
  readonly #circle: CircleState
  readonly #clock: Clock
  readonly #background: boolean

  /**
   * `background`: for work nobody is looking at right now (the nav badge, notifications,
   * auto-accept), which then follows changes at idle time, off the path of what is on screen.
   */
  constructor(circle: CircleState, clock = new Clock(10_000), options: { background?: boolean } = {}) {
    this.#circle = circle
    this.#clock = clock
    this.#background = options.background ?? false
  }

  #view() {
    return this.#background ? this.#circle.view.idle : this.#circle.view.current
  }

  get now(): number {
    return this.#clock.current
  }

  get today(): IsoDate {
    return localToday(this.#clock.current)
  }

  get all(): Booking[] {
    return circleBookings(this.#view(), this.today)
  }

  get messages(): ThreadMessage[] {
    return circleMessages(this.#view())
  }

  /** Bookings where this member is one of the two sides. */
  get mine(): Booking[] {
    const me = this.#circle.me
    return this.all.filter((booking) => isPartyTo(booking, me))
  }

  forOffer(offer: { owner: MemberId; id: Id }): Booking[] {
    return offerBookings(this.all, offer)
  }

  find(id: string): Booking | undefined {
    return findBooking(this.all, id, this.#circle.me)
  }

  get writer(): BookingCircle {
    return bookingCircle(this.#circle.handle)
  }
}
