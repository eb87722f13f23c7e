// What people read about the schema (labels, descriptions, README rules) lives in
// schema-text.ts, keyed by property name, so that the deployed source function, which
// converts by the schema but never shows it, does not carry it.

import { readFileSync } from 'node:fs'
import { EXPORT_SCHEMA, SCHEMA_TEXT, textOf } from '../../shared'
import { BUILT, ensureBuilt } from '../sources/launchdarkly/helpers'

test('every property has a label, a description and a rule; there is no text for anything else', () => {
  expect(Object.keys(SCHEMA_TEXT)).toEqual(EXPORT_SCHEMA.map((p) => p.name))
  for (const property of EXPORT_SCHEMA) {
    const { label, description, rule } = textOf(property)
    expect([label.length > 0, description.length > 20, rule.length > 2]).toEqual([true, true, true])
  }
})

test('none of that text is in the built source function', async () => {
  await ensureBuilt()
  const code = readFileSync(BUILT, 'utf8')
  // The build writes non-ASCII characters as \u escapes: compare the ASCII stretches.
  const pieces = Object.values(SCHEMA_TEXT).flatMap(({ label, description, rule }) =>
    [label, description, rule].flatMap((text) => text.split(/[^\x20-\x7e]+/)).filter((piece) => piece.length >= 24)
  )
  expect(pieces.length).toBeGreaterThan(20)
  expect(pieces.filter((piece) => code.includes(piece))).toEqual([])
})
