/**
 * `npm run bench`: the numbers in README's table. Node measures signature throughput; a production
 * build of the app plus a bench page runs in Chromium against its real IndexedDB: seeding a circle of
 * 10,000 offers by 100 members, cold start of the circle view, one search keystroke (in core, and in
 * the app as a person types), and signatures in the browser. Medians of repeated runs; nothing here
 * asserts a target (machines are shared and noisy): targets are printed next to the results.
 */
import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { resolve } from 'node:path'
import { build } from 'vite'
import { chromium, type Page } from 'playwright-core'
import { detectEd25519, tweetnaclEd25519 } from '../../src/core/ed25519'
import { startStaticServer } from '../../src/relay/static-server'
import { chromiumLaunchOptions } from '../support/chromium'
import { syntheticCircle } from '../support/synthetic-circle'
import { encodeSeedFile } from './seed-file'
import { type SignatureResult, measureSignatures } from './signatures'
import { formatMs, median, percentile } from './stats'
import { measureAppKeystrokes, measureAppStart } from './app-bench'
import { measureFirstSync } from './first-sync'

const ROOT = resolve(import.meta.dirname, '../..')
const OUT = resolve(ROOT, '.bench/dist')
const MEMBERS = 100
const OFFERS_PER_MEMBER = 100
const COLD_RUNS = 7

async function runPhase<T>(page: Page, url: string, phase: string): Promise<T> {
  await page.goto(`${url}test/bench/browser.html?phase=${phase}`)
  const handle = await page.waitForFunction(() => window.__bench, undefined, { timeout: 300_000 })
  const outcome = (await handle.jsonValue()) as { ok: true; result: T } | { ok: false; error: string }
  if (!outcome.ok) throw new Error(`bench phase ${phase} failed in the browser:\n${outcome.error}`)
  return outcome.result
}

function signatureRows(where: string, results: SignatureResult[]): string[] {
  // The baseline is tweetnacl measured in the same run, on the same machine, in the same runtime.
  const baseline = results.find((r) => r.implementation === 'tweetnacl')
  const times = (value: number, base: number | undefined) => (base ? ` (${Math.round(value / base)}× tweetnacl)` : '')
  return results.map((r) => {
    const base = r === baseline ? undefined : baseline
    return `| ${where}: entries signed and verified, ${r.implementation} | sign ${Math.round(r.signPerSecond)}/s${times(r.signPerSecond, base?.signPerSecond)} · verify ${Math.round(r.verifyPerSecond)}/s${times(r.verifyPerSecond, base?.verifyPerSecond)} · verify a batch ${Math.round(r.verifyBatchPerSecond)}/s${times(r.verifyBatchPerSecond, base?.verifyBatchPerSecond)} | — |`
  })
}

interface LatencyResult {
  rttMedian: number
  rttP99: number
  latencyMedian: number
  latencyP99: number
  edits: number
  pings: number
}

/**
 * Two browsers talk over WebRTC, so this part runs in a loopback-only network namespace, like the
 * tests; undefined (and said so) where no namespace can be made.
 */
function measureSyncLatency(): LatencyResult | undefined {
  const isRoot = process.getuid?.() === 0
  for (const prefix of isRoot ? [['unshare', '-n'], ['unshare', '-rn']] : [['unshare', '-rn']]) {
    const run = spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', `ip link set lo up && exec "${process.execPath}" --import tsx test/bench/sync-latency.ts`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    })
    const line = run.stdout?.split('\n').find((text) => text.startsWith('{'))
    if (run.status === 0 && line) return JSON.parse(line) as LatencyResult
    if (run.status !== null && run.stderr && !/unshare|Operation not permitted/.test(run.stderr)) {
      process.stderr.write(run.stderr)
      return undefined
    }
  }
  process.stderr.write('No loopback-only network namespace here: edit → visible latency between browsers not measured.\n')
  return undefined
}

