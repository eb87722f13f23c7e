// isJsonText lets the NDJSON reader skip JSON.parse on lines that would throw: it must say
// false exactly when JSON.parse throws a SyntaxError, or a good line would be rejected (or
// a broken one parsed).

import fc from 'fast-check'
import { isJsonText, readEnvelope } from '../../shared'

function parses(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    return false
  }
}

// Every character that matters to the grammar, and some that JSON.parse refuses.
const unit = fc.constantFrom(...'{}[]:,"\\/ \t\n\r0123456789-+.eEtruefalsnbuxA\u0000\u001f\u00a0\ufeff\ud800'.split(''))

test('agrees with JSON.parse on short texts of JSON characters', () => {
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 16 }), (text) => {
      expect(isJsonText(text)).toBe(parses(text))
    }),
    { numRuns: 20_000 }
  )
})

test('agrees with JSON.parse on JSON texts, and on the same texts with a few characters changed', () => {
  const json = fc
    .tuple(fc.jsonValue(), fc.boolean())
    .map(([value, pretty]) => JSON.stringify(value, null, pretty ? 1 : 0))
  fc.assert(
    fc.property(json, fc.nat(), fc.nat(3), fc.string({ unit, maxLength: 3 }), (text, at, cut, insert) => {
      expect(isJsonText(text)).toBe(true)
      const position = at % (text.length + 1)
      const changed = text.slice(0, position) + insert + text.slice(position + cut)
      expect(isJsonText(changed)).toBe(parses(changed))
    }),
    { numRuns: 8_000 }
  )
})

test.each([
  ['nesting 100,000 deep', '['.repeat(100_000) + ']'.repeat(100_000), true],
  ['a lone surrogate in a string', '"\ud800"', true],
  ['an escaped control character', '"\\u0000\\n"', true],
  ['a raw control character in a string', '"a\u0001b"', false],
  ['a byte-order mark before the value', '\ufeff{}', false],
  ['a no-break space after the value', '{}\u00a0', false],
  ['two values', '{} {}', false],
  ['a trailing comma', '[1,]', false],
  ['a leading zero', '01', false],
  ['an exponent without digits', '1e+', false],
  ['a key that is not a string', '{1:2}', false],
  ['an empty text', '', false]
])('%s', (_name, text, expected) => {
  expect(isJsonText(text)).toBe(expected)
  expect(parses(text)).toBe(expected)
})

test('NDJSON past 16 broken lines: each line still becomes exactly what JSON.parse makes of it', () => {
  const lines = [
    ...new Array(17).fill('{'),
    '{"kind":"custom","key":"a"}',
    '0',
    '{"kind":"custom","key":"b","data":[1,{"x":"\\u00e9"}]}',
    '{a}',
    '[1,2]',
    '{}'
  ]
  const envelope = readEnvelope(lines.join('\n'))
  expect(envelope.form === 'ndjson' && envelope.items.slice(17)).toEqual([
    { index: 17, event: { kind: 'custom', key: 'a' } },
    { index: 18, notAnEvent: 'is not a LaunchDarkly event or Data Export record: found a JSON number' },
    { index: 19, event: { kind: 'custom', key: 'b', data: [1, { x: 'é' }] } },
    { index: 20, notAnEvent: 'is not valid JSON' },
    { index: 21, notAnEvent: 'is not a LaunchDarkly event or Data Export record: found a JSON array' },
    { index: 22, notAnEvent: 'has no kind: found an empty object' }
  ])
})
