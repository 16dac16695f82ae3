/**
 * Why a booking write was refused before anything was written, one named class per failure (callers
 * switch on `error.name` and `reason`). Peers never see these: they only ever read what was written.
 */
import type { BookingAction, RequestResult } from '../core/booking-rules'

export class UnknownBookingError extends Error {
  override name = 'UnknownBookingError'
  constructor(message = 'There is no such booking of yours') {
    super(message)
  }
}

/** The offer cannot take this request (own offer, paused, dates, capacity…). */
export class RequestRefusedError extends Error {
  override name = 'RequestRefusedError'
  constructor(
    readonly reason: Exclude<RequestResult, { ok: true }>['reason'] | 'unknown-offer',
    message = 'This request cannot be made',
  ) {
    super(message)
  }
}

/** This member cannot take this step on this booking now: wrong side, wrong moment, or a clash. */
export class BookingActionError extends Error {
  override name = 'BookingActionError'
  constructor(
    readonly action: BookingAction | 'message',
    readonly reason: 'not-allowed' | 'clash' | 'bad-date' | 'empty',
    message = 'This step is not possible now',
  ) {
    super(message)
  }
}

/**
 * The owner's doc already holds another record under this booking's id (the owner's own request, or an
 * answer to another borrower's booking): an answer written there would merge into it.
 */
export class BookingIdTakenError extends Error {
  override name = 'BookingIdTakenError'
  constructor(message = 'Another booking already uses this id in your records') {
    super(message)
  }
}