async function main(): Promise<void> {
  const rows: string[] = []
  process.stdout.write('Node: signatures…\n')
  const fast = await detectEd25519()
  const nodeSignatures = [await measureSignatures(tweetnaclEd25519, 200), ...(fast.name === 'webcrypto' ? [await measureSignatures(fast, 2000)] : [])]

  process.stdout.write(`Making a circle of ${MEMBERS * OFFERS_PER_MEMBER} offers by ${MEMBERS} members…\n`)
  const synthetic = await syntheticCircle({ members: MEMBERS, offersPerMember: OFFERS_PER_MEMBER, seed: 2026 })
  process.stdout.write('Node: first sync of the whole circle between two peers…\n')
  const firstSync = await measureFirstSync(synthetic, 77)
  if (firstSync.offers !== MEMBERS * OFFERS_PER_MEMBER) throw new Error(`first sync incomplete: ${JSON.stringify(firstSync)}`)
  process.stdout.write('Building the app and the bench page…\n')
  await build({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir: OUT, emptyOutDir: true, rollupOptions: { input: { app: resolve(ROOT, 'index.html'), bench: resolve(ROOT, 'test/bench/browser.html') } } },
  })
  await writeFile(resolve(OUT, 'bench-seed.bin'), encodeSeedFile(synthetic))
  const server = await startStaticServer({ host: '127.0.0.1', port: 0, dist: OUT })
  const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions() })
  try {
    const context = await browser.newContext()
    // tsx compiles functions passed to page.evaluate with esbuild's `__name` helper, which pages lack.
    await context.addInitScript('globalThis.__name = (fn) => fn')
    const page = await context.newPage()
    process.stdout.write('Chromium: seeding IndexedDB through the real ingest path…\n')
    const seeded = await runPhase<{ entries: number; rejected: number; offers: number; ingestMs: number }>(page, server.url, 'seed')
    if (seeded.rejected > 0 || seeded.offers !== MEMBERS * OFFERS_PER_MEMBER) throw new Error(`seeding went wrong: ${JSON.stringify(seeded)}`)

    process.stdout.write('Chromium: cold start of the circle view…\n')
    const colds: Array<{ ms: number; sinceNavigation: number }> = []
    for (let run = 0; run < COLD_RUNS; run++) colds.push(await runPhase(page, server.url, 'cold'))
    process.stdout.write('Chromium: search keystrokes…\n')
    const search = await runPhase<{ median: number; p95: number; indexMs: number; keystrokes: number; filteredMedian: number }>(page, server.url, 'search')
    process.stdout.write('Chromium: edit → visible between two browsers (in a loopback-only namespace)…\n')
    const latency = measureSyncLatency()
    process.stdout.write('Chromium: signatures…\n')
    const browserSignatures = await runPhase<SignatureResult[]>(page, server.url, 'signatures')
    // The app last: it installs its service worker, which then controls this origin.
    process.stdout.write('Chromium: the app itself…\n')
    const appStarts: number[] = []
    for (let run = 0; run < 5; run++) appStarts.push(await measureAppStart(page, server.url))
    const appKeys = await measureAppKeystrokes(page, server.url)

    const view = median(colds.map((c) => c.ms))
    rows.push(
      `| Cold start of the circle view from IndexedDB (${MEMBERS * OFFERS_PER_MEMBER} offers, ${MEMBERS} members; storage → device → ${MEMBERS} member docs → validated view) | median ${formatMs(view)} (p90 ${formatMs(percentile(colds.map((c) => c.ms), 90))}, ${COLD_RUNS} runs) | ≤ 1 s |`,
      `| App start to catalogue on screen, same data (navigation → first offer cards painted) | median ${formatMs(median(appStarts))} (5 runs) | — |`,
      `| One search keystroke, core (${search.keystrokes} keystrokes over ${MEMBERS * OFFERS_PER_MEMBER} offers; index built once in ${formatMs(search.indexMs)}) | median ${formatMs(search.median)}, p95 ${formatMs(search.p95)} | ≤ 16 ms |`,
      `| One search keystroke in the app (input event → results in the DOM and laid out) | median ${formatMs(appKeys.median)}, p95 ${formatMs(appKeys.p95)} (${appKeys.count} keystrokes) | ≤ 16 ms |`,
      `| Ingest ${seeded.entries} entries into an empty device (verify, chain, decrypt, apply, store) | ${formatMs(seeded.ingestMs)} (${Math.round(seeded.entries / (seeded.ingestMs / 1000))} entries/s) | — |`,
      latency
        ? `| Edit → visible in another browser (save click → card in the other catalogue; ${latency.edits} edits), next to the raw WebRTC datachannel round trip between the same pages (${latency.pings} pings) | median ${formatMs(latency.latencyMedian)}, p99 ${formatMs(latency.latencyP99)}; datachannel RTT median ${formatMs(latency.rttMedian)}, p99 ${formatMs(latency.rttP99)} | p50 ≤ RTT + 5 ms |`
        : '| Edit → visible in another browser | not measured (no network namespace) | p50 ≤ RTT + 5 ms |',
      `| First sync of ${MEMBERS * OFFERS_PER_MEMBER} offers / ${MEMBERS} members between two peers (Node, fake-indexeddb, loopback WebSockets; until both sides are up to date) | ${formatMs(firstSync.ms)}; ${(firstSync.entryBytes / 1e6).toFixed(2)} MB of entries for ${(firstSync.yjsBytes / 1e6).toFixed(2)} MB of Yjs data = ${(firstSync.entryBytes / firstSync.yjsBytes).toFixed(2)}× | ≤ 3 s; ≤ 1.3× |`,
      ...signatureRows('Node 22', nodeSignatures),
      ...signatureRows('Chromium', browserSignatures),
    )
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${browser.version()}`
    const table = [`Machine: ${machine}`, '', '| What | Result | Target |', '|---|---|---|', ...rows].join('\n')
    process.stdout.write(`\n${table}\n`)
    await mkdir(resolve(ROOT, '.bench'), { recursive: true })
    await writeFile(resolve(ROOT, '.bench/results.md'), `${table}\n`)
  } finally {
    await browser.close()
    await server.close()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
