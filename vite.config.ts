import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transformWithOxc, type Plugin, type ResolvedConfig } from 'vite'
import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { playwright } from '@vitest/browser-playwright'
import { chromiumLaunchOptions } from './test/support/chromium.ts'

const SERVICE_WORKER_TEMPLATE = 'src/ui/pwa/service-worker.ts'
const SERVICE_WORKER_TEMPLATE_PATH = fileURLToPath(new URL(`./${SERVICE_WORKER_TEMPLATE}`, import.meta.url))
const SERVICE_WORKER_FILE = 'sw.js'

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const nested = await Promise.all(
    entries
      .filter((entry) => !entry.name.startsWith('.'))
      .map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  )
  return nested.flat()
}

/**
 * Emits `sw.js` from the template in src/ui/pwa with the precache list (every emitted file but
 * source maps, every public file, and the app root) and a version hashed from all their contents,
 * so any change to any file installs a new worker and a fresh cache.
 */
function serviceWorker(): Plugin {
  let config: ResolvedConfig
  return {
    name: 'sharecircle:service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved
    },
    generateBundle: {
      // After vite's own HTML plugin has put index.html into the bundle.
      order: 'post',
      async handler(_options, bundle) {
        const contents = new Map<string, string | Uint8Array>()
        for (const output of Object.values(bundle)) {
          if (output.fileName.endsWith('.map') || output.fileName.startsWith('.vite/')) continue
          contents.set(output.fileName, output.type === 'chunk' ? output.code : output.source)
        }
        if (config.publicDir) {
          for (const path of await listFiles(config.publicDir)) {
            contents.set(relative(config.publicDir, path).split(sep).join('/'), await readFile(path))
          }
        }
        contents.delete(SERVICE_WORKER_FILE)
        // README and install-prompt pictures: not needed to run the app, so not worth every device's disk.
        for (const file of [...contents.keys()]) if (file.startsWith('screenshots/')) contents.delete(file)

        const template = await readFile(SERVICE_WORKER_TEMPLATE_PATH, 'utf8')
        const files = [...contents.keys()].sort()
        const hash = createHash('sha256').update(template)
        for (const file of files) hash.update(`\0${file}\0`).update(contents.get(file) as string | Uint8Array)
        const version = hash.digest('hex').slice(0, 16)
        const precache = [config.base, ...files.map((file) => `${config.base}${file}`)]

        const { code } = await transformWithOxc(template, SERVICE_WORKER_TEMPLATE_PATH, { lang: 'ts' })
        // The template is a module only so its `declare const self` can shadow the DOM's `self`.
        const body = code.replace(/^export\s*\{\s*\};?\s*$/m, '').trim()
        if (/^\s*(import|export)\b/m.test(body)) this.error(`${SERVICE_WORKER_TEMPLATE} must not import or export: sw.js is a classic script`)
        const source = [
          `// Built from ${SERVICE_WORKER_TEMPLATE} by vite.config.ts; do not edit.`,
          `const SHARECIRCLE_VERSION = ${JSON.stringify(version)};`,
          `const SHARECIRCLE_PRECACHE = ${JSON.stringify(precache, null, 2)};`,
          body,
          '',
        ].join('\n')
        this.emitFile({ type: 'asset', fileName: SERVICE_WORKER_FILE, source })
      },
    },
  }
}

export default defineConfig({
  plugins: [svelte(), serviceWorker()],
  build: { target: 'es2022', sourcemap: true },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromiumLaunchOptions() }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // Real libp2p peers (WebRTC included) on loopback: test/run.ts runs it in a loopback-only
          // network namespace, like e2e.
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
