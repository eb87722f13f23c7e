// Writes the schema mapping table into README.md between its markers (npm run readme-table).

import { readFileSync, writeFileSync } from 'fs'
import { join } from 'path'
import { schemaTableMarkdown } from '../shared/schema-table'

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
