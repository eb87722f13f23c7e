// The documents the code leans on: the README's mapping table is the schema's, and every
// section of docs/design.md that a code comment cites exists.

import { readdirSync, readFileSync } from 'fs'
import { join, relative } from 'path'
import { README_PATH, withCurrentTable } from '../../scripts/readme-table'

const ROOT = join(__dirname, '..', '..')

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path)
    return /\.(ts|js)$/.test(entry.name) ? [path] : []
  })
}

const CODE = ['shared', 'sources', 'destinations', 'runtime', 'scripts', '__tests__'].flatMap((dir) =>
  files(join(ROOT, dir))
)

test('the README mapping table is generated from the schema (run `npm run readme-table`)', () => {
  const readme = readFileSync(README_PATH, 'utf8')
  expect(withCurrentTable(readme)).toBe(readme)
})

test('code cites design sections that exist, and no document the repository lacks', () => {
  const design = readFileSync(join(ROOT, 'docs', 'design.md'), 'utf8')
  const sections = new Set([...design.matchAll(/^#{2,3} (\d+(?:\.\d+)?)[. ]/gm)].map((m) => m[1]))
  const missing: string[] = []
  const foreign: string[] = []
  for (const file of CODE) {
    const text = readFileSync(file, 'utf8')
    const where = relative(ROOT, file)
    if (/\bSPEC\b/.test(text)) foreign.push(where)
    for (const cite of text.matchAll(/design §(\d+(?:\.\d+)?)(?:[–-](\d+(?:\.\d+)?))?/g)) {
      for (const section of [cite[1], cite[2]])
        if (section && !sections.has(section)) missing.push(`${where}: §${section}`)
    }
  }
  expect(foreign).toEqual([])
  expect(missing).toEqual([])
})
