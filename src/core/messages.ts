/**
 * Message threads from every member's messages. A booking's thread holds only what its two sides
 * wrote: a third member's message that names the booking is not part of the conversation. Booking ids
 * are chosen by borrowers, so one id may name bookings of different borrowers; a message therefore
 * names the booking's borrower too, and a thread takes only messages for its own borrower (messages
 * written before they named one are kept when their author is a side). Answers to a want ("I can
 * help") are messages that name the want and one of the answerer's own offers.
 */
import type { Booking, Id, MemberId, Message, Offer, Want } from './model'

/** A message as read from a doc: for a booking's thread, also the borrower of the booking it is about. */
export interface ThreadMessage extends Message {
  borrower: MemberId | undefined
}

function byTime(a: Message, b: Message): number {
  return a.at - b.at || (a.author < b.author ? -1 : a.author > b.author ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The conversation of one booking, oldest first. */
export function bookingThread<M extends ThreadMessage>(messages: Iterable<M>, booking: Booking): M[] {
  const thread: M[] = []
  for (const message of messages) {
    if (message.thread !== booking.id || (message.author !== booking.borrower && message.author !== booking.owner)) continue
    if (message.borrower !== undefined && message.borrower !== booking.borrower) continue
    thread.push(message)
  }
  return thread.sort(byTime)
}

export interface WantAnswer {
  message: Message
  offer: Offer
}

/** The offers given in answer to a want, oldest first; an answer must point at its author's own live offer. */
export function wantAnswers(messages: Iterable<Message>, want: Want, offers: readonly Offer[]): WantAnswer[] {
  const byKey = new Map(offers.map((offer) => [`${offer.owner}/${offer.id}`, offer]))
  const answers: WantAnswer[] = []
  const seen = new Set<string>()
  for (const message of [...messages].sort(byTime)) {
    if (message.thread !== want.id || message.offer === undefined || message.author === want.owner) continue
    const key = `${message.author}/${message.offer}`
    const offer = byKey.get(key)
    if (!offer || seen.has(key)) continue
    seen.add(key)
    answers.push({ message, offer })
  }
  return answers
}

/** Whether this member already answered the want with this offer. */
export function hasAnswered(messages: Iterable<Message>, want: Want, member: MemberId, offer: Id): boolean {
  for (const message of messages) if (message.thread === want.id && message.author === member && message.offer === offer) return true
  return false
}
