/**
 * Command line options of the relay. Parsing is pure (argv in, options or a typed error out) so the
 * CLI stays a thin shell.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { WebSockets, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { webSocketAddress } from '../core/relay-address'
import { DEFAULT_DIST, DEFAULT_HOST, DEFAULT_KEY_FILE, DEFAULT_PORT } from './constants'
import { RelayOptionsError } from './errors'

export interface RelayOptions {
  /** Interface to bind; loopback unless the member means to share it on their network. */
  host: string
  /** TCP port; 0 asks the system for a free one. */
  port: number
  /** Folder holding the built app (`vite build` output). */
  dist: string
  /** File holding the relay's libp2p private key; created on first run so its peer id survives restarts. */
  keyFile: string
  /**
   * Multiaddrs to put in invites instead of the ones derived from host and port, e.g.
   * `/dns4/relay.example/tcp/443/wss` behind a TLS proxy. Empty: derive them.
   */
  announce: string[]
}

export type ParsedRelayArgs = { kind: 'help' } | { kind: 'run'; options: RelayOptions }

export const RELAY_USAGE = `Usage: sharecircle-relay [options]

Serves the built Sharecircle app (run \`vite build\` first) and, on the same port, a libp2p relay
(WebSockets, circuit relay v2, gossipsub) that lets members' devices find and reach each other.

Options:
  --port <n>            TCP port to listen on, 0 for any free port (default ${DEFAULT_PORT})
  --host <addr>         address to bind (default ${DEFAULT_HOST}; 0.0.0.0 to serve your network)
  --dist <dir>          folder with the built app (default ${DEFAULT_DIST})
  --key-file <path>     the relay's private key, created if missing (default ${DEFAULT_KEY_FILE});
                        keep it: invites name the relay by the peer id it holds
  --announce <addr>     a multiaddr to put in invites instead of the derived ones, e.g.
                        /dns4/relay.example/tcp/443/wss behind a TLS proxy (repeatable)
  -h, --help            show this help
`

const VALUE_FLAGS = ['--port', '--host', '--dist', '--key-file', '--announce'] as const
type ValueFlag = (typeof VALUE_FLAGS)[number]

function isValueFlag(flag: string): flag is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(flag)
}

export function parsePort(text: string): number {
  // Digits only: Number('0x10'), Number('1e3') and Number(' 80 ') would all slip through.
  if (!/^\d{1,5}$/.test(text)) throw new RelayOptionsError(`--port must be a number from 0 to 65535, got "${text}"`)
  const port = Number(text)
  if (port > 65_535) throw new RelayOptionsError(`--port must be a number from 0 to 65535, got "${text}"`)
  return port
}

/**
 * A multiaddr a browser can dial: WebSockets (`/ws`, `/wss` or `/tls/ws`), without a `/p2p/` id (we
 * add ours), and in the form invites carry (core's webSocketAddress): a host, a TCP port, then the
 * WebSocket part. Anything else would be announced but silently left out of every invite.
 */
export function parseAnnounce(text: string): string {
  let parsed
  try {
    parsed = multiaddr(text)
  } catch {
    throw new RelayOptionsError(`--announce must be a multiaddr, got "${text}"`)
  }
  if (!WebSockets.exactMatch(parsed) && !WebSocketsSecure.exactMatch(parsed)) {
    throw new RelayOptionsError(`--announce must be a WebSocket address (ending /ws, /wss or /tls/ws), got "${text}"`)
  }
  if (parsed.getComponents().some((component) => component.name === 'p2p')) {
    throw new RelayOptionsError(`--announce must not name a peer id (the relay adds its own), got "${text}"`)
  }
  const address = parsed.toString()
  if (webSocketAddress(address) === undefined) {
    throw new RelayOptionsError(`--announce must be /ip4, /ip6, /dns, /dns4 or /dns6, then /tcp/<port>, then /ws, /wss or /tls/ws, got "${text}"`)
  }
  return address
}

export function parseRelayArgs(argv: readonly string[]): ParsedRelayArgs {
  const options: RelayOptions = { host: DEFAULT_HOST, port: DEFAULT_PORT, dist: DEFAULT_DIST, keyFile: DEFAULT_KEY_FILE, announce: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '-h' || arg === '--help') return { kind: 'help' }
    const eq = arg.indexOf('=')
    const flag = eq === -1 ? arg : arg.slice(0, eq)
    if (!isValueFlag(flag)) throw new RelayOptionsError(`Unknown option "${arg}"`)
    let value: string | undefined
    if (eq !== -1) {
      value = arg.slice(eq + 1)
    } else {
      value = argv[i + 1]
      i++
    }
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
      throw new RelayOptionsError(`${flag} needs a value`)
    }
    if (flag === '--port') options.port = parsePort(value)
    else if (flag === '--host') options.host = value
    else if (flag === '--dist') options.dist = value
    else if (flag === '--key-file') options.keyFile = value
    else options.announce.push(parseAnnounce(value))
  }
  return { kind: 'run', options }
}
