// What the destination shares with the rest of the project: the tables of its actions and
// presets in docs/destination.md.

import { readFileSync } from 'fs'
import { join } from 'path'
import destination from '../../destinations/launchdarkly-events'

const ROOT = join(__dirname, '..', '..')

test('docs/destination.md lists every action with every field it has, and every preset', () => {
  const readme = readFileSync(join(ROOT, 'docs', 'destination.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('<!-- section:destination -->'),
    readme.indexOf('<!-- /section:destination -->')
  )
  for (const [slug, action] of Object.entries(destination.actions)) {
    const row = section.split('\n').find((line) => line.startsWith(`| \`${slug}\` |`))
    expect(row).toBeDefined()
    const delivery = ['messageId', 'enable_batching', 'batch_size']
    for (const [name, field] of Object.entries(action.fields)) {
      if (delivery.includes(name)) continue
      expect(row).toContain(field.required ? `**\`${name}\`**` : `\`${name}\``)
    }
  }
  for (const preset of destination.presets ?? []) {
    if (preset.type === 'automatic')
      expect(section).toContain(`| ${preset.name} | \`${preset.subscribe}\` | \`${preset.partnerAction}\``)
  }
})
