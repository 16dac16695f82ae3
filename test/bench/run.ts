/**
 * `npm run bench`: the numbers in README's table. Node measures signature throughput; a production
 * build of the app plus a bench page runs in Chromium against its real IndexedDB: seeding a circle of
 * 10,000 offers by 100 members, cold start of the circle view, one search keystroke (in core, and in
 * the app as a person types), and signatures in the browser. Medians of repeated runs; nothing here
 * asserts a target (machines are shared and noisy): targets are printed next to the results.
 *
 * `BENCH_ONLY=trust npm run bench` runs only the trust rows (trust per viewer at 1,000 members and
 * 20,000 attestations; verifying those attestations with WebCrypto and tweetnacl).
 * `BENCH_ONLY=sync npm run bench` runs only the sync rows (first sync, repeated BENCH_SYNC_RUNS
 * times, default 3; edit → visible between two browsers) and writes them to .bench/sync-results.md.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { resolve } from 'node:path'
import { build } from 'vite'
import { chromium, type Page } from 'playwright-core'
import { detectEd25519, tweetnaclEd25519 } from '../../src/core/ed25519'
import { startStaticServer } from '../../src/relay/static-server'
import { chromiumLaunchOptions } from '../support/chromium'
import { type SyntheticCircle, syntheticCircle } from '../support/synthetic-circle'
import { runInLoopbackNamespace } from './namespace'
import { encodeSeedFile } from './seed-file'
import { type SignatureResult, measureSignatures } from './signatures'
import { formatMs, median, percentile } from './stats'
import { measureAppKeystrokes, measureAppStart } from './app-bench'
import { type FirstSyncResult, measureFirstSync } from './first-sync'
import { type TrustResult, type VerifyResult, measureAttestationVerify, measureTrust, syntheticTrustCircle } from './trust'

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
  /** Pings sent one at a time with both pages idle, as the edits are. */
  rttIdleMedian: number
  idlePings: number
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
  const run = runInLoopbackNamespace(ROOT, 'test/bench/sync-latency.ts')
  if (!run) return undefined
  const line = run.stdout?.split('\n').find((text) => text.startsWith('{'))
  if (run.status === 0 && line) return JSON.parse(line) as LatencyResult
  process.stderr.write(run.stderr ?? '')
  return undefined
}

function latencyRow(latency: LatencyResult | undefined): string {
  return latency
    ? `| Edit → visible in another browser (save click → card in the other catalogue; ${latency.edits} edits, each clicked with both pages idle, after 3 warm-up edits), next to the raw WebRTC datachannel round trip between the same pages (${latency.pings} pings back to back; ${latency.idlePings} more, each with both pages idle) | median ${formatMs(latency.latencyMedian)}, p99 ${formatMs(latency.latencyP99)}; datachannel RTT median ${formatMs(latency.rttMedian)}, p99 ${formatMs(latency.rttP99)}; between idle pages ${formatMs(latency.rttIdleMedian)} | p50 ≤ RTT + 5 ms (RTT back to back) |`
    : '| Edit → visible in another browser | not measured (no network namespace) | p50 ≤ RTT + 5 ms |'
}

function firstSyncRow(runs: FirstSyncResult[]): string {
  const ms = median(runs.map((run) => run.ms))
  const [run] = runs
  const wire = run!.wireBytes / run!.yjsBytes
  const times = runs.length > 1 ? ` (median of ${runs.length} runs: ${runs.map((r) => formatMs(r.ms)).join(', ')})` : ''
  return `| First sync of ${MEMBERS * OFFERS_PER_MEMBER} offers / ${MEMBERS} members between two peers (Node, fake-indexeddb, loopback WebSockets; until both sides are up to date) | ${formatMs(ms)}${times}; ${(run!.wireBytes / 1e6).toFixed(2)} MB on the wire (entries stored: ${(run!.entryBytes / 1e6).toFixed(2)} MB) for ${(run!.yjsBytes / 1e6).toFixed(2)} MB of Yjs data = ${wire.toFixed(2)}× | ≤ 3 s; ≤ 1.3× |`
}

async function firstSyncRuns(synthetic: SyntheticCircle, count: number): Promise<FirstSyncResult[]> {
  const runs: FirstSyncResult[] = []
  for (let run = 0; run < count; run++) {
    const result = await measureFirstSync(synthetic, 77 + run * 10)
    if (result.offers !== MEMBERS * OFFERS_PER_MEMBER) throw new Error(`first sync incomplete: ${JSON.stringify(result)}`)
    runs.push(result)
  }
  return runs
}

