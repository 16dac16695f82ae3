/**
 * The relay's libp2p identity on disk. Invites embed the relay's `/p2p/<peer id>`, so the key must
 * survive restarts: it is created once, written readable by its owner only, and never overwritten —
 * a damaged file is an error for a human to look at, not a reason to become someone else. An existing
 * file that others may read is refused too (as ssh refuses such a key): whoever read it can be this
 * relay.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { KeyFileError } from './errors'

function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}

/** Decodes a key file's bytes; throws KeyFileError unless they hold an Ed25519 private key. */
export function decodePeerKey(bytes: Uint8Array, path = 'key file'): PrivateKey {
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (error) {
    throw new KeyFileError(`${path} does not hold a libp2p private key`, { cause: error })
  }
  if (key.type !== 'Ed25519') throw new KeyFileError(`${path} holds a ${key.type} key; the relay uses Ed25519`)
  return key
}

async function refuseIfOthersCanRead(path: string): Promise<void> {
  // Windows keeps no such bits: its access lists are the owner's to set.
  if (process.platform === 'win32') return
  const { mode } = await stat(path)
  if ((mode & 0o077) === 0) return
  const shown = (mode & 0o777).toString(8).padStart(4, '0')
  throw new KeyFileError(`${path} can be read by others (mode ${shown}): anyone who read it can act as this relay. Run: chmod 600 ${path}`)
}

/** Loads the key in `path`, or creates an Ed25519 key there when the file does not exist. */
export async function loadOrCreatePeerKey(path: string, options: { signal?: AbortSignal } = {}): Promise<PrivateKey> {
  const absolute = resolve(path)
  options.signal?.throwIfAborted()
  const existing = await readFile(absolute).catch((error: unknown) => {
    if (isErrorCode(error, 'ENOENT')) return undefined
    throw new KeyFileError(`Cannot read ${absolute}: ${(error as Error).message}`, { cause: error })
  })
  if (existing !== undefined) {
    await refuseIfOthersCanRead(absolute)
    return decodePeerKey(existing, absolute)
  }

  const key = await generateKeyPair('Ed25519')
  options.signal?.throwIfAborted()
  try {
    // `wx`: if another relay created the file meanwhile, fail rather than replace its identity.
    await writeFile(absolute, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx', signal: options.signal })
  } catch (error) {
    if (options.signal?.aborted) throw error
    if (isErrorCode(error, 'EEXIST')) return decodePeerKey(await readFile(absolute), absolute)
    throw new KeyFileError(`Cannot write ${absolute}: ${(error as Error).message}`, { cause: error })
  }
  return key
}
