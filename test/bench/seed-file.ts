/**
 * The benchmark's circle, made once in Node and fetched by the browser page: the circle record and
 * every entry, length-prefixed (lib0).
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { fromHex, toHex } from '../../src/core/bytes'
import type { CircleRecord } from '../../src/circle/types'

export interface SeedFile {
  circle: CircleRecord
  entries: Uint8Array[]
  yjsBytes: number
}

export function encodeSeedFile(seed: SeedFile): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, JSON.stringify({ ...seed.circle, key: toHex(seed.circle.key), yjsBytes: seed.yjsBytes }))
  encoding.writeVarUint(encoder, seed.entries.length)
  for (const entry of seed.entries) encoding.writeVarUint8Array(encoder, entry)
  return encoding.toUint8Array(encoder)
}

export function decodeSeedFile(bytes: Uint8Array): SeedFile {
  const decoder = decoding.createDecoder(bytes)
  const { yjsBytes, ...circle } = JSON.parse(decoding.readVarString(decoder))
  const count = decoding.readVarUint(decoder)
  const entries = Array.from({ length: count }, () => decoding.readVarUint8Array(decoder).slice())
  return { circle: { ...circle, key: fromHex(circle.key)! }, entries, yjsBytes }
}
