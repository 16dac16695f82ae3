/**
 * The import lint as a pure function: source text in, violations out. No file system here, so the
 * unit tests feed it small in-memory files; `imports.ts` is the command that walks src.
 */
import { builtinModules } from 'node:module'
import { posix } from 'node:path'
import ts from 'typescript'
import {
  CONSOLE_ALLOWED_FILES,
  LAYER_POLICIES,
  TEST_FILE_PACKAGES,
  describePolicy,
  layerAllows,
  packageAllowed,
} from './rules'

export interface LintSource {
  /** Repository-relative path with forward slashes, e.g. `src/core/keys.ts`. */
  path: string
  text: string
}

export type LintRule = 'layer-import' | 'type-only-import' | 'computed-import' | 'default-export' | 'console-log' | 'html-tag' | 'unknown-layer'

export interface Violation {
  file: string
  line: number
  rule: LintRule
  message: string
}

export interface ModuleReference {
  /** The module specifier, or `undefined` for a computed `import(expr)`. */
  specifier: string | undefined
  line: number
  /** Erased at build time: `import type`, `export type … from`, `typeof import('…')`. */
  typeOnly: boolean
  /** Every named binding is `type`-marked, yet the statement itself is not `import type`. */
  inlineTypesOnly: boolean
}

interface Block {
  code: string
  /** Lines before the block in the whole file, so reported lines are the file's own. */
  lineOffset: number
}

const BUILTINS = new Set(builtinModules)

export function formatViolation(violation: Violation): string {
  return `${violation.file}:${violation.line}: ${violation.message}`
}

/** The `<script>` blocks of a Svelte component, and its markup with the scripts blanked out. */
export function splitSvelte(text: string): { scripts: Block[]; markup: string } {
  const scripts: Block[] = []
  let markup = text
  for (const match of text.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script\s*>/gi)) {
    const start = (match.index ?? 0) + (match[1] as string).length
    const code = match[2] as string
    scripts.push({ code, lineOffset: countLines(text.slice(0, start)) })
    markup = markup.slice(0, match.index) + match[0].replace(/[^\n]/g, ' ') + markup.slice((match.index ?? 0) + match[0].length)
  }
  return { scripts, markup }
}

function countLines(text: string): number {
  let lines = 0
  for (const char of text) if (char === '\n') lines++
  return lines
}

function parse(code: string, fileName: string): ts.SourceFile {
  return ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
}

function lineOf(source: ts.SourceFile, node: ts.Node, offset: number): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 + offset
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined
}

/** Every module a block of TypeScript refers to: static, re-exported, dynamic, required, type-queried. */
export function findModuleReferences(code: string, lineOffset = 0): ModuleReference[] {
  const source = parse(code, 'block.ts')
  const found: ModuleReference[] = []
  const add = (node: ts.Node, specifier: string | undefined, typeOnly: boolean, inlineTypesOnly = false): void => {
    found.push({ specifier, line: lineOf(source, node, lineOffset), typeOnly, inlineTypesOnly })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause
      const named = clause?.namedBindings
      const inline =
        clause !== undefined &&
        !clause.isTypeOnly &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((element) => element.isTypeOnly)
      add(node, literalText(node.moduleSpecifier), clause?.isTypeOnly === true, inline)
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      add(node, literalText(node.moduleSpecifier), node.isTypeOnly)
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, literalText(node.moduleReference.expression), node.isTypeOnly)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, literalText(node.arguments[0]), false)
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
      add(node, literalText(node.arguments[0]), false)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, literalText(node.argument.literal), true)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

type Target =
  | { kind: 'src'; layer: string | undefined; path: string }
  | { kind: 'outside'; path: string }
  | { kind: 'builtin' }
  | { kind: 'package' }

