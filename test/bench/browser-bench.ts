/**
 * The in-browser half of `npm run bench` (test/bench/run.ts drives it): each page load runs one phase,
 * named in the query string, against Chromium's real IndexedDB and WebCrypto, and leaves its result on
 * `window.__bench`.
 */
import { detectEd25519, tweetnaclEd25519 } from '../../src/core/ed25519'
import { buildSearchIndex, searchOffers } from '../../src/core/search'
import { Device } from '../../src/circle/device'
import { openStorage } from '../../src/store'
import { decodeSeedFile } from './seed-file'
import { measureSignatures } from './signatures'
import { median, percentile } from './stats'

declare global {
  interface Window {
    __bench?: { ok: true; result: unknown } | { ok: false; error: string }
  }
}

async function seed() {
  const file = decodeSeedFile(new Uint8Array(await (await fetch('/bench-seed.bin')).arrayBuffer()))
  const storage = await openStorage()
  const device = await Device.create(storage, 'Bench reader')
  await device.joinCircle(file.circle)
  const circle = await device.openCircle(file.circle.id)
  const start = performance.now()
  let rejected = 0
  for (let at = 0; at < file.entries.length; at += 500) rejected += (await circle.ingest(file.entries.slice(at, at + 500))).rejected.length
  const ingestMs = performance.now() - start
  const offers = circle.view().offers.length
  await device.close()
  await storage.close()
  return { entries: file.entries.length, rejected, offers, ingestMs }
}

/** From nothing in memory to the whole circle view: storage, device, circle, every member doc, the view. */
async function openView() {
  const start = performance.now()
  const storage = await openStorage()
  const device = (await Device.load(storage))!
  const circle = await device.openCircle(device.circles()[0]!.id)
  const view = circle.view()
  return { view, ms: performance.now() - start, sinceNavigation: performance.now() }
}

async function cold() {
  const { view, ms, sinceNavigation } = await openView()
  return { offers: view.offers.length, members: view.members.size, ms, sinceNavigation }
}

/** Where a cold start's time goes, step by step (for finding what to make faster). */
async function coldSteps() {
  const steps: Record<string, number> = {}
  let last = performance.now()
  const step = (name: string) => {
    const now = performance.now()
    steps[name] = now - last
    last = now
  }
  const storage = await openStorage()
  step('open storage')
  const device = (await Device.load(storage))!
  step('load device')
  const id = device.circles()[0]!.id
  if (new URLSearchParams(location.search).has('detail')) {
    const { circleTopic } = await import('../../src/core/circle-secrets')
    const { toHex, fromHex } = await import('../../src/core/bytes')
    const record = device.circles()[0]!
    const topic = toHex(circleTopic({ id: fromHex(record.id)!, key: record.key }))
    const heads = await storage.entries.heads(topic)
    step('  heads')
    await Promise.all(heads.map((head) => storage.entries.getRange(topic, head.feed, 0, 0)))
    step('  joins')
    const Y = await import('yjs')
    const { readRawDoc } = await import('../../src/circle/member-doc')
    const names = (await indexedDB.databases()).map((d) => d.name!).filter((n) => n.includes('-doc:'))
    const docs = names.map(() => new Y.Doc())
    await Promise.all(names.map((name, i) => storage.attachDoc(name.split('-doc:')[1]!, docs[i]!)))
    step(`  attach ${names.length} docs`)
    docs.forEach((doc) => readRawDoc(doc))
    step('  toJSON')
  }
  const circle = await device.openCircle(id)
  step('open circle (heads, joins, member docs)')
  circle.view()
  step('read model (validate every member doc)')
  return steps
}

async function search() {
  const { view } = await openView()
  const names = new Map([...view.members].map(([id, member]) => [id, member.profile.name]))
  let start = performance.now()
  const index = buildSearchIndex(view.offers, names)
  const indexMs = performance.now() - start
  const typed = ['cordless drill', 'tent', 'ride to the coast', 'member 42', 'sourdough']
  const keystrokes: number[] = []
  for (const phrase of typed) {
    for (let length = 1; length <= phrase.length; length++) {
      start = performance.now()
      searchOffers(index, { text: phrase.slice(0, length), kinds: [], categories: [], availability: 'any', sort: 'newest' })
      keystrokes.push(performance.now() - start)
    }
  }
  const filtered: number[] = []
  for (const kinds of [['thing'], ['ride', 'gift'], []] as const) {
    start = performance.now()
    searchOffers(index, { text: 'e', kinds: [...kinds], categories: ['tools'], availability: 'available', sort: 'title' })
    filtered.push(performance.now() - start)
  }
  return { offers: view.offers.length, indexMs, keystrokes: keystrokes.length, median: median(keystrokes), p95: percentile(keystrokes, 95), max: Math.max(...keystrokes), filteredMedian: median(filtered) }
}

async function signatures() {
  const fast = await detectEd25519()
  return [await measureSignatures(tweetnaclEd25519, 200), ...(fast.name === 'webcrypto' ? [await measureSignatures(fast, 2000)] : [])]
}

const phases: Record<string, () => Promise<unknown>> = { seed, cold, 'cold-steps': coldSteps, search, signatures }
const phase = new URLSearchParams(location.search).get('phase') ?? ''
const run = phases[phase] ?? (() => Promise.reject(new Error(`Unknown phase "${phase}"`)))
run().then(
  (result) => {
    window.__bench = { ok: true, result }
    document.getElementById('status')!.textContent = 'Done'
  },
  (error: unknown) => {
    window.__bench = { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error) }
  },
)
