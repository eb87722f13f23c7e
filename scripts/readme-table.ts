// The README's mapping table, rendered from the schema declaration so it cannot drift:
// `npm run readme-table` writes it between the README's markers, and a test fails when
// the committed table differs.

import { readFileSync, writeFileSync } from 'fs'
import { join } from 'path'
import { EXPORT_KINDS, EXPORT_SCHEMA, isSentToLaunchDarkly, textOf } from '../shared'

export function schemaTableMarkdown(): string {
  const rows = EXPORT_SCHEMA.map((p) => {
    const kinds = p.kinds.length === EXPORT_KINDS.length ? 'all' : p.kinds.join(', ')
    const ld = p.ld === null ? '(delivery)' : '`' + p.ld + '`'
    const back = isSentToLaunchDarkly(p) ? 'yes' : 'no'
    return `| \`${p.segment}\` | ${ld} | ${kinds} | ${textOf(p).rule} | ${back} |`
  })
  return [
    '| Segment field | LaunchDarkly field | kinds | LaunchDarkly → Segment | sent Segment → LaunchDarkly |',
    '| --- | --- | --- | --- | --- |',
    ...rows
  ].join('\n')
}

export const README_PATH = join(__dirname, '..', 'README.md')
const START = '<!-- schema-table:start -->'
const END = '<!-- schema-table:end -->'

/** README text with the table between the markers replaced by the current one. */
export function withCurrentTable(readme: string): string {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`)
  return readme.slice(0, start + START.length) + '\n' + schemaTableMarkdown() + '\n' + readme.slice(end)
}

if (require.main === module) {
  writeFileSync(README_PATH, withCurrentTable(readFileSync(README_PATH, 'utf8')))
  console.log('README.md mapping table updated')
}
