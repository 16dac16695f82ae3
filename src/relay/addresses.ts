/**
 * The WebSocket multiaddrs the relay announces, which members copy into invites. Pure: the host the
 * HTTP server bound, the port it got, and (for a wildcard host) the machine's interface addresses in.
 */
import { isIPv4, isIPv6 } from 'node:net'

/** The subset of `os.networkInterfaces()` that matters here. */
export type InterfaceAddresses = Record<string, ReadonlyArray<{ address: string; family: string | number; internal: boolean }> | undefined>

export interface AnnounceInit {
  /** The host the HTTP server bound. */
  host: string
  /** The port it listens on (the real one, after `--port 0`). */
  port: number
  /** Explicit addresses (`--announce`): used as they are when given. */
  announce?: readonly string[]
  /** For a wildcard host: the machine's addresses, e.g. `os.networkInterfaces()`. */
  interfaces?: InterfaceAddresses
}

function hostComponent(host: string): string {
  if (isIPv4(host)) return `/ip4/${host}`
  if (isIPv6(host)) return `/ip6/${host}`
  return `/dns/${host}`
}

function isIPv4Family(family: string | number): boolean {
  return family === 'IPv4' || family === 4
}

/**
 * Addresses to announce, most useful first: the explicit ones; else the bound host; else, for
 * `0.0.0.0` / `::`, every interface address of that family, network ones before loopback.
 */
export function announceAddresses(init: AnnounceInit): string[] {
  if (init.announce !== undefined && init.announce.length > 0) return [...init.announce]
  const wildcard = init.host === '0.0.0.0' || init.host === '::'
  if (!wildcard) return [`${hostComponent(init.host)}/tcp/${init.port}/ws`]
  const wantV4 = init.host === '0.0.0.0'
  const found = Object.values(init.interfaces ?? {})
    .flatMap((list) => list ?? [])
    .filter((entry) => isIPv4Family(entry.family) === wantV4)
    // A link-local IPv6 address needs a zone a browser cannot use.
    .filter((entry) => !entry.address.toLowerCase().startsWith('fe80:'))
    .sort((a, b) => Number(a.internal) - Number(b.internal))
    .map((entry) => `${hostComponent(entry.address)}/tcp/${init.port}/ws`)
  const unique = [...new Set(found)]
  return unique.length > 0 ? unique : [`${hostComponent(wantV4 ? '127.0.0.1' : '::1')}/tcp/${init.port}/ws`]
}
