/**
 * Which relay served this app, if any: a relay answers `/.well-known/sharecircle-relay.json` with its
 * peer id and addresses, so invites made here carry them. The vite dev server, a plain static host,
 * or no network at all answer nothing usable, and invites then carry no relays. No Svelte here.
 */

export const RELAY_INFO_PATH = '/.well-known/sharecircle-relay.json'

export interface RelayInfo {
  peerId: string
  multiaddrs: string[]
}

const MULTIADDR = /^\/[!-~]{1,299}$/

/** The relay's info, or undefined when the app was not served by a relay. Never throws. */
export async function fetchRelayInfo(base: string = location.origin, fetcher: typeof fetch = fetch): Promise<RelayInfo | undefined> {
  try {
    // `Accept: application/json` keeps dev servers from answering with the app shell instead.
    const reply = await fetcher(new URL(RELAY_INFO_PATH, base), { headers: { Accept: 'application/json' }, cache: 'no-cache' })
    if (!reply.ok || !(reply.headers.get('content-type') ?? '').includes('json')) return undefined
    return readRelayInfo(await reply.json())
  } catch {
    return undefined
  }
}

/** Checks the shape: a peer id and a list of multiaddr-looking strings. */
export function readRelayInfo(value: unknown): RelayInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { peerId, multiaddrs } = value as { peerId?: unknown; multiaddrs?: unknown }
  if (typeof peerId !== 'string' || peerId === '' || !Array.isArray(multiaddrs)) return undefined
  const usable = multiaddrs.filter((address): address is string => typeof address === 'string' && MULTIADDR.test(address))
  return usable.length > 0 ? { peerId, multiaddrs: usable } : undefined
}
