/**
 * Small records (this device's keys, the circles it joined), content-addressed blobs, and snapshots
 * of other members' docs.
 */
import type { BlobStorage, CircleRecord, DeviceRecord, DocSnapshot, RecordStorage, SnapshotStorage } from '../circle/types'
import { bytesForStorage, bytesFromStorage } from './bytes'
import { asCovers } from './covers'
import { addIfAbsent, read, write, type Connection } from './idb'
import { DEVICE_KEY, STORES, circleKey, circlesRange, prefixRange, type SnapshotRow } from './schema'

// Rows are built field by field: a caller's object may be a Svelte state proxy or carry extra fields,
// and structured clone refuses the one and would silently store the other.

function deviceRow(device: DeviceRecord): DeviceRecord {
  return {
    identitySecret: bytesForStorage(device.identitySecret),
    deviceSecret: bytesForStorage(device.deviceSecret),
    boxSecret: bytesForStorage(device.boxSecret),
    name: device.name,
    createdAt: device.createdAt,
    backedUpAt: device.backedUpAt,
  }
}

function deviceFromRow(row: DeviceRecord): DeviceRecord {
  return {
    ...row,
    identitySecret: bytesFromStorage(row.identitySecret),
    deviceSecret: bytesFromStorage(row.deviceSecret),
    boxSecret: bytesFromStorage(row.boxSecret),
  }
}

function circleRow(circle: CircleRecord): CircleRecord {
  return {
    id: circle.id,
    key: bytesForStorage(circle.key),
    name: circle.name,
    description: circle.description,
    createdAt: circle.createdAt,
    relays: [...circle.relays],
    ...(circle.invitedBy === undefined ? {} : { invitedBy: circle.invitedBy }),
  }
}

function circleFromRow(row: CircleRecord): CircleRecord {
  return { ...row, key: bytesFromStorage(row.key) }
}

export function createRecordStorage(connection: Connection): RecordStorage {
  return {
    async getDevice() {
      const row = await read(connection.current(), STORES.records, (store) => store.get(DEVICE_KEY))
      return row === undefined ? undefined : deviceFromRow(row as DeviceRecord)
    },

    async putDevice(device) {
      const row = deviceRow(device)
      await write(connection.current(), [STORES.records], (transaction) => {
        transaction.objectStore(STORES.records).put(row, DEVICE_KEY)
      })
    },

    /** Ordered by circle id. */
    async listCircles() {
      const rows = await read(connection.current(), STORES.records, (store) => store.getAll(circlesRange()))
      return (rows as CircleRecord[]).map(circleFromRow)
    },

    async putCircle(circle) {
      const row = circleRow(circle)
      await write(connection.current(), [STORES.records], (transaction) => {
        transaction.objectStore(STORES.records).put(row, circleKey(row.id))
      })
    },

    async deleteCircle(id) {
      await write(connection.current(), [STORES.records], (transaction) => {
        transaction.objectStore(STORES.records).delete(circleKey(id))
      })
    },
  }
}

export function createBlobStorage(connection: Connection): BlobStorage {
  return {
    async putBlob(hash, bytes) {
      const value = bytesForStorage(bytes)
      await write(connection.current(), [STORES.blobs], (transaction) => {
        // Same hash, same bytes: a blob already here need not be written again.
        addIfAbsent(transaction.objectStore(STORES.blobs), value, hash)
      })
    },

    async getBlob(hash) {
      const value: unknown = await read(connection.current(), STORES.blobs, (store) => store.get(hash))
      return value === undefined ? undefined : bytesFromStorage(value)
    },
  }
}

export function createSnapshotStorage(connection: Connection): SnapshotStorage {
  return {
    async putSnapshots(snapshots) {
      const rows: SnapshotRow[] = snapshots.map((snapshot) => ({
        name: snapshot.name,
        state: bytesForStorage(snapshot.state),
        covers: { ...snapshot.covers },
      }))
      if (rows.length === 0) return
      await write(connection.current(), [STORES.snapshots], (transaction) => {
        const store = transaction.objectStore(STORES.snapshots)
        for (const row of rows) store.put(row)
      })
    },

    async getSnapshots(prefix) {
      const rows = await read(connection.current(), STORES.snapshots, (store) => store.getAll(prefixRange(prefix)))
      // Snapshots are a cache of what entries say: a damaged one is left out, and its member's doc
      // is rebuilt from the entries.
      return (rows as unknown[]).flatMap((row): DocSnapshot[] => {
        const snapshot = asSnapshot(row)
        return snapshot ? [snapshot] : []
      })
    },
  }
}

/** A stored snapshot row as a snapshot, or undefined when it is damaged (not bytes, no name). */
function asSnapshot(row: unknown): DocSnapshot | undefined {
  if (typeof row !== 'object' || row === null) return undefined
  const { name, state, covers } = row as Partial<SnapshotRow>
  if (typeof name !== 'string') return undefined
  try {
    return { name, state: bytesFromStorage(state), covers: asCovers(covers) }
  } catch {
    return undefined
  }
}
