import { describe, expect, it } from 'vitest'
import { bytesForStorage, bytesFromStorage } from '../../../src/store/bytes'
import { describeError } from '../../../src/ui/error-messages'

describe('bytes read back from storage', () => {
  it('come back as plain Uint8Arrays of exactly their bytes, whatever view was stored', () => {
    const buffer = new Uint8Array([9, 1, 2, 3, 9])
    expect(bytesFromStorage(bytesForStorage(buffer.subarray(1, 4)))).toEqual(new Uint8Array([1, 2, 3]))
    expect(bytesFromStorage(new DataView(buffer.buffer, 1, 2))).toEqual(new Uint8Array([1, 2]))
    expect(bytesFromStorage(new Uint8Array([4, 5]).buffer)).toEqual(new Uint8Array([4, 5]))
  })

  it('are a typed, described error when what was stored is not bytes (a damaged record)', () => {
    for (const damaged of [undefined, 'AQID', [1, 2, 3], { 0: 1 }]) {
      let caught: unknown
      try {
        bytesFromStorage(damaged)
      } catch (error) {
        caught = error
      }
      expect(caught, JSON.stringify(damaged)).toMatchObject({ name: 'StorageDamagedError' })
      expect(describeError(caught)).toMatch(/damaged/)
    }
  })
})
