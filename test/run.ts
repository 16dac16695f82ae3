/**
 * `npm test`: the whole gate, the same on a fresh CI machine (root, Debian) and on a laptop.
 *
 *   1. prerequisites  Node ≥ 22; Chromium (installed with apt-get when missing and we are root on
 *                     Debian); a loopback-only network namespace for e2e (iproute2 likewise)
 *   2. lint           test/lint/imports.ts
 *   3. typecheck      svelte-check --tsconfig ./tsconfig.json --fail-on-warnings
 *   4. build          vite build
 *   5. unit+browser   vitest run --project unit --project browser
 *   6. integration    vitest run --project integration (real libp2p peers, WebRTC), inside
 *                     `unshare -n` with only `lo` up
 *   7. e2e            vitest run --project e2e, in the same kind of namespace
 *
 * Each step prints a header and its duration; the first failure stops the run with its exit code.
 * The last line counts tests as `tests: N passed, N failed[, N skipped]`.
 *
 * Arguments after `npm test --` go to vitest:
 *   --project <name> (or -p, --project=)  runs only those projects' steps, plus what they need
 *                                         (Chromium for browser/e2e, the build for e2e); lint and
 *                                         typecheck are skipped. integration and e2e always run in
 *                                         the namespace.
 *   anything else (file filters, -t, --reporter …) is passed to every vitest step that runs, and
 *                                         then a step whose files match nothing is not a failure.
 *
 * Environment: CHROMIUM_PATH picks a browser; SHARECIRCLE_ALLOW_HOST_NETWORK=1 lets integration and
 * e2e run on the host network where no namespace can be made (e.g. macOS).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findChromium } from './support/chromium'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const HOST_PROJECTS = ['unit', 'browser']
/** Projects that open real network connections (WebRTC too): only ever on loopback, in this order. */
const NAMESPACED_PROJECTS = ['integration', 'e2e']
const NEEDS_CHROMIUM = ['browser', 'e2e']

/** A step fails with this to stop the run with a message instead of a child's exit code. */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = 'StepFailure'
  }
}

interface Step {
  name: string
  /** Shown in the header: what the step runs (a function when it is known only once earlier steps ran). */
  detail: string | (() => string)
  run: () => Promise<void>
}

interface TestCounts {
  passed: number
  failed: number
  skipped: number
}

const counts: TestCounts = { passed: 0, failed: 0, skipped: 0 }
let vitestRan = false
let current: ReturnType<typeof spawn> | undefined

// ── arguments ──────────────────────────────────────────────────────────────────────────────────

function parseArgs(argv: readonly string[]): { projects: string[]; rest: string[]; help: boolean } {
  const projects: string[] = []
  const rest: string[] = []
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') help = true
    else if (arg === '--project' || arg === '-p') projects.push(argv[++i] ?? '')
    else if (arg.startsWith('--project=')) projects.push(arg.slice('--project='.length))
    else rest.push(arg)
  }
  return { projects: projects.filter((name) => name !== ''), rest, help }
}

// ── processes ──────────────────────────────────────────────────────────────────────────────────

function seconds(ms: number): string {
  const s = ms / 1000
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}

/** The JS entry of a package's bin, run with this Node (22) rather than whatever `node` is on PATH. */
function binOf(pkg: string): string {
  const manifestPath = join(ROOT, 'node_modules', pkg, 'package.json')
  if (!existsSync(manifestPath)) throw new StepFailure(`${pkg} is not installed: run \`npm ci\` first`)
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: string | Record<string, string> }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[pkg]
  if (bin === undefined) throw new StepFailure(`${pkg} has no "${pkg}" binary`)
  return join(ROOT, 'node_modules', pkg, bin)
}