function classify(fromFile: string, specifier: string): Target {
  const bare = specifier.replace(/[?#].*$/, '')
  let path: string | undefined
  if (bare === '.' || bare === '..' || bare.startsWith('./') || bare.startsWith('../')) {
    path = posix.normalize(posix.join(posix.dirname(fromFile), bare))
  } else if (bare.startsWith('/')) {
    path = posix.normalize(bare.slice(1)) // Vite resolves `/src/…` against the project root.
  }
  if (path !== undefined) {
    if (!path.startsWith('src/')) return { kind: 'outside', path }
    const parts = path.split('/')
    return { kind: 'src', layer: parts.length > 2 ? parts[1] : undefined, path }
  }
  if (bare.startsWith('node:') || BUILTINS.has(bare.split('/')[0] as string)) return { kind: 'builtin' }
  return { kind: 'package' }
}

export function layerOfFile(path: string): string | undefined {
  const parts = path.split('/')
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined
}

function isTestFile(path: string): boolean {
  return /\.(test|spec)\.ts$/.test(path)
}

function checkReference(file: string, layer: string, reference: ModuleReference): Violation | undefined {
  const policy = LAYER_POLICIES[layer]
  if (policy === undefined) return undefined
  const at = { file, line: reference.line }
  const { specifier } = reference
  if (specifier === undefined) {
    return { ...at, rule: 'computed-import', message: 'import() with a computed specifier cannot be checked; use a string literal' }
  }
  const refused = (): Violation => ({
    ...at,
    rule: 'layer-import',
    message: `src/${layer} may not import "${specifier}" (${describePolicy(layer, policy)})`,
  })
  const target = classify(file, specifier)
  const test = isTestFile(file)
  switch (target.kind) {
    case 'builtin':
      return policy.builtins || test ? undefined : refused()
    case 'package':
      if (packageAllowed(policy.packages, specifier)) return undefined
      return test && packageAllowed(TEST_FILE_PACKAGES, specifier) ? undefined : refused()
    case 'outside':
      return test && target.path.startsWith('test/') ? undefined : { ...at, rule: 'layer-import', message: `"${specifier}" is outside src` }
    case 'src': {
      if (target.layer === undefined) {
        return { ...at, rule: 'layer-import', message: `"${specifier}" is in no layer of src` }
      }
      if (layerAllows(policy, target.layer)) return undefined
      if (!policy.typeOnlyLayers?.includes(target.layer)) return refused()
      if (reference.typeOnly) return undefined
      return {
        ...at,
        rule: 'type-only-import',
        message: reference.inlineTypesOnly
          ? `src/${layer} may import src/${target.layer} with \`import type { … }\` only (an inline \`{ type X }\` still loads "${specifier}")`
          : `src/${layer} may import src/${target.layer} with \`import type\` only, not "${specifier}" at run time`,
      }
    }
  }
}

/** `export default`, `export =` and `export { x as default }` at the top of a .ts module. */
function findDefaultExports(source: ts.SourceFile): ts.Node[] {
  return source.statements.filter((statement) => {
    if (ts.isExportAssignment(statement)) return true
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      return statement.exportClause.elements.some((element) => element.name.text === 'default')
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined
    return modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword) === true
  })
}

function findConsoleLogs(source: ts.SourceFile): ts.Node[] {
  const found: ts.Node[] = []
  const visit = (node: ts.Node): void => {
    const isConsole = (expression: ts.Expression): boolean => ts.isIdentifier(expression) && expression.text === 'console'
    if (ts.isPropertyAccessExpression(node) && isConsole(node.expression) && node.name.text === 'log') found.push(node)
    if (ts.isElementAccessExpression(node) && isConsole(node.expression) && literalText(node.argumentExpression) === 'log') {
      found.push(node)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function linesMatching(text: string, pattern: RegExp): number[] {
  return text.split('\n').flatMap((line, index) => (pattern.test(line) ? [index + 1] : []))
}

/** Every violation in one file of src. Files outside src are not this lint's business. */
export function checkSource(file: LintSource): Violation[] {
  if (!file.path.startsWith('src/')) return []
  const isSvelte = file.path.endsWith('.svelte')
  if (!isSvelte && !file.path.endsWith('.ts')) return []
  const violations: Violation[] = []
  const layer = layerOfFile(file.path)
  const { scripts, markup } = isSvelte ? splitSvelte(file.text) : { scripts: [{ code: file.text, lineOffset: 0 }], markup: '' }

  if (layer !== undefined && LAYER_POLICIES[layer] === undefined) {
    violations.push({
      file: file.path,
      line: 1,
      rule: 'unknown-layer',
      message: `src/${layer} is not a layer the import rules know (${Object.keys(LAYER_POLICIES).join(', ')}); add it to test/lint/rules.ts`,
    })
  }

  for (const block of scripts) {
    if (layer !== undefined) {
      for (const reference of findModuleReferences(block.code, block.lineOffset)) {
        const violation = checkReference(file.path, layer, reference)
        if (violation) violations.push(violation)
      }
    }
    const source = parse(block.code, file.path)
    if (!isSvelte) {
      for (const node of findDefaultExports(source)) {
        violations.push({
          file: file.path,
          line: lineOf(source, node, block.lineOffset),
          rule: 'default-export',
          message: 'default export: use a named export',
        })
      }
    }
    if (!CONSOLE_ALLOWED_FILES.includes(file.path)) {
      for (const node of findConsoleLogs(source)) {
        violations.push({
          file: file.path,
          line: lineOf(source, node, block.lineOffset),
          rule: 'console-log',
          message: 'console.log in library code: use the scoped logger',
        })
      }
    }
  }

  if (isSvelte && !CONSOLE_ALLOWED_FILES.includes(file.path)) {
    const withoutComments = markup.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ' '))
    for (const line of linesMatching(withoutComments, /\bconsole\s*\.\s*log\b/)) {
      violations.push({ file: file.path, line, rule: 'console-log', message: 'console.log in a template' })
    }
  }
  for (const line of linesMatching(file.text, /\{\s*@html\b/)) {
    violations.push({
      file: file.path,
      line,
      rule: 'html-tag',
      message: '{@html} renders markup unescaped: member content must render as text',
    })
  }
  return violations.sort((a, b) => a.line - b.line)
}

export function checkSources(files: readonly LintSource[]): Violation[] {
  return files.flatMap(checkSource)
}
