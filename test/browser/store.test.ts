/**
 * The IndexedDB store in headless Chromium: the shared acceptance suite against the browser's real
 * IndexedDB (and y-indexeddb on the real global), plus the lifecycle behaviour only a real browser
 * can vouch for. Every test uses fresh database names, so tests never see each other's data.
 */
import { describe, expect, it } from 'vitest'
import { openStorage, type CloseReason } from '../../src/store'
import { runStorageAcceptance } from '../support/store-acceptance'

function uniqueName(): string {
  return `sharecircle-test-${crypto.randomUUID()}`
}

runStorageAcceptance('chromium', async () => {
  const name = uniqueName()
  let storage = await openStorage({ name })
  return {
    storage,
    async reopen() {
      await storage.close()
      storage = await openStorage({ name })
      return storage
    },
    async teardown() {
      await storage.destroy()
      const left = (await indexedDB.databases()).filter((info) => info.name?.startsWith(name))
      expect(left).toEqual([])
      expect(Object.keys(localStorage).filter((key) => key.includes(name))).toEqual([])
    },
  }
})

describe('openStorage in Chromium', () => {
  it('closes politely when another tab deletes the database, and rejects later calls', async () => {
    const name = uniqueName()
    const reasons: CloseReason[] = []
    const storage = await openStorage({ name, onClose: (reason) => reasons.push(reason) })
    await storage.blobs.putBlob('11', new Uint8Array([1, 2, 3]))
    const outcome = await new Promise<string>((resolve) => {
      const request = indexedDB.deleteDatabase(name)
      request.onsuccess = () => resolve('deleted')
      request.onblocked = () => resolve('blocked')
    })
    expect(outcome).toBe('deleted')
    expect(reasons).toEqual(['versionchange'])
    await expect(storage.blobs.getBlob('11')).rejects.toMatchObject({ name: 'StorageClosedError' })
  })

  it('rejects calls after close() with StorageClosedError', async () => {
    const storage = await openStorage({ name: uniqueName() })
    await storage.close()
    await expect(storage.entries.getAll('aa')).rejects.toMatchObject({ name: 'StorageClosedError' })
    await storage.destroy()
  })
})
