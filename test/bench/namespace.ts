/**
 * Runs a bench script inside a loopback-only network namespace, as the tests do with WebRTC: as root
 * `unshare -n`, else (or if that is refused) `unshare -rn`, bringing `lo` up first. Undefined (and
 * said so) where no namespace can be made here.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'

export function runInLoopbackNamespace(cwd: string, script: string, args: string[] = [], timeoutMs = 300_000): SpawnSyncReturns<string> | undefined {
  const isRoot = process.getuid?.() === 0
  const command = ['ip link set lo up && exec "$0" --import tsx "$@"', process.execPath, script, ...args]
  for (const prefix of isRoot ? [['unshare', '-n'], ['unshare', '-rn']] : [['unshare', '-rn']]) {
    const run = spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', ...command], { cwd, encoding: 'utf8', timeout: timeoutMs })
    // A namespace that could not be made says so on stderr; anything else is the script's own outcome.
    if (run.status !== null && run.status !== 0 && /unshare|Operation not permitted/.test(run.stderr ?? '')) continue
    return run
  }
  process.stderr.write('No loopback-only network namespace here: browsers cannot be connected over WebRTC safely.\n')
  return undefined
}
