/**
 * Relay addresses as members' browsers dial them, in the grammar below, for invites and circle
 * records. Pure: no multiaddr library (that is net's), and never throws.
 */
import { decodeBase58, encodeBase58 } from './base58'

/** Characters of one relay address. */
export const RELAY_ADDRESS_MAX_CHARS = 300

/**
 * A relay as a member's browser can use it: a WebSocket multiaddr naming the relay's peer id,
 *
 *   /(ip4|ip6|dns|dns4|dns6)/<host>/tcp/<port>/(ws|wss|tls/ws|tls/sni/<host>/ws)/p2p/<peer id>
 *
 * Core may not import the multiaddr library (it is net's), so this is our own grammar, kept a strict
 * subset of what `@multiformats/multiaddr` parses and multiaddr-matcher's WebSockets and
 * WebSocketsSecure match; test/unit/net/relay-link.test.ts checks the two agree. Strict on purpose:
 * an address let through here that net then cannot parse would keep a circle off the network.
 */
export interface RelayAddress {
  /** The IP address or DNS name, as written (IPv6 without brackets). */
  host: string
  port: number
  /** TLS: `/wss` or `/tls/…/ws`. */
  secure: boolean
  /** The relay's libp2p peer id, base58btc. */
  peerId: string
}

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*$`)
const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`)
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/
const PORT = /^[1-9]\d{0,4}$/
const MAX_PORT = 65_535
/** libp2p inlines public keys up to this many bytes in an identity multihash; longer ones are hashed. */
const MAX_INLINE_KEY_BYTES = 42
const MULTIHASH_IDENTITY = 0x00
const MULTIHASH_SHA2_256 = 0x12
const SHA2_256_BYTES = 32

function isIPv6(text: string): boolean {
  // A trailing dotted IPv4 part (`::ffff:192.0.2.1`) stands for two groups.
  const dotted = /:([0-9.]+)$/.exec(text)
  if (dotted?.[1]?.includes('.')) {
    if (!IPV4.test(dotted[1])) return false
    text = `${text.slice(0, dotted.index + 1)}0:0`
  }
  const halves = text.split('::')
  if (halves.length > 2) return false
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')))
  if (!groups.every((list) => list.every((group) => IPV6_GROUP.test(group)))) return false
  const count = groups.reduce((sum, list) => sum + list.length, 0)
  return halves.length === 1 ? count === 8 : count <= 7
}

/**
 * A libp2p peer id as multiaddr prints it: base58btc of an identity multihash (Ed25519 and secp256k1
 * keys, `12D3KooW…` and `16Uiu2…`) or a SHA-256 one (RSA keys, `Qm…`). The CID form is left out.
 */
function isPeerId(text: string): boolean {
  const bytes = decodeBase58(text)
  if (bytes === undefined || bytes.length < 3 || encodeBase58(bytes) !== text) return false
  const [code, length] = [bytes[0], bytes[1]!]
  if (code === MULTIHASH_IDENTITY) return length >= 1 && length <= MAX_INLINE_KEY_BYTES && bytes.length === 2 + length
  return code === MULTIHASH_SHA2_256 && length === SHA2_256_BYTES && bytes.length === 2 + length
}

function isHost(protocol: string | undefined, host: string): boolean {
  if (protocol === 'ip4') return IPV4.test(host)
  if (protocol === 'ip6') return isIPv6(host)
  return (protocol === 'dns' || protocol === 'dns4' || protocol === 'dns6') && HOSTNAME.test(host)
}

export type WebSocketAddress = Omit<RelayAddress, 'peerId'>

/**
 * A relay address before its `/p2p/<peer id>`, as a relay announces itself (it adds its own id), or
 * undefined. Never throws.
 */
export function webSocketAddress(text: string): WebSocketAddress | undefined {
  const [empty, protocol, host = '', tcp, port = '', ...rest] = text.split('/')
  if (empty !== '' || !isHost(protocol, host) || tcp !== 'tcp' || !PORT.test(port) || Number(port) > MAX_PORT) return undefined
  const transport = rest.join('/')
  const sni = /^tls\/sni\/([^/]+)\/ws$/.exec(transport)
  const secure = transport === 'wss' || transport === 'tls/ws' || (sni !== null && HOSTNAME.test(sni[1]!))
  if (!secure && transport !== 'ws') return undefined
  return { host, port: Number(port), secure }
}

/** The parts of a relay address (see RelayAddress), or undefined for any other text. Never throws. */
export function relayAddress(text: string): RelayAddress | undefined {
  if (text.length > RELAY_ADDRESS_MAX_CHARS) return undefined
  const at = text.lastIndexOf('/p2p/')
  if (at < 0) return undefined
  const peerId = text.slice(at + '/p2p/'.length)
  const address = webSocketAddress(text.slice(0, at))
  return address !== undefined && isPeerId(peerId) ? { ...address, peerId } : undefined
}

export function isRelayAddress(text: string): boolean {
  return relayAddress(text) !== undefined
}
