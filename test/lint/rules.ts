/**
 * Which layer of src may import what: the "imports point inward" rule of DESIGN.md and STYLE.md as
 * data. ui → circle / net / store → core; relay sits beside ui and never sees a member's data.
 * Change the design, then this table, in the same commit.
 */

/**
 * A package pattern. Without `*` it names a package and its subpaths (`lib0` allows `lib0/encoding`);
 * with `*` it is a glob over the whole specifier (`@libp2p/*`, `it-*`, `@scure/bip39/wordlists/*`).
 */
export type PackagePattern = string

export interface LayerPolicy {
  /** Layers of src this layer may import at run time (itself included), or every layer but some. */
  layers: readonly string[] | { except: readonly string[] }
  /** Layers this layer may import with `import type` / `export type` only (erased at build). */
  typeOnlyLayers?: readonly string[]
  /** Packages this layer may import, or `'*'` for any package (node builtins aside). */
  packages: readonly PackagePattern[] | '*'
  /** Whether `node:*` builtins are allowed (only code that never runs in a browser). */
  builtins?: boolean
}

const LIB0: readonly PackagePattern[] = ['lib0']
const LIBP2P: readonly PackagePattern[] = ['libp2p', '@libp2p/*', '@chainsafe/*', '@multiformats/*', 'it-*', 'uint8arrays']

export const LAYER_POLICIES: Readonly<Record<string, LayerPolicy>> = {
  // Pure domain: runs anywhere, so it may lean only on tiny, dependency-free libraries. From
  // @scure/bip39 only the word lists: its main module pulls in @noble/hashes.
  core: { layers: ['core'], packages: ['tweetnacl', ...LIB0, '@scure/bip39/wordlists/*'] },
  circle: { layers: ['core', 'circle'], packages: ['yjs', 'y-protocols', ...LIB0, 'tweetnacl'] },
  // The store persists what circle defines, but circle must stay testable without IndexedDB.
  store: { layers: ['core', 'store'], typeOnlyLayers: ['circle'], packages: ['yjs', 'y-indexeddb', ...LIB0] },
  net: { layers: ['core', 'net'], typeOnlyLayers: ['circle'], packages: [...LIBP2P, ...LIB0] },
  ui: { layers: { except: ['relay'] }, packages: '*' },
  // The relay holds no circle key: it must not be able to even link the code that reads members' data.
  relay: { layers: ['core', 'net', 'relay'], packages: LIBP2P, builtins: true },
  // Command line tools that check a member's exported data offline: core and Node's builtins only.
  tools: { layers: ['core', 'tools'], packages: [], builtins: true },
}

/** What test files living beside the code (`*.test.ts`) may import on top of their layer's rules. */
export const TEST_FILE_PACKAGES: readonly PackagePattern[] = ['vitest', '@vitest/*', 'fake-indexeddb']

/** The only files in src that may print to the console: the command lines (relay, offline verifier). */
export const CONSOLE_ALLOWED_FILES: readonly string[] = ['src/relay/cli.ts', 'src/tools/verify.ts']

export function layerAllows(policy: LayerPolicy, layer: string): boolean {
  return Array.isArray(policy.layers)
    ? policy.layers.includes(layer)
    : !(policy.layers as { except: readonly string[] }).except.includes(layer)
}

export function packageAllowed(patterns: readonly PackagePattern[] | '*', specifier: string): boolean {
  if (patterns === '*') return true
  return patterns.some((pattern) => matchesPackage(pattern, specifier))
}

export function matchesPackage(pattern: PackagePattern, specifier: string): boolean {
  if (!pattern.includes('*')) return specifier === pattern || specifier.startsWith(`${pattern}/`)
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.+')
  return new RegExp(`^${escaped}$`).test(specifier)
}

export function describePolicy(layer: string, policy: LayerPolicy): string {
  const layers = Array.isArray(policy.layers)
    ? policy.layers.map((name) => `src/${name}`)
    : [`any src layer but ${(policy.layers as { except: readonly string[] }).except.map((name) => `src/${name}`).join(', ')}`]
  const typeOnly = (policy.typeOnlyLayers ?? []).map((name) => `types from src/${name}`)
  const packages = policy.packages === '*' ? ['any package'] : policy.packages
  const builtins = policy.builtins ? ['node builtins'] : []
  return `src/${layer} may import ${[...layers, ...typeOnly, ...packages, ...builtins].join(', ')}`
}
