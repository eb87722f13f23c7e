// npm run export:actions (docs/destination.md, "Register it with Segment"): the folder as it
// belongs in segmentio/action-destinations. That it passes that repository's checks under
// its versions is .ci/run's step (.ci/actions-monorepo/check); this checks what the export
// writes, and that nothing it copies needs a newer toolchain than that repository's.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'fs'
import { tmpdir } from 'os'
import { dirname, join, resolve } from 'path'
import ts from 'typescript'
import destination from '../../destinations/launchdarkly-events'
import { exportTo } from '../../scripts/export-actions'
import { MONOREPO_FOLDER } from '../../scripts/export-actions/files'
import { importsOf } from '../../scripts/export-actions/graph'
import { publicMetadata } from '../../scripts/export-actions/metadata'
import { RegisterError, REGISTRY_FILE, withRegistration } from '../../scripts/export-actions/register'

let dir: string
let folder: string
let report: string[]
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'export-actions-'))
  folder = join(dir, MONOREPO_FOLDER)
  report = exportTo({ dir })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const read = (path: string) => readFileSync(join(folder, path), 'utf8')
const writtenFiles = () =>
  report
    .filter((line) => line.startsWith('  ') && !line.startsWith('   ') && !line.includes(' ', 2))
    .map((l) => l.trim())

