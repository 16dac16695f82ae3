/**
 * Strict binary reading on top of lib0. lib0's readers trust their input (a short array yields a
 * short subarray), which is right for Yjs's own data and wrong for bytes from a peer: every read here
 * checks bounds and throws `WireError`, which decoders turn into a `malformed` rejection.
 */
import * as decoding from 'lib0/decoding'

export class WireError extends Error {
  override name = 'WireError'
  constructor(message = 'Malformed bytes') {
    super(message)
  }
}

export function readFixed(decoder: decoding.Decoder, length: number): Uint8Array {
  if (decoder.pos + length > decoder.arr.length) throw new WireError('Unexpected end of bytes')
  return decoding.readUint8Array(decoder, length).slice()
}

export function readUint(decoder: decoding.Decoder): number {
  try {
    return decoding.readVarUint(decoder)
  } catch {
    throw new WireError('Bad unsigned integer')
  }
}

/**
 * An unsigned varint in its one shortest form. lib0 also reads a number padded out with 0x80 bytes
 * and a final 0x00, which would give one value several encodings; a shortest form of more than one
 * byte never ends in 0x00.
 */
export function readShortestUint(decoder: decoding.Decoder): number {
  const start = decoder.pos
  const value = readUint(decoder)
  if (decoder.pos - start > 1 && decoder.arr[decoder.pos - 1] === 0) throw new WireError('Unsigned integer not in its shortest form')
  return value
}

export function readBytes(decoder: decoding.Decoder, maxLength: number): Uint8Array {
  const length = readUint(decoder)
  if (length > maxLength) throw new WireError('Length over its limit')
  return readFixed(decoder, length)
}

export function readByte(decoder: decoding.Decoder): number {
  return readFixed(decoder, 1)[0]!
}

export function readText(decoder: decoding.Decoder, maxBytes: number): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readBytes(decoder, maxBytes))
  } catch (error) {
    throw error instanceof WireError ? error : new WireError('Bad UTF-8')
  }
}

export function expectEnd(decoder: decoding.Decoder): void {
  if (decoding.hasContent(decoder)) throw new WireError('Trailing bytes')
}
