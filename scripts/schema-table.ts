// The mapping table of docs/mapping.md, rendered from the schema declaration so it cannot
// drift: `npm run schema-table` writes it between the page's markers, and a test fails
// when the committed table differs.

import { readFileSync, writeFileSync } from 'fs'
import { join } from 'path'
import { EXPORT_KINDS, EXPORT_SCHEMA, isReadBack, textOf } from '../shared'

export function schemaTableMarkdown(): string {
  const rows = EXPORT_SCHEMA.map((p) => {
    const kinds = p.kinds.length === EXPORT_KINDS.length ? 'all' : p.kinds.join(', ')
    const ld = p.ld === null ? '(delivery)' : '`' + p.ld + '`'
    // A property read back without a LaunchDarkly field of its own is checked, not sent.
    const back = !isReadBack(p) ? 'no' : p.ld === null ? 'checked, not sent' : 'yes'
    return `| \`${p.segment}\` | ${ld} | ${kinds} | ${textOf(p).rule} | ${back} |`
  })
  return [
    '| Segment field | LaunchDarkly field | kinds | LaunchDarkly → Segment | sent Segment → LaunchDarkly |',
    '| --- | --- | --- | --- | --- |',
    ...rows
  ].join('\n')
}

export const MAPPING_PATH = join(__dirname, '..', 'docs', 'mapping.md')
const START = '<!-- schema-table:start -->'
const END = '<!-- schema-table:end -->'

/** The page's text with the table between the markers replaced by the current one. */
export function withCurrentTable(page: string): string {
  const start = page.indexOf(START)
  const end = page.indexOf(END)
  if (start < 0 || end < start) throw new Error(`docs/mapping.md lacks the ${START} … ${END} markers`)
  return page.slice(0, start + START.length) + '\n' + schemaTableMarkdown() + '\n' + page.slice(end)
}

if (require.main === module) {
  writeFileSync(MAPPING_PATH, withCurrentTable(readFileSync(MAPPING_PATH, 'utf8')))
  console.log('docs/mapping.md table updated')
}