test('the folder, with only the shared/ files its imports reach', () => {
  const shared = writtenFiles().filter((f) => f.startsWith('shared/'))
  expect(shared).toEqual([
    'shared/contexts.ts',
    'shared/conversions.ts',
    'shared/errors.ts',
    'shared/kinds.ts',
    'shared/lib/builtins.ts',
    'shared/lib/canonical-json.ts',
    'shared/lib/json.ts',
    'shared/lib/sha256.ts',
    'shared/lib/text.ts',
    'shared/lib/utf8.ts',
    'shared/message-id.ts',
    'shared/schema-reverse.ts',
    'shared/schema-text.ts',
    'shared/schema.ts',
    'shared/settlement.ts',
    'shared/to-launchdarkly.ts',
    'shared/index.ts'
  ])
  // The source function's half of shared/ stays home.
  for (const file of ['to-segment.ts', 'audit.ts', 'envelopes.ts', 'summary.ts', 'lib/base64.ts']) {
    expect(existsSync(join(folder, 'shared', file))).toBe(false)
  }
  expect(read('shared/schema.ts')).toBe(readFileSync(join(__dirname, '../../shared/schema.ts'), 'utf8'))
  expect(report).toContainEqual(expect.stringMatching(/^shared\/: 16 of the project's files \(\d+\.\d KB\)/))
})

test("the monorepo's own helpers replace ours; the per-action and destination snapshot tests are there", () => {
  const files = writtenFiles()
  expect(files).not.toContain('__tests__/__helpers__/setup-after-env.ts')
  expect(files).not.toContain('__tests__/__helpers__/test-data.ts')
  for (const action of Object.keys(destination.actions)) {
    expect(read(`${action}/__tests__/snapshot.test.ts`)).toContain(
      "import { generateTestData } from '../../../../lib/test-data'"
    )
    expect(files).toContain(`${action}/__tests__/__snapshots__/snapshot.test.ts.snap`)
  }
  expect(read('__tests__/snapshot.test.ts')).toContain("import { generateTestData } from '../../../lib/test-data'")
  expect(read('mapping.ts')).toContain("} from './shared'")
  expect(read('mapping.ts')).not.toContain('../../shared')
})

test('every relative import of the folder resolves inside it (but the monorepo lib)', () => {
  const outside: string[] = []
  for (const file of writtenFiles().filter((f) => f.endsWith('.ts'))) {
    for (const specifier of importsOf(join(folder, file))) {
      const target = resolve(dirname(join(folder, file)), specifier)
      const inside = [`${target}.ts`, join(target, 'index.ts')].some(existsSync)
      if (!inside && !specifier.endsWith('/lib/test-data')) outside.push(`${file}: ${specifier}`)
    }
  }
  expect(outside).toEqual([])
})

test("metadata.json is the definition's public metadata, as the monorepo's generator writes it", () => {
  const written = read('metadata.json')
  expect(written).toBe(JSON.stringify(publicMetadata(destination), null, 2) + '\n')
  const metadata = JSON.parse(written)
  expect(Object.keys(metadata)).toEqual([
    'slug',
    'name',
    'mode',
    'description',
    'authentication',
    'audienceConfig',
    'actions',
    'presets'
  ])
  expect(metadata).toMatchObject({ slug: 'actions-launchdarkly-events', name: 'LaunchDarkly Events', mode: 'cloud' })
  expect(metadata.authentication.fields.eventsBaseUrl).toEqual({
    label: 'Events base URL',
    description: destination.authentication?.fields.eventsBaseUrl.description,
    type: 'string',
    required: false,
    multiple: false,
    choices: null,
    default: 'https://events.launchdarkly.com',
    depends_on: null
  })
  expect(metadata.actions.sendAliasEvent).toMatchObject({
    title: 'Send Alias Events',
    platform: 'cloud',
    defaultSubscription: '(type = "identify" or type = "alias") and userId != null',
    hidden: false,
    hasPerformBatch: true,
    syncMode: null,
    hooks: null,
    dynamicFields: null
  })
  expect(metadata.actions.sendAliasEvent.fields.messageId).toMatchObject({ hidden: true, format: null, minimum: null })
  expect(metadata.presets.map((p: { name: string }) => p.name)).toEqual(destination.presets?.map((p) => p.name))
})

describe('the registration line', () => {
  const registry = [
    "register('60f64ae3eaebd66d17d28e9f', './1plusx')",
    "register('624dddd054ced46facfdb9c0', './launchdarkly')",
    '',
    'function register() {}'
  ].join('\n')

  test('added after the last one, with the ID Segment assigned; replaced when run again', () => {
    const once = withRegistration(registry, '0123456789abcdef01234567')
    expect(once.split('\n').slice(0, 3)).toEqual([
      "register('60f64ae3eaebd66d17d28e9f', './1plusx')",
      "register('624dddd054ced46facfdb9c0', './launchdarkly')",
      "register('0123456789abcdef01234567', './launchdarkly-events')"
    ])
    expect(withRegistration(once, 'fedcba9876543210fedcba98')).toBe(
      registry.replace(
        "launchdarkly')\n",
        "launchdarkly')\nregister('fedcba9876543210fedcba98', './launchdarkly-events')\n"
      )
    )
  })

  test('never with a made-up ID', () => {
    expect(() => withRegistration(registry, 'TODO')).toThrow(
      new RegisterError('--metadata-id must be the 24 hex digits Segment assigned, found "TODO"')
    )
  })

  test('written into a checkout given --metadata-id; only printed without one', () => {
    const checkout = mkdtempSync(join(tmpdir(), 'export-registry-'))
    try {
      mkdirSync(dirname(join(checkout, REGISTRY_FILE)), { recursive: true })
      writeFileSync(join(checkout, REGISTRY_FILE), registry)
      exportTo({ dir: checkout })
      expect(readFileSync(join(checkout, REGISTRY_FILE), 'utf8')).toBe(registry)
      const lines = exportTo({ dir: checkout, metadataId: '0123456789abcdef01234567' })
      expect(readFileSync(join(checkout, REGISTRY_FILE), 'utf8')).toContain(
        "register('0123456789abcdef01234567', './launchdarkly-events')"
      )
      expect(lines).toContain(
        `registered in ${REGISTRY_FILE}: register('0123456789abcdef01234567', './launchdarkly-events')`
      )
    } finally {
      rmSync(checkout, { recursive: true, force: true })
    }
  })
})

test('the report ends with the next commands for a pull request', () => {
  expect(report).toContainEqual(expect.stringContaining('./bin/run validate'))
  expect(report).toContainEqual(expect.stringContaining('yarn cloud jest src/destinations/launchdarkly-events'))
  expect(report).toContainEqual(expect.stringMatching(/^not registered: Segment assigns the metadata ID/))
})

/** Syntax and APIs that Prettier 2.4.1, TypeScript 5.5 with lib es2020 or Node 18.17 cannot take. */
const NEWER_API = new Set(['at', 'hasOwn', 'findLast', 'findLastIndex', 'replaceAll', 'toSorted', 'toReversed'])
function newerThanTheMonorepo(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    const where = `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
    if (ts.isSatisfiesExpression(node)) found.push(`${where} satisfies`)
    if (ts.isTypeParameterDeclaration(node) && node.modifiers?.length)
      found.push(`${where} const/in/out type parameter`)
    if (ts.isImportSpecifier(node) && node.isTypeOnly) found.push(`${where} inline type import`)
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      if (NEWER_API.has(node.expression.name.text)) found.push(`${where} .${node.expression.name.text}()`)
    }
    if (ts.isIdentifier(node) && node.text === 'structuredClone') found.push(`${where} structuredClone`)
    // Prettier 2.4 prints (typeof X)[number] without the parentheses, Prettier 2.8 with them.
    if (ts.isIndexedAccessTypeNode(node) && ts.isParenthesizedTypeNode(node.objectType)) {
      found.push(`${where} parenthesized indexed access type`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

test('nothing the export copies needs a newer toolchain than the monorepo has', () => {
  const found = writtenFiles()
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => newerThanTheMonorepo(f, read(f)))
  expect(found).toEqual([])
  // The check finds what it looks for.
  expect(
    newerThanTheMonorepo('x.ts', 'const a = [1].at(-1); type T = (typeof a)[number]; const b = {} satisfies object')
  ).toEqual(['x.ts:1 .at()', 'x.ts:1 parenthesized indexed access type', 'x.ts:1 satisfies'])
})
