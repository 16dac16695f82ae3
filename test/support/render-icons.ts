/**
 * Renders the PNG app icons in public/ from public/icon.svg with headless Chromium. Run it by hand
 * after changing the SVG (`npx tsx test/support/render-icons.ts`) and commit the PNGs: the build
 * only copies them, so neither it nor CI needs a browser for icons.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, findChromium } from './chromium'

const PUBLIC = new URL('../../public/', import.meta.url)

interface IconTarget {
  file: string
  size: number
  /** Full-bleed square: the platform cuts its own shape (maskable icons, iOS home screen). */
  square: boolean
}

const TARGETS: IconTarget[] = [
  { file: 'icon-192.png', size: 192, square: false },
  { file: 'icon-512.png', size: 512, square: false },
  // The mark stays inside the maskable safe zone (a centred circle of 40 % radius) by design.
  { file: 'icon-maskable-512.png', size: 512, square: true },
  { file: 'apple-touch-icon.png', size: 180, square: true },
]

function squared(svg: string): string {
  const result = svg.replace(/(<rect id="background"[^>]*?)\s+rx="[^"]*"/, '$1')
  if (result === svg) throw new Error('icon.svg has no <rect id="background" rx="…"> to square off')
  return result
}

const executablePath = findChromium()
if (executablePath === undefined) throw new Error('Chromium not found: install it or set CHROMIUM_PATH')
const svg = await readFile(new URL('icon.svg', PUBLIC), 'utf8')
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
try {
  for (const target of TARGETS) {
    const page = await browser.newPage({ viewport: { width: target.size, height: target.size }, deviceScaleFactor: 1 })
    const source = `data:image/svg+xml;base64,${Buffer.from(target.square ? squared(svg) : svg).toString('base64')}`
    await page.setContent(`<body style="margin:0"><img src="${source}" width="${target.size}" height="${target.size}" style="display:block"></body>`)
    await page.locator('img').evaluate((img: HTMLImageElement) => img.decode())
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: target.size, height: target.size } })
    await writeFile(new URL(target.file, PUBLIC), png)
    await page.close()
    process.stdout.write(`${fileURLToPath(new URL(target.file, PUBLIC))} (${target.size}×${target.size})\n`)
  }
} finally {
  await browser.close()
}
