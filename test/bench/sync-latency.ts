/**
 * Edit → visible between two browsers (edit-latency.ts), next to the raw WebRTC datachannel round
 * trip between the same two pages, measured in the same run. Two Chromium contexts, the production
 * build served by a local relay. Run inside a loopback-only network namespace (run.ts does that);
 * prints one JSON line.
 *
 * Each save is clicked with both pages idle, as a person's edits come (seconds apart, not while the
 * previous one is still being stored, acknowledged and gossiped); the first WARMUP edits are not
 * counted. The app is built afresh into .bench/sync-dist each run, so the numbers are of the code as
 * it is now.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { startRelay } from '../../src/relay/start-relay'
import { build } from 'vite'
import { launchChromium } from '../e2e/support/app'
import { openEditPair, timeEdit } from './edit-latency'
import { median, percentile } from './stats'

const ROOT = resolve(import.meta.dirname, '../..')
const DIST = resolve(ROOT, '.bench/sync-dist')
const EDITS = 30
const WARMUP = 3
const PINGS = 100
const IDLE_PINGS = 30
const IDLE_GAP_MS = 100

/**
 * Raw RTCPeerConnection between the two pages, signalled through this process; echo round trips:
 * PINGS back to back, then IDLE_PINGS each sent after IDLE_GAP_MS with nothing else going on, as the
 * edits are (a message that finds both pages idle pays for waking their threads; one in a tight loop
 * finds them awake).
 */
async function datachannelRtt(a: Page, b: Page): Promise<{ busy: number[]; idle: number[] }> {
  const setup = `(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] })
    window.__pc = pc
    const gathered = () => new Promise((done) => { if (pc.iceGatheringState === 'complete') done(); pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && done()) })
    window.__gathered = gathered
  })()`
  await a.evaluate(setup)
  await b.evaluate(setup)
  const offer = await a.evaluate(`(async () => {
    const channel = window.__pc.createDataChannel('rtt')
    window.__channel = channel
    window.__open = new Promise((done) => channel.addEventListener('open', done))
    await window.__pc.setLocalDescription(await window.__pc.createOffer())
    await window.__gathered()
    return JSON.stringify(window.__pc.localDescription)
  })()`)
  const answer = await b.evaluate(`(async () => {
    window.__pc.addEventListener('datachannel', (event) => { event.channel.addEventListener('message', (m) => event.channel.send(m.data)) })
    await window.__pc.setRemoteDescription(JSON.parse(${JSON.stringify(offer)}))
    await window.__pc.setLocalDescription(await window.__pc.createAnswer())
    await window.__gathered()
    return JSON.stringify(window.__pc.localDescription)
  })()`)
  return a.evaluate(`(async () => {
    await window.__pc.setRemoteDescription(JSON.parse(${JSON.stringify(answer)}))
    await window.__open
    const ping = async (i) => {
      const start = performance.now()
      await new Promise((done) => { window.__channel.addEventListener('message', done, { once: true }); window.__channel.send('ping ' + i) })
      return performance.now() - start
    }
    const busy = []
    for (let i = 0; i < ${PINGS}; i++) busy.push(await ping(i))
    const idle = []
    for (let i = 0; i < ${IDLE_PINGS}; i++) {
      await new Promise((done) => setTimeout(done, ${IDLE_GAP_MS}))
      idle.push(await ping(i))
    }
    window.__pc.close()
    return { busy, idle }
  })()`) as Promise<{ busy: number[]; idle: number[] }>
}

async function main(): Promise<void> {
  await build({ root: ROOT, logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true } })
  const keyDir = await mkdtemp(join(tmpdir(), 'sharecircle-bench-'))
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dist: DIST, keyFile: join(keyDir, 'relay.key') })
  const browser = await launchChromium()
  try {
    const pair = await openEditPair(browser, relay.url)
    const rtt = await datachannelRtt(pair.a, pair.b)
    const latencies: number[] = []
    for (let i = 0; i < WARMUP + EDITS; i++) {
      const latency = await timeEdit(pair, `Latency probe ${i}`)
      if (i >= WARMUP) latencies.push(latency)
    }
    process.stdout.write(
      `${JSON.stringify({ rttMedian: median(rtt.busy), rttP99: percentile(rtt.busy, 99), rttIdleMedian: median(rtt.idle), idlePings: IDLE_PINGS, latencyMedian: median(latencies), latencyP99: percentile(latencies, 99), edits: EDITS, pings: PINGS })}\n`,
    )
  } finally {
    await browser.close()
    await relay.close()
    await rm(keyDir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
