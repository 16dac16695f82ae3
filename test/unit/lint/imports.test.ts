import { describe, expect, it } from 'vitest'
import { checkSource, findModuleReferences, formatViolation, type LintRule } from '../../lint/check-imports'
import { matchesPackage } from '../../lint/rules'

function rules(path: string, text: string): LintRule[] {
  return checkSource({ path, text }).map((violation) => violation.rule)
}

describe('findModuleReferences', () => {
  it('sees static, re-exported, dynamic, required and type-queried modules', () => {
    const code = [
      "import a from 'a'",
      "import type { B } from 'b'",
      "export { c } from 'c'",
      "export type { D } from 'd'",
      "const e = await import('e')",
      'const f = require(`f`)',
      "type G = typeof import('g')",
      "import { type H } from 'h'",
      'const i = await import(name)',
      "import 'j'",
    ].join('\n')
    expect(findModuleReferences(code)).toEqual([
      { specifier: 'a', line: 1, typeOnly: false, inlineTypesOnly: false },
      { specifier: 'b', line: 2, typeOnly: true, inlineTypesOnly: false },
      { specifier: 'c', line: 3, typeOnly: false, inlineTypesOnly: false },
      { specifier: 'd', line: 4, typeOnly: true, inlineTypesOnly: false },
      { specifier: 'e', line: 5, typeOnly: false, inlineTypesOnly: false },
      { specifier: 'f', line: 6, typeOnly: false, inlineTypesOnly: false },
      { specifier: 'g', line: 7, typeOnly: true, inlineTypesOnly: false },
      { specifier: 'h', line: 8, typeOnly: false, inlineTypesOnly: true },
      { specifier: undefined, line: 9, typeOnly: false, inlineTypesOnly: false },
      { specifier: 'j', line: 10, typeOnly: false, inlineTypesOnly: false },
    ])
  })
})

describe('matchesPackage', () => {
  it('treats a plain name as the package and its subpaths, and * as a glob', () => {
    expect(matchesPackage('lib0', 'lib0/encoding')).toBe(true)
    expect(matchesPackage('lib0', 'lib0x')).toBe(false)
    expect(matchesPackage('@libp2p/*', '@libp2p/webrtc')).toBe(true)
    expect(matchesPackage('it-*', 'it-pipe')).toBe(true)
    expect(matchesPackage('it-*', 'item')).toBe(false)
    expect(matchesPackage('@scure/bip39/wordlists/*', '@scure/bip39')).toBe(false)
  })
})

// One violating and one clean source per rule: [layer file, clean source, violating source, rule].
const LAYER_CASES: [string, string, string, LintRule][] = [
  ['src/core/keys.ts', "import nacl from 'tweetnacl'\nimport * as e from 'lib0/encoding'\nimport { x } from './model'", "import * as Y from 'yjs'", 'layer-import'],
  ['src/core/phrase.ts', "import { wordlist } from '@scure/bip39/wordlists/english.js'", "import { generateMnemonic } from '@scure/bip39'", 'layer-import'],
  ['src/core/keys.ts', "import { a } from '../core/model'", "import { view } from '../circle/view'", 'layer-import'],
  ['src/core/clock.ts', "export const now = (): number => 0", "import { readFile } from 'node:fs'", 'layer-import'],
  ['src/circle/doc.ts', "import * as Y from 'yjs'\nimport * as s from 'y-protocols/sync'\nimport { a } from '../core/model'", "import { openStore } from '../store/db'", 'layer-import'],
  ['src/circle/doc.ts', "import nacl from 'tweetnacl'", "import { createLibp2p } from 'libp2p'", 'layer-import'],
  ['src/store/db.ts', "import type { MemberView } from '../circle/types'\nimport { IndexeddbPersistence } from 'y-indexeddb'", "import { buildView } from '../circle/view'", 'type-only-import'],
  ['src/store/db.ts', "export type { MemberView } from '../circle/types'", "import { type MemberView } from '../circle/types'", 'type-only-import'],
  ['src/store/db.ts', "import { a } from '../core/model'", "import { node } from '../net/node'", 'layer-import'],
  ['src/net/node.ts', "import { createLibp2p } from 'libp2p'\nimport { webRTC } from '@libp2p/webrtc'\nimport { noise } from '@chainsafe/libp2p-noise'\nimport { multiaddr } from '@multiformats/multiaddr'\nimport { pipe } from 'it-pipe'\nimport { toString } from 'uint8arrays'", "import * as Y from 'yjs'", 'layer-import'],
  ['src/net/sync.ts', "import type { CircleView } from '../circle/types'", "const m = await import('../circle/view')", 'type-only-import'],
  ['src/ui/App.svelte.ts', "import { a } from '../circle/view'\nimport { b } from '../store/db'\nimport { mount } from 'svelte'", "import { startStaticServer } from '../relay/static-server'", 'layer-import'],
  ['src/relay/node.ts', "import { createServer } from 'node:http'\nimport { a } from '../net/node'\nimport { b } from '../core/model'\nimport { circuitRelayServer } from '@libp2p/circuit-relay-v2'", "import type { CircleView } from '../circle/types'", 'layer-import'],
  ['src/relay/node.ts', "import { a } from './options'", "import { b } from '../store/db'", 'layer-import'],
  ['src/relay/node.ts', "import { a } from './options'", "import { c } from '../ui/App.svelte'", 'layer-import'],
  ['src/core/keys.ts', "import { a } from './model'", "import { helper } from '../../test/support/helper'", 'layer-import'],
  ['src/core/keys.ts', "const m = await import('./model')", 'const m = await import(`./${name}`)', 'computed-import'],
]

