// Canonical JSON is written for speed, as UTF-8 bytes straight from the value
// (scripts/bench/codec.ts measures it): it must still be exactly the UTF-8 of what
// JSON.stringify writes for the same value with its keys sorted, including the escapes
// JSON.stringify makes for quotes, control characters and unpaired surrogates; and the
// prefix and suffix around it are their UTF-8 as they are (an unpaired surrogate as
// U+FFFD, as Node's crypto and TextEncoder encode it).

import fc from 'fast-check'
import { canonicalJsonBytes } from '../../shared'

const bytes = (value: unknown, prefix?: string, suffix?: string): Buffer =>
  Buffer.from(canonicalJsonBytes(value, prefix, suffix))

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

test('canonical JSON is the UTF-8 of native JSON of the key-sorted value', () => {
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
    fc.property(json, awkwardString, awkwardString, (value, prefix, suffix) => {
      expect(bytes(value)).toEqual(Buffer.from(reference(value), 'utf8'))
      expect(bytes(value, prefix, suffix)).toEqual(Buffer.from(prefix + reference(value) + suffix, 'utf8'))
    }),
    { numRuns: 2000 }
  )
})

test('non-finite numbers and -0 are written as JSON.stringify writes them', () => {
  expect(bytes({ a: NaN, b: Infinity, c: -Infinity, d: -0 }).toString()).toBe('{"a":null,"b":null,"c":null,"d":0}')
})

test('every code unit, alone and around a surrogate, is escaped and encoded as JSON.stringify and UTF-8 have it', () => {
  const wrong: string[] = []
  for (let c = 0; c < 0x10000; c++) {
    const unit = String.fromCharCode(c)
    for (const text of [unit, `a${unit}\ud83d`, `\ud83d${unit}`, `${unit}\ude00`]) {
      const expected = Buffer.from(text + `{${JSON.stringify(text)}:${JSON.stringify(text)}}` + text, 'utf8')
      if (!expected.equals(bytes({ [text]: text }, text, text))) wrong.push(JSON.stringify(text))
    }
  }
  expect(wrong).toEqual([])
})

test('a value larger than the reused buffer, then a small one', () => {
  const large = { text: 'é'.repeat(40_000), list: Array.from({ length: 1000 }, (_, i) => i) }
  expect(bytes(large).equals(Buffer.from(reference(large), 'utf8'))).toBe(true)
  expect(bytes({ b: 1, a: 2 }).toString()).toBe('{"a":2,"b":1}')
})
