// canonicalJson was rewritten for speed (scripts/bench/codec.ts measures it): it must still
// write exactly what JSON.stringify writes for the same value with its keys sorted,
// including the escapes JSON.stringify makes for quotes, control characters and
// unpaired surrogates.

import fc from 'fast-check'
import { canonicalJson } from '../../shared'

/**
 * The reference, built from native JSON.stringify per key and per leaf (a sorted copy
 * would not do: JSON.stringify writes integer-like keys first whatever the order).
 */
function reference(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : reference(v))).join(',') + ']'
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  const parts = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => JSON.stringify(k) + ':' + reference((value as Record<string, unknown>)[k]))
  return '{' + parts.join(',') + '}'
}

const awkwardString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '"',
    '\\',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u2028',
    '\ud800',
    '\udfff',
    '\ud83d\ude00',
    '__proto__',
    'constructor',
    '10',
    '2',
    '-0'
  )
)

test('canonicalJson equals native JSON of the key-sorted value', () => {
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.integer(),
      awkwardString,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(awkwardString, tie('value'), { maxKeys: 5 })
    )
  })).value
  fc.assert(
    fc.property(json, (value) => {
      expect(canonicalJson(value)).toBe(reference(value))
    }),
    { numRuns: 2000 }
  )
})

test('non-finite numbers and -0 are written as JSON.stringify writes them', () => {
  expect(canonicalJson({ a: NaN, b: Infinity, c: -Infinity, d: -0 })).toBe('{"a":null,"b":null,"c":null,"d":0}')
})
