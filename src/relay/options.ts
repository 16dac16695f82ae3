/**
 * Command line options of the relay. Parsing is pure (argv in, options or a typed error out) so the
 * CLI stays a thin shell and the libp2p options of the next issue slot in beside these.
 */
import { DEFAULT_DIST, DEFAULT_HOST, DEFAULT_PORT } from './constants'
import { RelayOptionsError } from './errors'

export interface RelayOptions {
  /** Interface to bind; loopback unless the member means to share it on their network. */
  host: string
  /** TCP port; 0 asks the system for a free one. */
  port: number
  /** Folder holding the built app (`vite build` output). */
  dist: string
}

export type ParsedRelayArgs = { kind: 'help' } | { kind: 'run'; options: RelayOptions }

export const RELAY_USAGE = `Usage: sharecircle-relay [options]

Serves the built Sharecircle app (run \`vite build\` first).

Options:
  --port <n>     TCP port to listen on, 0 for any free port (default ${DEFAULT_PORT})
  --host <addr>  address to bind (default ${DEFAULT_HOST}; 0.0.0.0 to serve your network)
  --dist <dir>   folder with the built app (default ${DEFAULT_DIST})
  -h, --help     show this help
`

const VALUE_FLAGS = ['--port', '--host', '--dist'] as const
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

export function parseRelayArgs(argv: readonly string[]): ParsedRelayArgs {
  const options: RelayOptions = { host: DEFAULT_HOST, port: DEFAULT_PORT, dist: DEFAULT_DIST }
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
    else options.dist = value
  }
  return { kind: 'run', options }
}
