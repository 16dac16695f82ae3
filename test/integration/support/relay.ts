/**
 * A relay for integration tests: the real `startRelay` on 127.0.0.1 and a free port, serving a
 * temporary folder with a marker index.html, its key in that folder.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRelay, type Relay, type RelayInit } from '../../../src/relay/start-relay'

export const TEST_INDEX_HTML = '<!doctype html><html><head><title>relay test</title></head><body>sharecircle relay test app</body></html>'

export interface TestRelayDir {
  dir: string
  dist: string
  keyFile: string
  remove(): Promise<void>
}

export async function makeRelayDir(): Promise<TestRelayDir> {
  const dir = await mkdtemp(join(tmpdir(), 'sharecircle-relay-it-'))
  const dist = join(dir, 'dist')
  await mkdir(dist)
  await writeFile(join(dist, 'index.html'), TEST_INDEX_HTML)
  return { dir, dist, keyFile: join(dir, 'relay.key'), remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Starts a relay on 127.0.0.1 (a free port unless given) serving `dir.dist`, its key in `dir.keyFile`. */
export async function startTestRelay(
  dir: TestRelayDir,
  options: Partial<Pick<RelayInit, 'port' | 'topics' | 'signal'>> = {},
): Promise<Relay> {
  return startRelay({ host: '127.0.0.1', port: options.port ?? 0, dist: dir.dist, keyFile: dir.keyFile, topics: options.topics, signal: options.signal })
}
