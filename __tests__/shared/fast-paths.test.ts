// The conversion's shortcuts (docs/performance.md) must give exactly what the plain ways
// give: the size bound never lets an oversize message through, the per-second timestamp
// memo writes what Date writes, repeats of an event get the ids they always got, and every
// SHA-256 the runtime may offer agrees.

import * as crypto from 'node:crypto'
import fc from 'fast-check'
import {
  convertDelivery,
  jsonSurelyWithin,
  MessageIds,
  readDelivery,
  sha256From,
  sha256Hex,
  utf8Length
} from '../../shared'

const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1', includeCustomData: true }
const run = (events: unknown[]) => convertDelivery(readDelivery(JSON.stringify(events), SETTINGS))
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

describe('jsonSurelyWithin', () => {
  const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '\u0001', 'é', '€', '😀', '\ud800') })
  const value = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      text,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(text, tie('value'), { maxKeys: 5 })
    )
  })).value

  test('says yes only when JSON.stringify writes at most that many UTF-8 bytes', () => {
    fc.assert(
      fc.property(value, fc.nat(400), (v, limit) => {
        if (jsonSurelyWithin(v, limit)) expect(bytes(JSON.stringify(v))).toBeLessThanOrEqual(limit)
      }),
      { numRuns: 5000 }
    )
  })

  test('says yes for a usual message, and leaves what it cannot bound to the exact count', () => {
    expect(jsonSurelyWithin({ event: 'feature', properties: { key: 'k', value: [1, 'two', null] } }, 32768)).toBe(true)
    expect(jsonSurelyWithin({ toJSON: () => 'x'.repeat(100) }, 32768)).toBe(false)
    let deep: unknown = 1
    for (let i = 0; i < 20; i++) deep = [deep]
    expect(jsonSurelyWithin(deep, 32768)).toBe(false)
  })
})

describe("Segment's 32 KB check", () => {
  /** A custom event whose Segment message is `size` bytes of JSON. */
  function ofMessageSize(size: number): object {
    const event = (pad: number) => ({
      kind: 'custom',
      key: 'sized',
      creationDate: 1700000000000,
      contextKeys: { user: 'u' },
      data: 'x'.repeat(pad)
    })
    const overhead = bytes(JSON.stringify(run([event(0)]).calls[0].message))
    return event(size - overhead)
  }

  test('a message of exactly 32,768 bytes goes out; one byte more is rejected with its size', () => {
    expect(bytes(JSON.stringify(run([ofMessageSize(32768)]).calls[0].message))).toBe(32768)
    const { calls, summary } = run([{ kind: 'custom', key: 'ok', creationDate: 1, userKey: 'u' }, ofMessageSize(32769)])
    expect(calls).toHaveLength(1)
    expect(summary.rejected).toEqual([
      { index: 1, reason: "the Segment message would be 32769 bytes, over Segment's limit of 32768 bytes (32 KB)" }
    ])
  })
})

describe('creationDate', () => {
  const event = (creationDate: unknown) => ({ kind: 'custom', key: 'k', creationDate, contextKeys: { user: 'u' } })
  const expected = (ms: number) => {
    const date = new Date(ms)
    return Number.isNaN(date.getTime()) ? 'rejected' : date.toISOString()
  }

  test('is written as Date writes it, after neighbours in the same second or not', () => {
    const ms = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.constantFrom(8.64e15, -8.64e15, 8.64e15 - 999, -8.64e15 + 1, 0, -1, 999, 1000, -1000),
      fc.double({ min: -1e16, max: 1e16, noNaN: true })
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(ms, fc.integer({ min: -2, max: 2 })), { maxLength: 6 }), (pairs) => {
        const dates = pairs.flatMap(([a, d]) => [a, a + d])
        const { calls, summary } = run([...dates.map(event), event(1)])
        const rejected = new Set(summary.rejected.map((r) => r.index))
        const written: string[] = [...dates, 1].map((_, i) => (rejected.has(i) ? 'rejected' : ''))
        let next = 0
        for (let i = 0; i < written.length; i++) if (!written[i]) written[i] = calls[next++].message.timestamp
        expect(written).toEqual([...dates, 1].map(expected))
      }),
      { numRuns: 2000 }
    )
  })

  test('the end of the Date range, reached from within its last second', () => {
    const { calls, summary } = run([event(8.64e15 - 1), event(8.64e15), event(8.64e15 + 1)])
    expect(calls.map((c) => c.message.timestamp)).toEqual([
      '+275760-09-12T23:59:59.999Z',
      '+275760-09-13T00:00:00.000Z'
    ])
    expect(summary.rejected).toEqual([{ index: 2, reason: 'creationDate must be epoch milliseconds, found number' }])
  })
})

describe('message ids', () => {
  const nodeSha = (data: string | Uint8Array) => crypto.createHash('sha256').update(data).digest('hex')
  const id = (text: string) => 'ld-' + nodeSha(text).slice(0, 32)

  test('repeats of an identical event, interleaved with others, count from 0 each', () => {
    const a = { kind: 'custom', key: 'a' }
    const b = { key: 'b', kind: 'custom' }
    const ids = new MessageIds(nodeSha)
    const got = [a, b, { key: 'a', kind: 'custom' }, a, b].map((event) => ids.forEvent('env', event, undefined))
    expect(got).toEqual([
      id('env|{"key":"a","kind":"custom"}|0'),
      id('env|{"key":"b","kind":"custom"}|0'),
      id('env|{"key":"a","kind":"custom"}|1'),
      id('env|{"key":"a","kind":"custom"}|2'),
      id('env|{"key":"b","kind":"custom"}|1')
    ])
  })

  test("sha256From uses the runtime's one-shot hash, else createHash, else nothing (shared/ then uses its own)", () => {
    const texts = ['', 'abc', 'é😀', 'x'.repeat(1000)]
    const oneShot = sha256From({
      hash: crypto.hash,
      createHash: () => {
        throw new Error('createHash used')
      }
    })
    const streaming = sha256From({ createHash: crypto.createHash })
    for (const text of texts) {
      expect(oneShot?.(text)).toBe(nodeSha(text))
      expect(streaming?.(text)).toBe(nodeSha(text))
      expect(sha256Hex(text)).toBe(nodeSha(text))
    }
    expect(sha256From({})).toBeUndefined()
    expect(sha256From(undefined)).toBeUndefined()
  })
})

describe('UTF-8, as Node encodes it (a lone surrogate as U+FFFD)', () => {
  const units = fc.constantFrom(
    'a',
    '\u007f',
    '\u0080',
    'é',
    '\u07ff',
    '\u0800',
    '€',
    '\uffff',
    '😀',
    '\ud800',
    '\udbff',
    '\udc00',
    '\udfff'
  )
  const text = fc.array(units, { maxLength: 40 }).map((parts) => parts.join(''))

  test('utf8Length counts the bytes Node writes, and sha256Hex hashes them', () => {
    const nodeSha = (t: string) => crypto.createHash('sha256').update(t, 'utf8').digest('hex')
    fc.assert(
      fc.property(text, (t) => {
        expect(utf8Length(t)).toBe(bytes(t))
        expect(sha256Hex(t)).toBe(nodeSha(t))
      }),
      { numRuns: 3000 }
    )
  })
})
