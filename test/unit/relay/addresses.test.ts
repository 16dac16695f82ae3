import { describe, expect, it } from 'vitest'
import { announceAddresses, type InterfaceAddresses } from '../../../src/relay/addresses'

const INTERFACES: InterfaceAddresses = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true },
  ],
  eth0: [
    { address: '192.168.1.20', family: 'IPv4', internal: false },
    { address: 'fe80::1', family: 'IPv6', internal: false },
    { address: '2001:db8::20', family: 'IPv6', internal: false },
  ],
  wlan0: undefined,
}

describe('announceAddresses', () => {
  it('announces the bound host and the real port', () => {
    expect(announceAddresses({ host: '127.0.0.1', port: 40123 })).toEqual(['/ip4/127.0.0.1/tcp/40123/ws'])
    expect(announceAddresses({ host: '::1', port: 8787 })).toEqual(['/ip6/::1/tcp/8787/ws'])
    expect(announceAddresses({ host: 'relay.local', port: 8787 })).toEqual(['/dns/relay.local/tcp/8787/ws'])
  })

  it('lists network addresses before loopback for a wildcard host', () => {
    expect(announceAddresses({ host: '0.0.0.0', port: 8787, interfaces: INTERFACES })).toEqual([
      '/ip4/192.168.1.20/tcp/8787/ws',
      '/ip4/127.0.0.1/tcp/8787/ws',
    ])
    expect(announceAddresses({ host: '::', port: 8787, interfaces: INTERFACES })).toEqual(['/ip6/2001:db8::20/tcp/8787/ws', '/ip6/::1/tcp/8787/ws'])
  })

  it('falls back to loopback when no interface matches', () => {
    expect(announceAddresses({ host: '0.0.0.0', port: 1, interfaces: {} })).toEqual(['/ip4/127.0.0.1/tcp/1/ws'])
  })

  it('uses explicit addresses as they are', () => {
    expect(announceAddresses({ host: '0.0.0.0', port: 8787, interfaces: INTERFACES, announce: ['/dns4/relay.example/tcp/443/wss'] })).toEqual([
      '/dns4/relay.example/tcp/443/wss',
    ])
  })
})
