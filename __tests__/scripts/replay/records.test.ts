// Splitting inputs into records: whatever the chunking, the same records with the same
// line numbers and positions; over-long records rejected alone; a resumed split from a
// recorded position gives what an uninterrupted one gives after it.

import { detectForm, MAX_RECORD_BYTES, Piece, Position, splitter } from '../../../scripts/replay/records'
import type { Form } from '../../../scripts/replay/records'

const START: Position = { offset: 0, line: 0 }

function split(form: Form, text: string | Buffer, chunkBytes = 1 << 20, from = START): Piece[] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text)
  const s = splitter(form, from)
  const out: Piece[] = []
  for (let i = 0; i < bytes.length; i += chunkBytes) s.push(bytes.subarray(i, i + chunkBytes), out)
  s.finish(out)
  return out
}

const records = (pieces: Piece[]): Array<[number, string]> =>
  pieces.flatMap((p) => (p.type === 'record' ? [[p.line, p.text] as [number, string]] : []))

describe('detectForm', () => {
  it("is 'array' for a first '[' after blanks and a byte order mark, 'ndjson' otherwise, undefined while blank", () => {
    expect(detectForm(Buffer.from('\ufeff \n [1]'))).toBe('array')
    expect(detectForm(Buffer.from('{"kind":"x"}'))).toBe('ndjson')
    expect(detectForm(Buffer.from('garbage'))).toBe('ndjson')
    expect(detectForm(Buffer.from(' \r\n\t'))).toBeUndefined()
  })
})

describe('NDJSON lines', () => {
  const text = '\ufeff{"a":1}\r\n\n  \n{"b":"é"}\n{"c":3}'

  it('gives each non-blank line with its 1-based number, CR and byte order mark dropped, last line without a newline too', () => {
    expect(records(split('ndjson', text))).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":"é"}'],
      [5, '{"c":3}']
    ])
  })

  it('splits the same at every chunk size, multi-byte characters cut between chunks included', () => {
    const whole = split('ndjson', text)
    for (const size of [1, 2, 3, 7]) expect(split('ndjson', text, size)).toEqual(whole)
  })

  it('positions are byte offsets after each line, with the lines before them', () => {
    const pieces = split('ndjson', text)
    expect(pieces.map((p) => p.end)).toEqual([
      { offset: 12, line: 1 },
      { offset: 27, line: 4 },
      { offset: 34, line: 4 }
    ])
    // Resumed after the first line: the same records after it.
    expect(split('ndjson', Buffer.from(text).subarray(12), 5, { offset: 12, line: 1 })).toEqual(pieces.slice(1))
  })

  it('rejects a line over 32 KB alone, whatever the chunking, and goes on with the next', () => {
    const long = '{"x":"' + 'y'.repeat(MAX_RECORD_BYTES) + '"}'
    const justFits = '{"x":"' + 'y'.repeat(MAX_RECORD_BYTES - 8) + '"}'
    const input = `{"a":1}\n${long}\n${justFits}\n{"b":2}\n`
    for (const size of [1000, 1 << 20]) {
      const pieces = split('ndjson', input, size)
      expect(
        pieces.map((p) => [p.type, p.type === 'bad' ? p.reason : '', p.type === 'array-end' ? 0 : p.line])
      ).toEqual([
        ['record', '', 1],
        ['bad', 'line is longer than 32768 bytes', 2],
        ['record', '', 3],
        ['record', '', 4]
      ])
    }
  })

  it('counts bytes, not characters, against the limit', () => {
    const wide = '{"x":"' + 'é'.repeat(MAX_RECORD_BYTES / 2) + '"}'
    expect(split('ndjson', wide)).toEqual([
      {
        type: 'bad',
        line: 1,
        reason: 'line is longer than 32768 bytes',
        end: { offset: Buffer.byteLength(wide), line: 0 }
      }
    ])
  })
})

describe('JSON arrays', () => {
  const text = `[
  {"kind": "custom", "key": "a,b]", "data": {"list": [1, 2, {"s": "\\"]}"}]}},
  {"kind": "feature"}
]
[ ]
[{"kind":"click"}]`

  it('gives each element with the line it starts on, and the end of every array', () => {
    const pieces = split('array', text)
    expect(pieces.map((p) => (p.type === 'record' ? [p.line, p.text, p.element] : p.type))).toEqual([
      [2, '{"kind": "custom", "key": "a,b]", "data": {"list": [1, 2, {"s": "\\"]}"}]}}', true],
      [3, '{"kind": "feature"}', true],
      'array-end',
      'array-end',
      [6, '{"kind":"click"}', true],
      'array-end'
    ])
    for (const size of [1, 5]) expect(split('array', text, size)).toEqual(pieces)
  })

  it('a resumed split from the position after an element gives the rest unchanged', () => {
    const pieces = split('array', text)
    const after = pieces[0].end
    expect(after).toEqual({ offset: text.indexOf(',\n  {"kind": "feature"}'), line: 1, inArray: true })
    expect(split('array', Buffer.from(text).subarray(after.offset), 3, after)).toEqual(pieces.slice(1))
  })

  it('rejects an element over 32 KB alone', () => {
    const input = `[{"kind":"a"},{"kind":"b","pad":"${'z'.repeat(MAX_RECORD_BYTES)}"},{"kind":"c"}]`
    for (const size of [999, 1 << 20]) {
      const kinds = split('array', input, size).map((p) =>
        p.type === 'record' ? p.text : p.type === 'bad' ? p.reason : p.type
      )
      expect(kinds).toEqual(['{"kind":"a"}', 'element is longer than 32768 bytes', '{"kind":"c"}', 'array-end'])
    }
  })

  it('reports an array left open, and anything but an array between arrays, then stops', () => {
    expect(
      split('array', '[{"kind":"a"},\n{"kind":"b"').map((p) => (p.type === 'bad' ? [p.line, p.reason] : p.type))
    ).toEqual(['record', [2, 'the input ends inside a JSON array (no closing "]")']])
    expect(
      split('array', '[{"kind":"a"}]\n{"kind":"b"}\n[{"kind":"c"}]').map((p) =>
        p.type === 'bad' ? [p.line, p.reason] : p.type
      )
    ).toEqual(['record', 'array-end', [2, 'expected a JSON array, found "{"; the rest of the input is skipped']])
  })
})
