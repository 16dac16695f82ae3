/**
 * The small pure parts of the member network: announcement codec, topic names, the dialling policy.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../src/core/bytes'
import { circleTopic, newCircleSecrets } from '../../../src/core/circle-secrets'
import { seededRandom } from '../../../src/core/random'
import { peerIdOf, readAnnouncement, writeAnnouncement } from '../../../src/net/announcement'
import { MAX_ANNOUNCED_ADDRESSES } from '../../../src/net/constants'
import { memberConnectionGater } from '../../../src/net/member-node'
import { discoveryTopic, gossipTopic } from '../../../src/net/topics'

const PEER = '12D3KooWGzMBQEFEWjVDHUwYyntHdB8BjuTv9JcsbLHv9tDqL1zk'
const RELAY = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const CIRCUIT = `/ip4/127.0.0.1/tcp/8787/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`

describe('announcements', () => {
  it('round-trip the addresses', () => {
    const addresses = [multiaddr(CIRCUIT), multiaddr(CIRCUIT.replace('8787', '9000'))]
    expect(readAnnouncement(writeAnnouncement(addresses))?.map(String)).toEqual(addresses.map(String))
    expect(peerIdOf(addresses[0]!)).toBe(PEER)
  })

  it('carry at most a bounded number of addresses', () => {
    const many = Array.from({ length: 20 }, (_, i) => multiaddr(CIRCUIT.replace('8787', String(9000 + i))))
    expect(readAnnouncement(writeAnnouncement(many))).toHaveLength(MAX_ANNOUNCED_ADDRESSES)
  })

  it('are ignored when malformed, oversized, of another version or with trailing bytes', () => {
    const good = writeAnnouncement([multiaddr(CIRCUIT)])
    expect(readAnnouncement(new Uint8Array([2, 0]))).toBeUndefined()
    expect(readAnnouncement(new Uint8Array([1, 200]))).toBeUndefined()
    expect(readAnnouncement(good.subarray(0, good.length - 3))).toBeUndefined()
    expect(readAnnouncement(new Uint8Array([...good, 0]))).toBeUndefined()
    expect(readAnnouncement(new Uint8Array(10_000))).toBeUndefined()
    expect(readAnnouncement(new Uint8Array([1, 1, 3, 0xff, 0xff, 0xff]))).toBeUndefined()
  })
})

describe('topic names', () => {
  it('are opaque, ours, distinct per purpose and per circle', () => {
    const secrets = newCircleSecrets(seededRandom(1))
    const topic = circleTopic(secrets)
    const names = [discoveryTopic(topic), gossipTopic(topic)]
    for (const name of names) {
      expect(name).toMatch(/^sharecircle\/[0-9a-f]{64}$/)
      expect(name).not.toContain(toHex(secrets.id))
      expect(name).not.toContain(toHex(topic))
    }
    expect(names[0]).not.toBe(names[1])
    expect(discoveryTopic(circleTopic(newCircleSecrets(seededRandom(2))))).not.toBe(names[0])
  })
})

describe('dialling policy', () => {
  it('refuses private addresses and plain ws unless local relays are allowed', () => {
    const internet = memberConnectionGater(false)
    const local = memberConnectionGater(true)
    const lan = multiaddr(`/ip4/192.168.1.20/tcp/8787/ws/p2p/${RELAY}`)
    const publicWss = multiaddr(`/dns4/relay.example.org/tcp/443/wss/p2p/${RELAY}`)
    const publicWs = multiaddr(`/ip4/8.8.8.8/tcp/80/ws/p2p/${RELAY}`)
    expect(internet.denyDialMultiaddr?.(lan)).toBe(true)
    expect(internet.denyDialMultiaddr?.(publicWs)).toBe(true)
    expect(internet.denyDialMultiaddr?.(publicWss)).toBe(false)
    expect(local.denyDialMultiaddr?.(lan)).toBe(false)
    expect(local.denyDialMultiaddr?.(publicWs)).toBe(false)
  })
})
