// The way back to LaunchDarkly lives in schema-reverse.ts, keyed by property name, so that
// the deployed source function, which converts only LaunchDarkly → Segment, does not carry
// it (issue 14's bundle size).

import { readFileSync } from 'node:fs'
import { EXPORT_SCHEMA, isReadBack, reverseOf, SCHEMA_REVERSE } from '../../shared'
import { BUILT, ensureBuilt } from '../sources/launchdarkly/helpers'

test('every property has a rule back, or null when it exists only in the export', () => {
  expect(Object.keys(SCHEMA_REVERSE)).toEqual(EXPORT_SCHEMA.map((p) => p.name))
  expect(EXPORT_SCHEMA.filter(isReadBack).map((p) => [p.name, reverseOf(p).required])).toEqual([
    ['timestamp', false],
    ['key', true],
    ['contextKeys', true],
    ['version', false],
    ['value', false],
    ['flagVersion', false],
    ['variation', false],
    ['reasonKind', false],
    ['inExperiment', false],
    ['prereqOf', false],
    ['default', false],
    ['url', false],
    ['selector', false],
    ['metricValue', false],
    ['data', false]
  ])
})

test('none of it is in the built source function', async () => {
  await ensureBuilt()
  const code = readFileSync(BUILT, 'utf8')
  for (const text of ['timestamp must be an ISO-8601 date', 'MappingError', 'invalid_fields'])
    expect(code).not.toContain(text)
})
