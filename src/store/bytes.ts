/**
 * Bytes in and out of IndexedDB. Structured clone stores a typed array's whole underlying buffer, and
 * what comes back may be a Node Buffer-like or another view depending on who wrote it; the rest of
 * the app expects a plain Uint8Array of exactly its bytes.
 */
import { StorageDamagedError } from './errors'

/** The bytes as a plain Uint8Array that owns exactly its buffer, so storing a small view of a large buffer stores only the view. */
export function bytesForStorage(bytes: Uint8Array): Uint8Array {
  const plain = Object.getPrototypeOf(bytes) === Uint8Array.prototype
  if (plain && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes
  return new Uint8Array(bytes)
}

/** A stored value as a plain Uint8Array; anything that is not binary means the record is damaged. */
export function bytesFromStorage(value: unknown): Uint8Array {
  if (value instanceof Uint8Array && Object.getPrototypeOf(value) === Uint8Array.prototype) return value
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  throw new StorageDamagedError('A stored value that should be bytes is not')
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