const ANSI = /\u001b\[[0-9;]*m/g

/** Adds vitest's closing `Tests  1 failed | 54 passed (55)` line to the run's counts. */
function countTests(output: string): void {
  const lines = output.replace(ANSI, '').split('\n').filter((line) => /^\s*Tests\s+\d/.test(line))
  const last = lines.at(-1)
  if (last === undefined) return
  for (const [, n, kind] of last.matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    const key = kind === 'todo' ? 'skipped' : (kind as keyof TestCounts)
    counts[key] += Number(n)
  }
}

/** Runs a command with its output streamed through; resolves on exit 0, else fails the step. */
function run(command: string, args: readonly string[], options: { countTests?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  return new Promise((done, fail) => {
    const env = { ...process.env, ...options.env }
    if (options.countTests && process.stdout.isTTY) env.FORCE_COLOR ??= '1'
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['inherit', options.countTests ? 'pipe' : 'inherit', 'inherit'] })
    current = child
    let tail = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      tail = (tail + chunk.toString('utf8')).slice(-64_000)
    })
    child.on('error', (error) => fail(new StepFailure(`could not start ${command}: ${error.message}`, 127)))
    child.on('close', (code, signal) => {
      current = undefined
      if (options.countTests) {
        vitestRan = true
        countTests(tail)
      }
      if (code === 0) done()
      else fail(new StepFailure(signal ? `killed by ${signal}` : `exit code ${code}`, code ?? 1))
    })
  })
}

function succeeds(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'ignore' })
  return result.status === 0
}

function hasCommand(name: string): boolean {
  return succeeds('sh', ['-c', `command -v ${name}`])
}

// ── prerequisites ──────────────────────────────────────────────────────────────────────────────

const isRoot = process.getuid?.() === 0
const canApt = isRoot && existsSync('/etc/debian_version') && hasCommand('apt-get')
let aptUpdated = false

async function aptInstall(pkg: string): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  if (!aptUpdated) {
    console.log('$ apt-get update')
    await run('apt-get', ['update'], { env })
    aptUpdated = true
  }
  console.log(`$ apt-get install -y ${pkg}`)
  await run('apt-get', ['install', '-y', pkg], { env })
}

async function ensureChromium(): Promise<void> {
  let path = findChromium()
  if (path === undefined && canApt) {
    console.log('Chromium not found; installing it with apt-get.')
    await aptInstall('chromium')
    path = findChromium()
  }
  if (path === undefined) {
    throw new StepFailure(
      'Chromium not found. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) or point CHROMIUM_PATH at a ' +
        'Chromium or Chrome binary. Do not use `npx playwright install`: the tests use the system browser.',
    )
  }
  console.log(`Chromium: ${path}`)
}

/** The command prefix that runs namespaced projects with only loopback, or `[]` for the host network when allowed. */
let namespacePrefix: string[] = []

async function ensureNamespace(): Promise<void> {
  const candidates = isRoot ? [['unshare', '-n'], ['unshare', '-rn']] : [['unshare', '-rn']]
  if (hasCommand('unshare') && !hasCommand('ip') && canApt) {
    console.log('`ip` not found; installing iproute2 with apt-get.')
    await aptInstall('iproute2')
  }
  if (hasCommand('unshare') && hasCommand('ip')) {
    for (const prefix of candidates) {
      if (succeeds(prefix[0] as string, [...prefix.slice(1), 'sh', '-c', 'ip link set lo up'])) {
        namespacePrefix = prefix
        console.log(`integration/e2e network: \`${prefix.join(' ')}\` — loopback only`)
        return
      }
    }
  }
  const why = !hasCommand('unshare')
    ? '`unshare` is missing (util-linux; Linux only)'
    : !hasCommand('ip')
      ? '`ip` is missing (Debian: `apt-get install iproute2`)'
      : `neither of ${candidates.map((c) => `\`${c.join(' ')}\``).join(', ')} works here (user namespaces disabled?)`
  if (process.env.SHARECIRCLE_ALLOW_HOST_NETWORK === '1') {
    console.log(`integration/e2e network: HOST NETWORK (SHARECIRCLE_ALLOW_HOST_NETWORK=1) — no namespace: ${why}`)
    return
  }
  throw new StepFailure(
    `Cannot make a loopback-only network namespace for integration and e2e: ${why}. ` +
      'Fix that, or set SHARECIRCLE_ALLOW_HOST_NETWORK=1 to run them on the host network.',
  )
}

async function prerequisites(needChromium: boolean, needNamespace: boolean): Promise<void> {
  const major = Number(process.versions.node.split('.')[0])
  if (major < 22) {
    throw new StepFailure(`Node ${process.versions.node} is too old: run through npm (\`npm test\`), which uses node@22 from devDependencies`)
  }
  console.log(`Node: ${process.versions.node}`)
  if (needChromium) await ensureChromium()
  if (needNamespace) await ensureNamespace()
}

// ── the run ────────────────────────────────────────────────────────────────────────────────────

