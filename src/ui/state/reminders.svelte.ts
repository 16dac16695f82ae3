/**
 * The member's reminders (requests to answer, pickups, returns due, overdue, extension asks), for the
 * badge, the list and browser notifications. Core decides what is a reminder; this only binds it to
 * the circle on screen and the clock.
 */
import { remindersFor, type Reminder } from '../../core/reminders'
import type { BookingsState } from './bookings.svelte'

export class RemindersState {
  readonly #bookings: BookingsState
  readonly #me: string

  constructor(bookings: BookingsState, me: string) {
    this.#bookings = bookings
    this.#me = me
  }

  get list(): Reminder[] {
    return remindersFor(this.#bookings.all, this.#me, this.#bookings.today, this.#bookings.now)
  }

  get count(): number {
    return this.list.length
  }
}
