/**
 * The discovery announcement: the multiaddrs where a member can be dialled, as bytes. It travels as
 * a gossipsub message signed by the member's libp2p key, so the sender is authenticated by gossip;
 * this file only checks the shape and the size.
 *
 *   version (varuint, 1) · count (varuint, ≤ 8) · count × (length (varuint, ≤ 256) · multiaddr bytes)
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { ANNOUNCEMENT_VERSION, MAX_ADDRESS_BYTES, MAX_ANNOUNCED_ADDRESSES, MAX_ANNOUNCEMENT_BYTES } from './constants'

export function writeAnnouncement(addresses: readonly Multiaddr[]): Uint8Array {
  const encoder = encoding.createEncoder()
  const kept = addresses.filter((address) => address.bytes.length <= MAX_ADDRESS_BYTES).slice(0, MAX_ANNOUNCED_ADDRESSES)
  encoding.writeVarUint(encoder, ANNOUNCEMENT_VERSION)
  encoding.writeVarUint(encoder, kept.length)
  for (const address of kept) encoding.writeVarUint8Array(encoder, address.bytes)
  return encoding.toUint8Array(encoder)
}

/** The announced addresses, or undefined for anything malformed, oversized or of another version. */
export function readAnnouncement(bytes: Uint8Array): Multiaddr[] | undefined {
  if (bytes.length > MAX_ANNOUNCEMENT_BYTES) return undefined
  try {
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== ANNOUNCEMENT_VERSION) return undefined
    const count = decoding.readVarUint(decoder)
    if (count > MAX_ANNOUNCED_ADDRESSES) return undefined
    const addresses: Multiaddr[] = []
    for (let i = 0; i < count; i++) {
      const length = decoding.readVarUint(decoder)
      if (length > MAX_ADDRESS_BYTES || length > decoder.arr.length - decoder.pos) return undefined
      addresses.push(multiaddr(decoding.readUint8Array(decoder, length)))
    }
    return decoding.hasContent(decoder) ? undefined : addresses
  } catch {
    return undefined
  }
}

/** The peer id an address ends with (`…/p2p/<id>`), if any. */
export function peerIdOf(address: Multiaddr): string | undefined {
  return address.getComponents().findLast((component) => component.name === 'p2p')?.value
}