function plan(projects: string[], rest: string[]): Step[] {
  const full = projects.length === 0
  const hostProjects = full ? HOST_PROJECTS : projects.filter((name) => !NAMESPACED_PROJECTS.includes(name))
  const namespaced = NAMESPACED_PROJECTS.filter((name) => full || projects.includes(name))
  const e2e = namespaced.includes('e2e')
  const needChromium = full || projects.some((name) => NEEDS_CHROMIUM.includes(name))
  // A filter may match files of one project only; the others then have nothing to run.
  const filtered = rest.length > 0 ? ['--passWithNoTests'] : []
  const node = process.execPath
  const steps: Step[] = [
    { name: 'prerequisites', detail: 'Node 22, Chromium, network namespace', run: () => prerequisites(needChromium, namespaced.length > 0) },
  ]
  if (full) {
    steps.push(
      { name: 'lint', detail: 'tsx test/lint/imports.ts', run: () => run(node, [binOf('tsx'), 'test/lint/imports.ts']) },
      {
        name: 'typecheck',
        detail: 'svelte-check --tsconfig ./tsconfig.json --fail-on-warnings',
        run: () => run(node, [binOf('svelte-check'), '--tsconfig', './tsconfig.json', '--fail-on-warnings']),
      },
    )
  }
  if (full || e2e) steps.push({ name: 'build', detail: 'vite build', run: () => run(node, [binOf('vite'), 'build']) })
  if (hostProjects.length > 0) {
    const args = ['run', ...hostProjects.flatMap((name) => ['--project', name]), ...filtered, ...rest]
    steps.push({
      name: hostProjects.join('+'),
      detail: `vitest ${args.join(' ')}`,
      run: () => run(node, [binOf('vitest'), ...args], { countTests: true }),
    })
  }
  for (const project of namespaced) {
    const args = ['run', '--project', project, '--passWithNoTests', ...rest]
    steps.push({
      name: project,
      detail: () => `vitest ${args.join(' ')} ${namespacePrefix.length > 0 ? '(loopback-only namespace)' : '(HOST NETWORK)'}`,
      run: () => {
        const vitest = [node, binOf('vitest'), ...args]
        if (namespacePrefix.length === 0) return run(vitest[0] as string, vitest.slice(1), { countTests: true })
        const [command, ...prefixArgs] = namespacePrefix as [string, ...string[]]
        return run(command, [...prefixArgs, 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...vitest], { countTests: true })
      },
    })
  }
  return steps
}

const USAGE = readFileSync(fileURLToPath(import.meta.url), 'utf8').match(/\/\*\*([\s\S]*?)\*\//)?.[1]?.replace(/^ \* ?/gm, '') ?? ''

async function main(): Promise<number> {
  const { projects, rest, help } = parseArgs(process.argv.slice(2))
  if (help) {
    console.log(USAGE.trim())
    return 0
  }
  const steps = plan(projects, rest)
  if (projects.length > 0) console.log(`--project given: lint and typecheck skipped (run \`npm test\` alone for the full gate)`)
  const started = performance.now()
  const done: string[] = []
  for (const [index, step] of steps.entries()) {
    const detail = typeof step.detail === 'function' ? step.detail() : step.detail
    console.log(`\n━━ [${index + 1}/${steps.length}] ${step.name}: ${detail}`)
    const stepStarted = performance.now()
    try {
      await step.run()
    } catch (error) {
      const failure = error instanceof StepFailure ? error : new StepFailure(error instanceof Error ? error.message : String(error))
      const took = seconds(performance.now() - stepStarted)
      console.log(`✘ ${step.name} failed (${took}): ${failure.message}`)
      console.log(
        `\nnpm test: FAILED at ${step.name} (exit ${failure.exitCode}) after ${seconds(performance.now() - started)}` +
          (done.length > 0 ? `; passed: ${done.join(', ')}` : ''),
      )
      if (vitestRan) console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`)
      return failure.exitCode
    }
    const took = seconds(performance.now() - stepStarted)
    console.log(`✔ ${step.name} (${took})`)
    done.push(`${step.name} ${took}`)
  }
  console.log(`\nnpm test: passed, ${steps.length} steps in ${seconds(performance.now() - started)} (${done.join(', ')})`)
  if (vitestRan) console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`)
  return 0
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    current?.kill(signal)
    console.log(`\nnpm test: stopped by ${signal}`)
    process.exit(signal === 'SIGINT' ? 130 : 143)
  })
}

process.exitCode = await main()
