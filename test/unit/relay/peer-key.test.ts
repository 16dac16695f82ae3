import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodePeerKey, loadOrCreatePeerKey } from '../../../src/relay/peer-key'

async function errorName(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run()
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sharecircle-relay-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('loadOrCreatePeerKey', () => {
  it('creates an Ed25519 key readable by its owner only, then loads the same key', async () => {
    const path = join(dir, 'relay.key')
    const created = await loadOrCreatePeerKey(path)
    expect(created.type).toBe('Ed25519')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const loaded = await loadOrCreatePeerKey(path)
    expect(loaded.equals(created)).toBe(true)
    expect(loaded.publicKey.toString()).toBe(created.publicKey.toString())
  })

  it('refuses a damaged key file and leaves it alone', async () => {
    const path = join(dir, 'relay.key')
    await writeFile(path, 'not a key', { mode: 0o600 })
    expect(await errorName(() => loadOrCreatePeerKey(path))).toBe('KeyFileError')
    expect(await readFile(path, 'utf8')).toBe('not a key')
  })

  it('refuses a key of another type', async () => {
    const path = join(dir, 'relay.key')
    await writeFile(path, privateKeyToProtobuf(await generateKeyPair('secp256k1')), { mode: 0o600 })
    expect(await errorName(() => loadOrCreatePeerKey(path))).toBe('KeyFileError')
  })

  it('refuses a key file others can read, saying how to fix it, and loads it once they cannot', async () => {
    const path = join(dir, 'relay.key')
    const key = await generateKeyPair('Ed25519')
    await writeFile(path, privateKeyToProtobuf(key), { mode: 0o644 })
    await chmod(path, 0o644)
    await expect(loadOrCreatePeerKey(path)).rejects.toMatchObject({ name: 'KeyFileError', message: expect.stringContaining(`chmod 600 ${path}`) })
    await chmod(path, 0o600)
    expect((await loadOrCreatePeerKey(path)).equals(key)).toBe(true)
  })

  it('reports a folder it cannot write to', async () => {
    expect(await errorName(() => loadOrCreatePeerKey(join(dir, 'missing', 'relay.key')))).toBe('KeyFileError')
  })

  it('honours an aborted signal', async () => {
    expect(await errorName(() => loadOrCreatePeerKey(join(dir, 'relay.key'), { signal: AbortSignal.abort() }))).toBe('AbortError')
  })
})

describe('decodePeerKey', () => {
  it('reads what privateKeyToProtobuf wrote', async () => {
    const key = await generateKeyPair('Ed25519')
    expect(decodePeerKey(privateKeyToProtobuf(key)).equals(key)).toBe(true)
  })
})