/** BENCH_ONLY=sync: the two sync rows alone. */
async function syncOnly(): Promise<void> {
  process.stdout.write(`Making a circle of ${MEMBERS * OFFERS_PER_MEMBER} offers by ${MEMBERS} members…\n`)
  const synthetic = await syntheticCircle({ members: MEMBERS, offersPerMember: OFFERS_PER_MEMBER, seed: 2026 })
  const count = Number(process.env.BENCH_SYNC_RUNS ?? 3)
  process.stdout.write(`Node: first sync of the whole circle between two peers (${count} runs)…\n`)
  const runs = await firstSyncRuns(synthetic, count)
  process.stdout.write('Chromium: edit → visible between two browsers (in a loopback-only namespace)…\n')
  const latency = process.env.BENCH_SKIP_LATENCY === '1' ? undefined : measureSyncLatency()
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
  const table = [`Machine: ${machine}`, '', '| What | Result | Target |', '|---|---|---|', latencyRow(latency), firstSyncRow(runs)].join('\n')
  process.stdout.write(`\n${table}\n`)
  await mkdir(resolve(ROOT, '.bench'), { recursive: true })
  await writeFile(resolve(ROOT, '.bench/sync-results.md'), `${table}\n`)
}

/** Trust for one viewer, and verifying every attestation of the same synthetic circle both ways. */
async function trustRows(): Promise<string[]> {
  process.stdout.write('Node: signing a synthetic circle of 1,000 members and 20,000 attestations…\n')
  const circle = await syntheticTrustCircle({ signed: true })
  const trust: TrustResult = await measureTrust(circle)
  process.stdout.write('Node: verifying its attestations, WebCrypto and tweetnacl…\n')
  const verify: VerifyResult[] = await measureAttestationVerify(circle)
  const base = verify.find((r) => r.implementation === 'tweetnacl')
  return [
    `| Trust for one viewer (personalised PageRank, ${trust.members} members, ${trust.attestations} attestations; graph built once in ${formatMs(trust.graphMs)}) | median ${formatMs(trust.medianMs)}, p90 ${formatMs(trust.p90Ms)} (${trust.viewers} viewers) | ≤ 50 ms |`,
    ...verify.map(
      (r) =>
        `| Node 22: verify ${r.total} attestations (eddsa-jcs-2022), ${r.implementation}${r.note ? ` — ${r.note}` : ''} | ${Math.round(r.perSecond)}/s${base && r !== base ? ` (${Math.round(r.perSecond / base.perSecond)}× tweetnacl)` : ''}; ${r.measured} in ${formatMs(r.ms)} | — |`,
    ),
  ]
}

/** BENCH_ONLY=trust: the trust rows alone. */
async function trustOnly(): Promise<void> {
  const rows = await trustRows()
  const table = ['| What | Result | Target |', '|---|---|---|', ...rows].join('\n')
  process.stdout.write(`\n${table}\n`)
  await mkdir(resolve(ROOT, '.bench'), { recursive: true })
  await writeFile(resolve(ROOT, '.bench/trust-results.md'), `${table}\n`)
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'sync') return syncOnly()
  if (process.env.BENCH_ONLY === 'trust') return trustOnly()
  if (process.env.BENCH_ONLY) throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY}: only "sync" and "trust" are known`)
  const rows: string[] = []
  const trust = await trustRows()
  process.stdout.write('Node: signatures…\n')
  const fast = await detectEd25519()
  const nodeSignatures = [await measureSignatures(tweetnaclEd25519, 200), ...(fast.name === 'webcrypto' ? [await measureSignatures(fast, 2000)] : [])]

  process.stdout.write(`Making a circle of ${MEMBERS * OFFERS_PER_MEMBER} offers by ${MEMBERS} members…\n`)
  const synthetic = await syntheticCircle({ members: MEMBERS, offersPerMember: OFFERS_PER_MEMBER, seed: 2026 })
  process.stdout.write('Node: first sync of the whole circle between two peers…\n')
  const firstSync = await firstSyncRuns(synthetic, 1)
  // Before this process opens a browser of its own: the measurement runs in a child process that
  // this one waits for without its event loop, which would leave that browser's pages unanswered.
  process.stdout.write('Chromium: edit → visible between two browsers (in a loopback-only namespace)…\n')
  const latency = measureSyncLatency()
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
      latencyRow(latency),
      firstSyncRow(firstSync),
      ...signatureRows('Node 22', nodeSignatures),
      ...signatureRows('Chromium', browserSignatures),
      ...trust,
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
