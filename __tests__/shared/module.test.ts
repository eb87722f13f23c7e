// The core module stays pure, and the README's mapping table is the schema's.

import { readdirSync, readFileSync } from 'fs'
import { join } from 'path'
import { README_PATH, withCurrentTable } from '../../scripts/readme-table'

const SHARED = join(__dirname, '..', '..', 'shared')

test('shared/ imports only its own modules: no Node I/O, no Segment or LaunchDarkly package', () => {
  for (const file of readdirSync(SHARED).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(SHARED, file), 'utf8')
    const imports = [...source.matchAll(/(?:from|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1])
    for (const spec of imports) expect(`${file}: ${spec}`).toMatch(/: \.\/[a-z0-9-]+$/)
    expect(source).not.toMatch(/\b(process|Buffer|fetch|globalThis|console)\b[.(]/)
  }
})

test('the README mapping table is generated from the schema (run `npm run readme-table`)', () => {
  const readme = readFileSync(README_PATH, 'utf8')
  expect(withCurrentTable(readme)).toBe(readme)
})
