// Docs that cannot drift: every repository path the README, docs/ or a code comment names
// exists, and every HTTP status the docs say the relay answers is one it can answer.

import { existsSync, readdirSync, readFileSync } from 'fs'
import { join, relative } from 'path'
import { ANSWER_STATUSES } from '../../runtime/http/responses'

const ROOT = join(__dirname, '..', '..')
const FOLDERS = ['shared', 'sources', 'segment-functions', 'destinations', 'runtime', 'scripts', 'deploy', 'docs', '__tests__', 'dist', '.ci']
const ROOT_FILES = /^(package\.json|package-lock\.json|README\.md|Dockerfile|\.dockerignore|jest\.config\.js|\.eslintrc\.js|tsconfig(\.[\w-]+)?\.json)$/

function files(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'cases' ? [] : files(path, pattern)
    return pattern.test(entry.name) ? [path] : []
  })
}

const DOCS = [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), /\.md$/)]
const CODE = ['shared', 'sources', 'segment-functions', 'destinations', 'runtime', 'scripts', '__tests__'].flatMap((dir) =>
  files(join(ROOT, dir), /\.(ts|js)$/)
)

/** A text that names a file or folder of this repository (not a pattern, not a route). */
function repositoryPath(text: string): string | undefined {
  const path = text.replace(/^\.\//, '').replace(/[#:].*$/, '')
  if (/[{}<>*…\s]/.test(path) || path === '') return undefined
  if (ROOT_FILES.test(path)) return path
  const top = path.split('/')[0]
  return FOLDERS.includes(top) && path.includes('/') ? path : undefined
}

test('every repository path in backticks in README.md and docs/*.md exists', () => {
  const missing: string[] = []
  for (const doc of DOCS) {
    const text = readFileSync(doc, 'utf8')
    for (const [, quoted] of text.matchAll(/`([^`\n]+)`/g)) {
      const path = repositoryPath(quoted)
      if (path && !existsSync(join(ROOT, path))) missing.push(`${relative(ROOT, doc)}: ${quoted}`)
    }
  }
  expect(missing).toEqual([])
})

test('every file a code comment names exists', () => {
  const missing: string[] = []
  for (const file of CODE) {
    const text = readFileSync(file, 'utf8')
    for (const [named] of text.matchAll(/(?<![\w./-])(?:shared|sources|segment-functions|destinations|runtime|scripts|docs|deploy)\/[\w./-]*\w\.(?:ts|md|js|json)\b/g))
      if (!existsSync(join(ROOT, named))) missing.push(`${relative(ROOT, file)}: ${named}`)
  }
  expect(missing).toEqual([])
})

/** The statuses a passage says the relay answers with. */
const statusesIn = (text: string): number[] =>
  [
    ...text.matchAll(
      /(?<![\d.,:/-])([1-5]\d\d)(?!\d|[.,:]\d|%|\s*(?:ms|s\b|KiB|MiB|KB|MB|bytes|µs|characters|levels|requests|calls))/g
    )
  ].map((m) => Number(m[1]))

/** The part of a document between a heading and the next heading of its level or above. */
function section(doc: string, heading: string): string {
  const text = readFileSync(join(ROOT, 'docs', doc), 'utf8')
  const start = text.indexOf(heading)
  if (start < 0) throw new Error(`${doc} has no heading ${heading}`)
  const level = /^#+/.exec(heading)?.[0] ?? '##'
  const next = text.slice(start + heading.length).search(new RegExp(`\\n#{1,${level.length}} `))
  return next < 0 ? text.slice(start) : text.slice(start, start + heading.length + next)
}

test('every status the docs say the relay answers with is one the code can answer', () => {
  const passages = {
    'relay.md Answers': section('relay.md', '## Answers'),
    'design.md §6': section('design.md', '## 6.'),
    'inspector.md': readFileSync(join(ROOT, 'docs', 'inspector.md'), 'utf8')
  }
  const unknown = Object.entries(passages).flatMap(([where, text]) =>
    statusesIn(text)
      .filter((status) => !(ANSWER_STATUSES as readonly number[]).includes(status))
      .map((status) => `${where}: ${status}`)
  )
  expect(unknown).toEqual([])
  // The Answers section lists them all.
  expect(new Set(statusesIn(passages['relay.md Answers']))).toEqual(new Set(ANSWER_STATUSES))
})
