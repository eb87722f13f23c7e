// The relay keeps the rule shared/ keeps: scripts/ (doctor, replay, deploy, bench) reach
// runtime/ through its one front door, runtime/index.ts, and the door opens onto modules
// that exist.

import { readdirSync, readFileSync } from 'fs'
import { join, relative } from 'path'
import * as front from '../../runtime'

const ROOT = join(__dirname, '..', '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const importsOf = (source: string): string[] =>
  [...source.matchAll(/(?:from|require\(|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1])

test('scripts/ reach runtime/ only through runtime/index.ts', () => {
  const deep: string[] = []
  for (const file of sourceFiles(join(ROOT, 'scripts')))
    for (const spec of importsOf(readFileSync(file, 'utf8')))
      if (/(^|\/)runtime\/./.test(spec) && !/(^|\/)runtime(\/index)?$/.test(spec))
        deep.push(`${relative(ROOT, file)}: ${spec}`)
  expect(deep).toEqual([])
})

test('everything runtime/index.ts offers is defined', () => {
  const missing = Object.entries(front)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name)
  expect(missing).toEqual([])
  expect(typeof front.startRuntime).toBe('function')
})