describe('layer rules', () => {
  it.each(LAYER_CASES)('%s: clean passes, violating is flagged', (path, clean, violating, rule) => {
    expect(rules(path, clean)).toEqual([])
    expect(rules(path, violating)).toEqual([rule])
  })

  it('reads the script blocks of a .svelte file and reports the line in the file', () => {
    const component = [
      '<script lang="ts">',
      "  import { view } from '../circle/view'",
      "  import { server } from '../relay/static-server'",
      '</script>',
      '<p>{name}</p>',
    ].join('\n')
    const violations = checkSource({ path: 'src/ui/Shelf.svelte', text: component })
    expect(violations.map(formatViolation)).toEqual([
      expect.stringMatching(/^src\/ui\/Shelf\.svelte:3: src\/ui may not import "\.\.\/relay\/static-server"/),
    ])
  })

  it('lets tests beside the code import vitest and test helpers, but not other layers', () => {
    const path = 'src/core/keys.test.ts'
    expect(rules(path, "import { it } from 'vitest'\nimport { seed } from '../../test/support/seed'")).toEqual([])
    expect(rules(path, "import * as Y from 'yjs'")).toEqual(['layer-import'])
  })

  it('flags a folder of src that has no rules', () => {
    expect(rules('src/lib/x.ts', 'export const x = 1')).toEqual(['unknown-layer'])
  })

  it('ignores files outside src', () => {
    expect(rules('test/unit/x.test.ts', "import * as Y from 'yjs'\nconsole.log(Y)")).toEqual([])
  })
})

describe('default exports', () => {
  it('flags export default in .ts files', () => {
    expect(rules('src/core/a.ts', 'export function a(): void {}\nexport const b = 1')).toEqual([])
    expect(rules('src/core/a.ts', 'export default function a(): void {}')).toEqual(['default-export'])
    expect(rules('src/core/a.ts', 'const a = 1\nexport default a')).toEqual(['default-export'])
    expect(rules('src/core/a.ts', 'const a = 1\nexport { a as default }')).toEqual(['default-export'])
    expect(rules('src/ui/state.svelte.ts', 'export default class State {}')).toEqual(['default-export'])
  })

  it('leaves Svelte components alone (their default export is implicit)', () => {
    expect(rules('src/ui/A.svelte', '<script lang="ts">let a = 1</script>')).toEqual([])
  })
})

describe('console.log', () => {
  it('flags console.log in src but not in the relay CLI', () => {
    expect(rules('src/core/a.ts', 'console.warn("x")\nconst log = "console.log"')).toEqual([])
    expect(rules('src/core/a.ts', 'console.log("x")')).toEqual(['console-log'])
    expect(rules('src/core/a.ts', 'console["log"]("x")')).toEqual(['console-log'])
    expect(rules('src/relay/cli.ts', 'console.log("running")')).toEqual([])
  })

  it('flags console.log in Svelte scripts and templates', () => {
    expect(rules('src/ui/A.svelte', '<script>let a = 1</script>\n<!-- console.log -->\n<p>{a}</p>')).toEqual([])
    expect(rules('src/ui/A.svelte', '<script>console.log(1)</script>')).toEqual(['console-log'])
    expect(rules('src/ui/A.svelte', '<button onclick={() => console.log(1)}>x</button>')).toEqual(['console-log'])
  })
})

describe('{@html}', () => {
  it('flags {@html anywhere in src', () => {
    expect(rules('src/ui/A.svelte', '<p>{item.title}</p>')).toEqual([])
    expect(rules('src/ui/A.svelte', '<p>{@html item.title}</p>')).toEqual(['html-tag'])
    expect(rules('src/ui/A.svelte', '<p>{ @html item.title}</p>')).toEqual(['html-tag'])
    expect(rules('src/ui/markup.ts', 'export const template = "{@html x}"')).toEqual(['html-tag'])
  })
})
