/**
 * `npm run bench:ab -- <rev> [<rev>]`: edit → visible (edit-latency.ts) for two versions of the app
 * in one run. Each version is built from a checkout of its git revision (`.`, or nothing, is the
 * working tree as it is), served by its own local relay to its own pair of pages, and the two pairs
 * take turns edit by edit, so both see the same machine: on a shared, noisy one, runs minutes apart
 * differ by more than most changes do. Prints each side's median and quartiles.
 *
 * Runs inside a loopback-only network namespace (namespace.ts), like every WebRTC test.
 * BENCH_AB_EDITS sets the edits per side (default 40, after 3 warm-up edits each).
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'vite'
import { startRelay } from '../../src/relay/start-relay'
import { launchChromium } from '../e2e/support/app'
import { type EditPair, openEditPair, timeEdit } from './edit-latency'
import { runInLoopbackNamespace } from './namespace'
import { median } from './stats'

const ROOT = resolve(import.meta.dirname, '../..')
const WARMUP = 3

interface Side {
  label: string
  latencies: number[]
}

/** Inside the namespace: builds both checkouts, then alternates edits between their pairs. */
async function measure(checkouts: string[], edits: number): Promise<Side[]> {
  const work = await mkdtemp(join(tmpdir(), 'sharecircle-ab-'))
  const relays = []
  const browser = await launchChromium()
  try {
    const pairs: EditPair[] = []
    for (const [index, root] of checkouts.entries()) {
      const dist = join(work, `dist-${index}`)
      await build({ root, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } })
      const relay = await startRelay({ host: '127.0.0.1', port: 0, dist, keyFile: join(work, `relay-${index}.key`) })
      relays.push(relay)
      pairs.push(await openEditPair(browser, relay.url))
    }
    const sides = checkouts.map((label) => ({ label, latencies: [] as number[] }))
    for (let i = 0; i < WARMUP + edits; i++) {
      for (const [index, pair] of pairs.entries()) {
        const latency = await timeEdit(pair, `Latency probe ${i}`)
        if (i >= WARMUP) sides[index]!.latencies.push(latency)
      }
    }
    return sides
  } finally {
    await browser.close()
    for (const relay of relays) await relay.close()
    await rm(work, { recursive: true, force: true })
  }
}

/**
 * A checkout of `rev` (a detached worktree sharing this one's node_modules: an old revision is built
 * with today's dependencies), or the working tree. `made` learns of the worktree as soon as it exists.
 */
async function checkout(rev: string, into: string, made: string[]): Promise<string> {
  if (rev === '.') return ROOT
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: ROOT, stdio: 'ignore' })
  } catch {
    throw new Error(`${rev} is not a revision of this repository`)
  }
  execFileSync('git', ['worktree', 'add', '--detach', '--quiet', into, rev], { cwd: ROOT })
  made.push(into)
  await symlink(join(ROOT, 'node_modules'), join(into, 'node_modules'))
  return into
}

function quartile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!
}

async function main(): Promise<void> {
  const edits = Number(process.env.BENCH_AB_EDITS ?? 40)
  if (process.argv[2] === '--inside') {
    process.stdout.write(`${JSON.stringify(await measure(process.argv.slice(3), edits))}\n`)
    return
  }
  const revs = process.argv.slice(2)
  if (revs.length < 1 || revs.length > 2) throw new Error('Usage: npm run bench:ab -- <rev> [<rev>]  (`.` is the working tree, the default second)')
  if (revs.length === 1) revs.push('.')
  const work = await mkdtemp(join(tmpdir(), 'sharecircle-ab-checkouts-'))
  const made: string[] = []
  try {
    const roots: string[] = []
    for (const [index, rev] of revs.entries()) roots.push(await checkout(rev, join(work, String(index)), made))
    process.stdout.write(`Edit → visible, ${revs.join(' against ')}, taking turns edit by edit (${edits} each)…\n`)
    const run = runInLoopbackNamespace(ROOT, 'test/bench/latency-ab.ts', ['--inside', ...roots], 1_800_000)
    if (!run) return
    const line = run.stdout?.split('\n').find((text) => text.startsWith('['))
    if (run.status !== 0 || !line) throw new Error(`The measurement failed: ${run.error?.message ?? `exit ${run.status}`}\n${run.stderr ?? ''}`)
    const sides = JSON.parse(line) as Side[]
    for (const [index, side] of sides.entries()) {
      const { latencies } = side
      process.stdout.write(`${revs[index]}: median ${median(latencies).toFixed(2)} ms (quartiles ${quartile(latencies, 0.25).toFixed(2)}–${quartile(latencies, 0.75).toFixed(2)} ms, ${latencies.length} edits)\n`)
    }
  } finally {
    for (const root of made) {
      try {
        execFileSync('git', ['worktree', 'remove', '--force', root], { cwd: ROOT })
      } catch (error) {
        process.stderr.write(`Could not remove the worktree ${root}: ${error instanceof Error ? error.message : String(error)}\n`)
      }
    }
    await rm(work, { recursive: true, force: true })
    execFileSync('git', ['worktree', 'prune'], { cwd: ROOT })
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
