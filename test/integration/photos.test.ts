/**
 * Photos travel between members over the real network (loopback-only namespace): A offers something
 * with a real photo (a PNG of this repository's), B joins, syncs and fetches the photo from A over
 * `/sharecircle/blob/1.0.0`; its getPhoto then gives the same bytes. A peer that never proved the
 * circle key is refused (`forbidden`) whatever it knows, and M — a member whose blob handler lies —
 * is caught (`mismatch`): nothing it sends is stored. Waits poll; nothing sleeps a fixed time.
 */
import { readFile } from 'node:fs/promises'
import type { Stream } from '@libp2p/interface'
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { equalBytes, fromHex, sha256, toHex } from '../../src/core/bytes'
import { seededRandom } from '../../src/core/random'
import { photoHash, sealPhoto } from '../../src/circle/photos'
import { BLOB_PROTOCOL, writeBlobResponse, type BlobResponse } from '../../src/net/blob-messages'
import { requestBlob } from '../../src/net/blob-protocol'
import { createMemberNode, type MemberNode } from '../../src/net/member-node'
import type { Relay } from '../../src/relay/start-relay'
import { randomOfferDraft } from '../support/drafts'
import { startMember, type TestMember } from './support/members'
import { LOOPBACK_RTC_CONFIGURATION, dialWebRTC, loopbackOnlyGater, webRTCAddressOf } from './support/peer'
import { makeRelayDir, startTestRelay, type TestRelayDir } from './support/relay'
import { waitFor } from './support/wait'

function signal(ms = 25_000): AbortSignal {
  return AbortSignal.timeout(ms)
}

const PHOTO_FILE = new URL('../../public/icon-512.png', import.meta.url)

