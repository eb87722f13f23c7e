// The way to Segment lives in schema-forward.ts, keyed by property name like the way back,
// so that the destination function, which converts only Segment → LaunchDarkly, does not
// carry it (issue 22's bundle sizes); its fields are read with plain property access.

import { readFileSync } from 'node:fs'
import { EXPORT_SCHEMA, SCHEMA_FORWARD } from '../../shared'
import type { PropertyName } from '../../shared'
import { BUILT, ensureBuilt } from '../destinations/launchdarkly-events-function/helpers'

test('every property has a rule on the way to Segment', () => {
  expect(Object.keys(SCHEMA_FORWARD)).toEqual(EXPORT_SCHEMA.map((p) => p.name))
})

test('a property read from the event has a field one or two parts deep, none a name objects inherit', () => {
  for (const { name, ld } of EXPORT_SCHEMA) {
    const rule = SCHEMA_FORWARD[name as PropertyName]
    const fromDelivery =
      typeof rule === 'string' && ['environment', 'project', 'schemaVersion', 'contextKeys'].includes(rule)
    if (ld === null) {
      expect({ name, rule, fromDelivery }).toEqual({ name, rule, fromDelivery: true })
      continue
    }
    const parts = ld.split('.')
    expect({ name, parts: parts.length <= 2 }).toEqual({ name, parts: true })
    for (const part of parts)
      expect({ name, part, inherited: part in Object.prototype }).toEqual({ name, part, inherited: false })
  }
})

test('none of it is in the built destination function', async () => {
  await ensureBuilt()
  const code = readFileSync(BUILT, 'utf8')
  for (const text of ['servedFallback', 'customData', 'creationDate must be epoch milliseconds', 'id must be a string'])
    expect(code).not.toContain(text)
})
