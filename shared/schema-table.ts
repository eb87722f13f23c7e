// The README's mapping table, rendered from the schema declaration so it cannot drift.

import { EXPORT_KINDS } from './kinds'
import { EXPORT_SCHEMA, isSentToLaunchDarkly } from './schema'

export function schemaTableMarkdown(): string {
  const rows = EXPORT_SCHEMA.map((p) => {
    const kinds = p.kinds.length === EXPORT_KINDS.length ? 'all' : p.kinds.join(', ')
    const ld = p.ld === null ? '(delivery)' : '`' + p.ld + '`'
    const back = isSentToLaunchDarkly(p) ? 'yes' : 'no'
    return `| \`${p.segment}\` | ${ld} | ${kinds} | ${p.rule} | ${back} |`
  })
  return [
    '| Segment field | LaunchDarkly field | kinds | LaunchDarkly → Segment | sent Segment → LaunchDarkly |',
    '| --- | --- | --- | --- | --- |',
    ...rows
  ].join('\n')
}
