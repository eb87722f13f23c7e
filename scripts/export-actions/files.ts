// The destination folder as it belongs in segmentio/action-destinations
// (packages/destination-actions/src/destinations/launchdarkly-events/): the folder itself,
// with the part of shared/ it reaches vendored as ./shared, its mapping.ts pointed there,
// its tests on that repository's helpers, and the metadata.json its generator writes.

import { readdirSync, readFileSync, statSync } from 'fs'
import { dirname, join, relative } from 'path'
import destination from '../../destinations/launchdarkly-events'
import { publicMetadataJson } from './metadata'
import {
  DESTINATION_DIR,
  GraphError,
  importsOf,
  MAPPING_FILE,
  ReExport,
  resolveImport,
  ROOT,
  SHARED_DIR,
  SHARED_SPECIFIER,
  sharedReach
} from './graph'

/** Where the folder goes in the monorepo, relative to its root. */
export const MONOREPO_FOLDER = 'packages/destination-actions/src/destinations/launchdarkly-events'

const HELPERS = join(DESTINATION_DIR, '__tests__', '__helpers__')
/**
 * Test helpers the monorepo has its own of: its test/setup-after-env.ts lets nock go after
 * each file, and its src/lib/test-data.ts is what the CLI's snapshot tests import.
 */
const LEFT_OUT = new Set([join(HELPERS, 'setup-after-env.ts'), join(HELPERS, 'test-data.ts')])
const TEST_DATA = join(HELPERS, 'test-data')
/** The monorepo's generateTestData, from the folder's root. */
const MONOREPO_TEST_DATA = '../../lib/test-data'

/** Path (relative to the exported folder) → contents. */
export type ExportedFiles = Map<string, string>

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? walk(path) : [path]
    })
}

/** An export list as Prettier writes it with the project's settings (print width 120, no semicolons). */
function exportLine(keyword: string, names: readonly string[], from: string): string {
  const line = `${keyword} { ${names.join(', ')} } from ${from}`
  return line.length <= 120 ? line : `${keyword} {\n${names.map((n) => `  ${n}`).join(',\n')}\n} from ${from}`
}

/** shared/'s front door as the exported folder has it: only the names mapping.ts re-exports. */
export function sharedIndex(names: readonly ReExport[]): string {
  const byFile = new Map<string, { values: string[]; types: string[] }>()
  for (const { name, file, typeOnly } of names) {
    const entry = byFile.get(file) ?? { values: [], types: [] }
    ;(typeOnly ? entry.types : entry.values).push(name)
    byFile.set(file, entry)
  }
  const lines = [...byFile.keys()].sort().flatMap((file) => {
    const entry = byFile.get(file) as { values: string[]; types: string[] }
    const from = `'./${relative(SHARED_DIR, file).replace(/\.ts$/, '')}'`
    return [
      ...(entry.values.length ? [exportLine('export', entry.values.sort(), from)] : []),
      ...(entry.types.length ? [exportLine('export type', entry.types.sort(), from)] : [])
    ]
  })
  const text = [
    '// The part of the core mapping module (shared/ of the LaunchDarkly ⇄ Segment bundle) that this',
    "// destination uses, vendored by that project's `npm run export:actions`: the files its",
    '// mapping.ts reaches, and this front door with only the names mapping.ts re-exports.',
    '',
    ...lines,
    ''
  ].join('\n')
  return text
}

/** One file of the destination folder as exported: its monorepo path and contents. */
function exported(file: string): [string, string] {
  const path = relative(DESTINATION_DIR, file)
  const text = readFileSync(file, 'utf8')
  if (file === MAPPING_FILE) return [path, text.split(`'${SHARED_SPECIFIER}'`).join("'./shared'")]
  if (!file.endsWith('.ts')) return [path, text]
  let out = text
  for (const specifier of importsOf(file)) {
    const target = resolveImport(file, specifier)
    if (target === `${TEST_DATA}.ts`) {
      const monorepo = relative(dirname(file), join(DESTINATION_DIR, MONOREPO_TEST_DATA))
      out = out.split(`'${specifier}'`).join(`'${monorepo}'`)
    } else if (!target.startsWith(DESTINATION_DIR + '/') || LEFT_OUT.has(target)) {
      throw new GraphError(`${relative(ROOT, file)} imports ${specifier}, which does not travel with the folder`)
    }
  }
  return [path, out]
}

export interface Export {
  readonly files: ExportedFiles
  /** The shared/ files copied (absolute paths), without the generated front door. */
  readonly shared: readonly string[]
}

/** Everything the folder holds in the monorepo. */
export function exportedFolder(): Export {
  const files: ExportedFiles = new Map()
  for (const file of walk(DESTINATION_DIR)) {
    if (LEFT_OUT.has(file)) continue
    const [path, text] = exported(file)
    files.set(path, text)
  }
  const reach = sharedReach()
  for (const file of reach.files) files.set(join('shared', relative(SHARED_DIR, file)), readFileSync(file, 'utf8'))
  files.set(join('shared', 'index.ts'), sharedIndex(reach.names))
  files.set('metadata.json', publicMetadataJson(destination))
  return { files, shared: reach.files }
}
