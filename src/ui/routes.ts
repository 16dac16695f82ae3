/**
 * Hash routes as plain data: `parseRoute` turns a location hash into a Route and `href` turns a Route
 * back into a hash, so links and the router agree. No Svelte here; `state/router.svelte.ts` makes it
 * reactive. Hash routes keep everything client-side — the invite link uses `#/join/<payload>`, and a
 * fragment never reaches a web server.
 */
import { OFFER_KINDS, type Id, type IsoDate, type MemberId, type OfferKind } from '../core/model'
import { isIsoDate } from '../core/validate-fields'

export const BOOKING_TABS = ['borrowing', 'lending', 'history'] as const
export type BookingTab = (typeof BOOKING_TABS)[number]

export type Route =
  | { name: 'home' }
  | { name: 'restore' }
  | { name: 'new-circle' }
  | { name: 'settings' }
  | { name: 'join'; payload: string }
  | { name: 'catalogue'; circleId: string }
  | { name: 'invite'; circleId: string }
  | { name: 'offer-new'; circleId: string; kind: OfferKind | undefined }
  /** `from`/`to` prefill the request form (a want's dates, when answering it). */
  | { name: 'offer'; circleId: string; offerId: Id; from?: IsoDate; to?: IsoDate }
  | { name: 'offer-edit'; circleId: string; offerId: Id }
  | { name: 'wants'; circleId: string }
  | { name: 'want-new'; circleId: string }
  | { name: 'want-edit'; circleId: string; wantId: Id }
  | { name: 'member'; circleId: string; memberId: MemberId }
  | { name: 'members'; circleId: string }
  | { name: 'bookings'; circleId: string; tab?: BookingTab }
  | { name: 'booking'; circleId: string; bookingId: Id }
  | { name: 'not-found'; hash: string }

export type RouteName = Route['name']

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2)
  const parts = path.split('/').filter((part) => part !== '').map(safeDecode)
  if (parts.some((part) => part === undefined)) return { name: 'not-found', hash }
  const [first, second, third, fourth, fifth, ...rest] = parts as string[]

  if (first === undefined) return { name: 'home' }
  if (first === 'restore' && second === undefined) return { name: 'restore' }
  if (first === 'new-circle' && second === undefined) return { name: 'new-circle' }
  if (first === 'settings' && second === undefined) return { name: 'settings' }
  if (first === 'join' && second !== undefined && third === undefined) return { name: 'join', payload: second }
  if (first !== 'c' || second === undefined || rest.length > 0) return { name: 'not-found', hash }

  const circleId = second
  if (third === undefined) return { name: 'catalogue', circleId }
  if (third === 'invite' && fourth === undefined) return { name: 'invite', circleId }
  if (third === 'offer' && fourth === 'new' && fifth === undefined) {
    const kind = new URLSearchParams(query).get('kind')
    return { name: 'offer-new', circleId, kind: isOfferKind(kind) ? kind : undefined }
  }
  if (third === 'offer' && fourth !== undefined && fifth === undefined) {
    const params = new URLSearchParams(query)
    const [from, to] = [params.get('from'), params.get('to')]
    return isIsoDate(from) && isIsoDate(to) ? { name: 'offer', circleId, offerId: fourth, from, to } : { name: 'offer', circleId, offerId: fourth }
  }
  if (third === 'bookings' && fourth === undefined) {
    const tab = new URLSearchParams(query).get('tab')
    return (BOOKING_TABS as readonly (string | null)[]).includes(tab) ? { name: 'bookings', circleId, tab: tab as BookingTab } : { name: 'bookings', circleId }
  }
  if (third === 'booking' && fourth !== undefined && fifth === undefined) return { name: 'booking', circleId, bookingId: fourth }
  if (third === 'offer' && fourth !== undefined && fifth === 'edit') return { name: 'offer-edit', circleId, offerId: fourth }
  if (third === 'wants' && fourth === undefined) return { name: 'wants', circleId }
  if (third === 'want' && fourth === 'new' && fifth === undefined) return { name: 'want-new', circleId }
  if (third === 'want' && fourth !== undefined && fifth === 'edit') return { name: 'want-edit', circleId, wantId: fourth }
  if (third === 'member' && fourth !== undefined && fifth === undefined) return { name: 'member', circleId, memberId: fourth }
  if (third === 'members' && fourth === undefined) return { name: 'members', circleId }
  return { name: 'not-found', hash }
}

export function href(route: Route): string {
  const e = encodeURIComponent
  switch (route.name) {
    case 'home':
      return '#/'
    case 'restore':
    case 'new-circle':
    case 'settings':
      return `#/${route.name}`
    case 'join':
      return `#/join/${route.payload}`
    case 'catalogue':
      return `#/c/${e(route.circleId)}`
    case 'invite':
      return `#/c/${e(route.circleId)}/invite`
    case 'offer-new':
      return `#/c/${e(route.circleId)}/offer/new${route.kind ? `?kind=${route.kind}` : ''}`
    case 'offer':
      return `#/c/${e(route.circleId)}/offer/${e(route.offerId)}${route.from && route.to ? `?from=${route.from}&to=${route.to}` : ''}`
    case 'bookings':
      return `#/c/${e(route.circleId)}/bookings${route.tab ? `?tab=${route.tab}` : ''}`
    case 'booking':
      return `#/c/${e(route.circleId)}/booking/${e(route.bookingId)}`
    case 'offer-edit':
      return `#/c/${e(route.circleId)}/offer/${e(route.offerId)}/edit`
    case 'wants':
      return `#/c/${e(route.circleId)}/wants`
    case 'want-new':
      return `#/c/${e(route.circleId)}/want/new`
    case 'want-edit':
      return `#/c/${e(route.circleId)}/want/${e(route.wantId)}/edit`
    case 'member':
      return `#/c/${e(route.circleId)}/member/${e(route.memberId)}`
    case 'members':
      return `#/c/${e(route.circleId)}/members`
    case 'not-found':
      return route.hash || '#/'
  }
}

/** The circle a route is about, if any. */
export function circleOf(route: Route): string | undefined {
  return 'circleId' in route ? route.circleId : undefined
}

function isOfferKind(value: string | null): value is OfferKind {
  return (OFFER_KINDS as readonly string[]).includes(value ?? '')
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part)
  } catch {
    return undefined
  }
}
