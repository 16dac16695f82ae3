import { describe, expect, it } from 'vitest'
import { DEFAULT_DIST, DEFAULT_HOST, DEFAULT_KEY_FILE, DEFAULT_PORT } from '../../../src/relay/constants'
import { parseRelayArgs } from '../../../src/relay/options'

function errorName(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

describe('parseRelayArgs', () => {
  it('uses the defaults when nothing is given', () => {
    expect(parseRelayArgs([])).toEqual({
      kind: 'run',
      options: { host: DEFAULT_HOST, port: DEFAULT_PORT, dist: DEFAULT_DIST, keyFile: DEFAULT_KEY_FILE, announce: [] },
    })
    expect(DEFAULT_PORT).toBe(8787)
    expect(DEFAULT_HOST).toBe('127.0.0.1')
    expect(DEFAULT_KEY_FILE).toBe('.sharecircle-relay-key')
  })

  it('reads --flag value and --flag=value', () => {
    expect(parseRelayArgs(['--port', '0', '--host=0.0.0.0', '--dist', 'out'])).toEqual({
      kind: 'run',
      options: { host: '0.0.0.0', port: 0, dist: 'out', keyFile: DEFAULT_KEY_FILE, announce: [] },
    })
    expect(parseRelayArgs(['--port=65535'])).toMatchObject({ options: { port: 65535 } })
  })

  it('reads --key-file and repeated --announce', () => {
    expect(
      parseRelayArgs(['--key-file', '/srv/relay.key', '--announce', '/dns4/relay.example/tcp/443/wss', '--announce=/ip4/192.168.1.5/tcp/8787/ws']),
    ).toMatchObject({
      options: { keyFile: '/srv/relay.key', announce: ['/dns4/relay.example/tcp/443/wss', '/ip4/192.168.1.5/tcp/8787/ws'] },
    })
  })

  it('accepts every WebSocket form a browser can dial, as multiaddr prints it', () => {
    const forms = [
      '/dns4/relay.example/tcp/443/wss',
      '/dns/relay.example/tcp/443/tls/ws',
      '/dns4/relay.example/tcp/443/tls/sni/relay.example/ws',
      '/ip6/::1/tcp/8787/ws',
    ]
    expect(parseRelayArgs(forms.flatMap((form) => ['--announce', form]))).toMatchObject({ options: { announce: forms } })
  })

  it.each([
    // A TLS address that is not WebSockets: once, any address with a tls part was taken.
    ['/dns4/relay.example/tcp/443/tls'],
    ['/dns4/relay.example/tcp/443/tls/http'],
    ['/ip4/1.2.3.4/tcp/443/ws/http'],
    ['/ip4/1.2.3.4/tcp/443/wss/ws'],
    // WebSockets by the matcher, but no address an invite can carry (no TCP port, a dnsaddr).
    ['/dns4/relay.example/wss'],
    ['/ip4/1.2.3.4/udp/443/quic-v1/ws'],
    ['/dnsaddr/relay.example/tcp/443/wss'],
  ])('refuses --announce %s, which is no WebSocket address invites can carry', (address) => {
    expect(errorName(() => parseRelayArgs(['--announce', address]))).toBe('RelayOptionsError')
  })

  it('answers help', () => {
    expect(parseRelayArgs(['--help'])).toEqual({ kind: 'help' })
    expect(parseRelayArgs(['--port', '1', '-h'])).toEqual({ kind: 'help' })
  })

  it.each([
    [['--port', '65536']],
    [['--port', '-1']],
    [['--port', '0x10']],
    [['--port', '1e3']],
    [['--port', 'eighty']],
    [['--port']],
    [['--port=']],
    [['--host', '--port', '1']],
    [['--verbose']],
    [['serve']],
    [['--key-file']],
    [['--announce', 'relay.example:443']],
    [['--announce', '/ip4/1.2.3.4/tcp/80']],
    [['--announce', '/ip4/1.2.3.4/tcp/80/ws/p2p/12D3KooWS8G9yRNLpQ8Him3WkhnFMZ5a5yzm1q2ZA3VUN4hyoQsj']],
  ])('refuses %j with a RelayOptionsError', (argv) => {
    expect(errorName(() => parseRelayArgs(argv))).toBe('RelayOptionsError')
  })
})
