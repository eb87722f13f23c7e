// The core module stays pure, generic helpers stay generic, and everyone else comes in
// through the front door (shared/index.ts).

import { readdirSync, readFileSync } from 'fs'
import { join, relative } from 'path'

const ROOT = join(__dirname, '..', '..')
const SHARED = join(ROOT, 'shared')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const importsOf = (source: string): string[] =>
  [...source.matchAll(/(?:from|require\(|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1])

test('shared/ imports only its own modules: no Node I/O, no Segment or LaunchDarkly package', () => {
  for (const file of sourceFiles(SHARED)) {
    const source = readFileSync(file, 'utf8')
    const name = relative(SHARED, file)
    // lib/ holds generic helpers: they know nothing of the schema around them.
    const allowed = name.startsWith('lib/') ? /: \.\/[a-z0-9-]+$/ : /: \.\/(lib\/)?[a-z0-9-]+$/
    for (const spec of importsOf(source)) expect(`${name}: ${spec}`).toMatch(allowed)
    expect(source).not.toMatch(/\b(process|Buffer|fetch|globalThis|console)\b[.(]/)
  }
})

test('sources, destinations, runtime and scripts reach shared/ only through shared/index.ts', () => {
  const deep: string[] = []
  for (const folder of ['sources', 'segment-functions', 'destinations', 'runtime', 'scripts']) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (/(^|\/)shared\/./.test(spec) && !/(^|\/)shared\/index$/.test(spec))
          deep.push(`${relative(ROOT, file)}: ${spec}`)
      }
    }
  }
  expect(deep).toEqual([])
})
