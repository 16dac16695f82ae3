/**
 * `npm run lint`: checks every .ts and .svelte file under src against the import rules in
 * `rules.ts` (imports point inward), plus no default exports, no console.log, no {@html}.
 * Prints `file:line: message` per violation and exits 1 if there is any.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkSources, formatViolation, type LintSource } from './check-imports'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

async function listSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listSources(path)
      return /\.(ts|svelte)$/.test(entry.name) ? [path] : []
    }),
  )
  return nested.flat()
}

const paths = (await listSources(join(ROOT, 'src'))).sort()
const sources: LintSource[] = await Promise.all(
  paths.map(async (path) => ({ path: relative(ROOT, path).split(sep).join('/'), text: await readFile(path, 'utf8') })),
)
const violations = checkSources(sources)
for (const violation of violations) console.log(formatViolation(violation))
if (violations.length > 0) {
  console.log(`\nimports: ${violations.length} problem${violations.length === 1 ? '' : 's'} in ${sources.length} files`)
  process.exit(1)
}
console.log(`imports: ${sources.length} files checked, no problems`)
