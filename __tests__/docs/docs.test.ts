// The documents the code leans on: the mapping table is the schema's, every section of
// docs/design.md that a code comment cites exists, and the README keeps to a newcomer's guide.

import { existsSync, readdirSync, readFileSync } from 'fs'
import { join, relative } from 'path'
import { SETTINGS as DESTINATION_FUNCTION_SETTINGS } from '../../destinations/launchdarkly-events-function/settings'
import { variableOf } from '../../runtime/config/variables'
import { MAPPING_PATH, withCurrentTable } from '../../scripts/schema-table'
import { SETTINGS as SOURCE_SETTINGS } from '../../sources/launchdarkly/settings'

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

test('the mapping table of docs/mapping.md is generated from the schema (run `npm run schema-table`)', () => {
  const page = readFileSync(MAPPING_PATH, 'utf8')
  expect(withCurrentTable(page)).toBe(page)
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

describe('README.md, a newcomer guide', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

  test('stays short, in the order a newcomer needs it', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(16 * 1024)
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])
    expect(headings.slice(0, 5)).toEqual([
      'Install into Segment',
      'Configure',
      'Try it locally',
      'Troubleshooting',
      'More'
    ])
  })

  test('its Configure table names every setting of both functions with its variable', () => {
    const section = readme.slice(readme.indexOf('## Configure'), readme.indexOf('## Try it locally'))
    for (const { name } of [...SOURCE_SETTINGS, ...DESTINATION_FUNCTION_SETTINGS]) {
      expect(section).toContain(`| \`${name}\` | \`${variableOf(name)}\` |`)
    }
  })

  test('the quick start is two commands, each alone in its block so that each can be copied and run', () => {
    const section = readme.slice(readme.indexOf('## Try it locally'), readme.indexOf('## Troubleshooting'))
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim())
    expect(blocks.slice(0, 2)).toEqual(['npm ci', 'LD_PROJECT_ID=my-project LD_ENVIRONMENT_ID=my-env npm start'])
  })

  test('links only to files that exist', () => {
    const targets = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^https?:/.test(t))
    expect(targets.filter((target) => !existsSync(join(ROOT, target)))).toEqual([])
  })
})
