/**
 * Message threads from every member's messages. A booking's thread holds only what its two sides
 * wrote: a third member's message that names the booking is not part of the conversation. Answers
 * to a want ("I can help") are messages that name the want and one of the answerer's own offers.
 */
import type { Booking, Id, MemberId, Message, Offer, Want } from './model'

function byTime(a: Message, b: Message): number {
  return a.at - b.at || (a.author < b.author ? -1 : a.author > b.author ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The conversation of one booking, oldest first. */
export function bookingThread(messages: Iterable<Message>, booking: Booking): Message[] {
  const thread: Message[] = []
  for (const message of messages) {
    if (message.thread === booking.id && (message.author === booking.borrower || message.author === booking.owner)) thread.push(message)
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