describe('photos fetched from members on demand', () => {
  const rng = seededRandom(808)
  let dir: TestRelayDir
  let relay: Relay
  let a: TestMember
  let b: TestMember
  let m: TestMember
  let stranger: MemberNode | undefined
  let photo: Uint8Array
  let hash: string
  /** What M's lying handler sends next, and how many requests it answered. */
  let lie: 'other-photo' | 'other-key' = 'other-photo'
  /** Bytes only M has, sealed with a key that is not the circle's. */
  const secret = rng(700)
  let liesTold = 0

  /** M's blob handler: reads the request, then answers `ok` with bytes that are not the photo asked for. */
  async function lyingHandler(stream: Stream): Promise<void> {
    for await (const _ of stream) {
      // The request: whatever it asks, the answer is a lie.
    }
    liesTold++
    const sealed =
      lie === 'other-photo' ? sealPhoto(a.circle.key, rng, 'image/png', rng(2_000)) : sealPhoto(rng(32), rng, 'image/png', secret)
    const encoder = encoding.createEncoder()
    writeBlobResponse(encoder, { status: 'ok', sealed } satisfies BlobResponse)
    stream.send(encoding.toUint8Array(encoder))
    await stream.close().catch(() => undefined)
  }

  beforeAll(async () => {
    dir = await makeRelayDir()
    relay = await startTestRelay(dir)
    a = await startMember({ name: 'Ana', seed: 801, relays: relay.multiaddrs })
    photo = new Uint8Array(await readFile(PHOTO_FILE))
    hash = await a.replica.putPhoto(photo, 'image/png')
    await a.replica.addOffer({ ...randomOfferDraft(rng), title: 'Ana’s drill', photos: [hash] })
    ;[b, m] = await Promise.all([
      startMember({ name: 'Ben', seed: 802, circle: a.circle, relays: relay.multiaddrs }),
      startMember({ name: 'Mal', seed: 803, circle: a.circle, relays: relay.multiaddrs }),
    ])
    // M is a member (it proves the key on sync), but its blob answers lie.
    await m.node.unhandle(BLOB_PROTOCOL)
    await m.node.handle(BLOB_PROTOCOL, lyingHandler, { runOnLimitedConnection: false })
  })

  afterAll(async () => {
    await stranger?.stop()
    for (const member of [a, b, m]) await member?.stop().catch(() => undefined)
    await relay?.close()
    await dir?.remove()
  })

  it('B joins, syncs A’s offer, and has only its hash', async () => {
    await waitFor(() => b.status().memberPeers === 2 && b.replica.view().offers.some((offer) => offer.title === 'Ana’s drill'), { signal: signal() })
    const offer = b.replica.view().offers.find((item) => item.title === 'Ana’s drill')!
    expect(offer.photos).toEqual([hash])
    expect(hash).toBe(photoHash(photo))
    expect(await b.replica.getPhoto(hash)).toBeUndefined()
  })

  it('B fetches the photo from A, and getPhoto gives the same bytes', async () => {
    // Concurrent asks for one photo share one fetch.
    const results = await Promise.all([1, 2, 3].map(() => b.network.fetchBlob(b.circle.id, hash, { signal: signal() })))
    for (const result of results) expect(result).toEqual(results[0])
    const result = results[0]!
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.peer).toBe(a.node.peerId.toString())
    // M may have been asked first: its lie was caught, not stored.
    for (const attempt of result.tried) expect(attempt).toEqual({ peer: m.node.peerId.toString(), reason: 'mismatch' })
    const got = await b.replica.getPhoto(hash)
    expect(got?.mime).toBe('image/png')
    expect(got && equalBytes(got.bytes, photo)).toBe(true)
    // Stored sealed, as A stored it: B can now serve it too.
    const sealed = await b.replica.blobs.get(hash)
    expect(sealed && b.replica.blobs.open(sealed)).toEqual(photo)
  })

  it('a member whose answer is another photo is rejected as a mismatch, and nothing is stored', async () => {
    // A photo nobody holds: A and B say not-found, M lies.
    const missing = toHex(sha256(rng(500)))
    lie = 'other-photo'
    await waitFor(() => a.status().memberPeers === 2, { signal: signal() })
    const before = liesTold
    const result = await a.network.fetchBlob(a.circle.id, missing, { signal: signal() })
    expect(result.ok).toBe(false)
    expect(result.tried).toContainEqual({ peer: m.node.peerId.toString(), reason: 'mismatch' })
    expect(result.tried).toContainEqual({ peer: b.node.peerId.toString(), reason: 'not-found' })
    expect(liesTold).toBe(before + 1)
    expect(await a.replica.blobs.get(missing)).toBeUndefined()
    expect(await a.replica.getPhoto(missing)).toBeUndefined()
    // Asked again at once, nobody is bothered: each member said no a moment ago.
    expect(await a.network.fetchBlob(a.circle.id, missing, { signal: signal() })).toEqual({ ok: false, reason: 'no-peers', tried: [] })
    expect(liesTold).toBe(before + 1)
  })

  it('a member whose answer is the right bytes sealed with another key is rejected too', async () => {
    const wanted = photoHash(secret)
    lie = 'other-key'
    const result = await b.network.fetchBlob(b.circle.id, wanted, { signal: signal() })
    expect(result.ok).toBe(false)
    expect(result.tried).toContainEqual({ peer: m.node.peerId.toString(), reason: 'mismatch' })
    expect(await b.replica.blobs.get(wanted)).toBeUndefined()
  })

  it('a peer that did not prove the circle key is refused, even knowing the topic and the hash', async () => {
    stranger = await createMemberNode({ allowLocal: true, connectionGater: loopbackOnlyGater, rtcConfiguration: LOOPBACK_RTC_CONFIGURATION })
    const address = await waitFor(() => webRTCAddressOf(a.node), { signal: signal() })
    const { connection } = await dialWebRTC(stranger, address, { signal: signal() })
    expect(connection.limits).toBeUndefined()
    const answer = await requestBlob(connection, { topic: a.replica.topic, hash: fromHex(hash)! }, { signal: signal() })
    expect(answer).toEqual({ ok: false, reason: 'forbidden' })
    // A topic A does not have looks the same: a stranger cannot probe which circles A holds.
    expect(await requestBlob(connection, { topic: rng(32), hash: fromHex(hash)! }, { signal: signal() })).toEqual({ ok: false, reason: 'forbidden' })
    // Members are still served.
    const again = await requestBlob(b.directTo(a)[0]!, { topic: a.replica.topic, hash: fromHex(hash)! }, { signal: signal() })
    expect(again.ok && equalBytes(again.sealed, (await a.replica.blobs.get(hash))!)).toBe(true)
  })
})
