/**
 * Runs a bench script inside a loopback-only network namespace, as the tests do with WebRTC: as root
 * `unshare -n`, else (or if that is refused) `unshare -rn`, bringing `lo` up first. Which one works
 * is found once with a no-op, so the script itself runs once and its own failures are its own.
 * Undefined (and said so) where no namespace can be made here.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'

function namespacePrefix(): string[] | undefined {
  const isRoot = process.getuid?.() === 0
  for (const prefix of isRoot ? [['unshare', '-n'], ['unshare', '-rn']] : [['unshare', '-rn']]) {
    const probe = spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8', timeout: 10_000 })
    if (probe.status === 0) return prefix
  }
  return undefined
}

export function runInLoopbackNamespace(cwd: string, script: string, args: string[] = [], timeoutMs = 300_000): SpawnSyncReturns<string> | undefined {
  const prefix = namespacePrefix()
  if (!prefix) {
    process.stderr.write('No loopback-only network namespace here (unshare and ip are needed): browsers cannot be connected over WebRTC safely.\n')
    return undefined
  }
  // sh's $0 is node and "$@" the script and its arguments, so no path is pasted into the command.
  const command = ['ip link set lo up && exec "$0" --import tsx "$@"', process.execPath, script, ...args]
  return spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', ...command], { cwd, encoding: 'utf8', timeout: timeoutMs })
}
