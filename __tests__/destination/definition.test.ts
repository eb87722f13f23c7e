// What the destination shares with the rest of the project: the package it names in its
// User-Agent, and the README's tables of its actions and presets.

import { readFileSync } from 'fs'
import { join } from 'path'
import destination from '../../destinations/launchdarkly-events'
import { PACKAGE_NAME, PACKAGE_VERSION, USER_AGENT } from '../../destinations/launchdarkly-events/version'

const ROOT = join(__dirname, '..', '..')

test('the User-Agent constant matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string }
  expect([PACKAGE_NAME, PACKAGE_VERSION]).toEqual([pkg.name, pkg.version])
  expect(USER_AGENT).toBe(`${pkg.name}/${pkg.version}`)
})

test('the README lists every action with every field it has', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('<!-- section:destination -->'),
    readme.indexOf('<!-- /section:destination -->')
  )
  for (const [slug, action] of Object.entries(destination.actions)) {
    const row = section.split('\n').find((line) => line.startsWith(`| \`${slug}\` |`))
    expect(row).toBeDefined()
    const delivery = ['environment', 'messageId', 'enable_batching', 'batch_size']
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
