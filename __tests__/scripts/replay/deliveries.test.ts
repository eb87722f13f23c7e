// Grouping records into deliveries: what decides the messageIds of events without an id.

import { MAX_BODY_BYTES } from '../../../shared'
import { Delivery, Grouper, Rejected } from '../../../scripts/replay/deliveries'
import type { Piece, Position } from '../../../scripts/replay/records'

function group(pieces: Piece[]): { deliveries: Delivery[]; rejected: Rejected[] } {
  const deliveries: Delivery[] = []
  const rejected: Rejected[] = []
  const grouper = new Grouper(
    { offset: 0, line: 0 },
    (d) => deliveries.push(d),
    (r) => rejected.push(r)
  )
  for (const piece of pieces) grouper.push(piece)
  grouper.flush()
  return { deliveries, rejected }
}

let offset = 0
function line(value: unknown, n: number, element = false): Piece {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  offset += text.length + 1
  const end: Position = element ? { offset, line: n, inArray: true } : { offset, line: n }
  return { type: 'record', text, line: n, element, end }
}

const event = (key: string): Record<string, unknown> => ({
  kind: 'custom',
  key,
  creationDate: 1,
  contextKeys: { user: 'u' }
})
const record = (key: string): Record<string, unknown> => ({ project: 'p', environment: 'e', event: event(key) })
const pubsub = { message: { data: Buffer.from(JSON.stringify(event('z'))).toString('base64') }, subscription: 's' }
const call = { type: 'track', event: 'feature', userId: 'u', properties: {}, timestamp: 't', messageId: 'ld-1' }

describe('Grouper', () => {
  it('packs consecutive events and records into one JSON array body; a Pub/Sub push or array line stays alone', () => {
    const { deliveries, rejected } = group([
      line(event('a'), 1),
      line(record('b'), 2),
      line(pubsub, 3),
      line([event('c')], 4),
      line(event('d'), 5)
    ])
    expect(rejected).toEqual([])
    expect(deliveries.map((d) => ('body' in d ? [JSON.parse(d.body), d.lines] : d))).toEqual([
      [
        [event('a'), record('b')],
        [1, 2]
      ],
      [pubsub, [3]],
      [[event('c')], [4]],
      [[event('d')], [5]]
    ])
    // Each delivery ends where its last record does: a resumed run starts there.
    expect(deliveries.map((d) => d.end.line)).toEqual([2, 3, 4, 5])
  })

  it('passes Segment calls through unchanged, and rejects those without a messageId', () => {
    const { deliveries, rejected } = group([
      line(call, 1),
      line({ ...call, messageId: undefined }, 2),
      line({ ...call, messageId: 'ld-2' }, 3)
    ])
    const { type, ...message } = call
    expect(deliveries).toEqual([
      {
        calls: [
          { type, message },
          { type, message: { ...message, messageId: 'ld-2' } }
        ],
        lines: [1, 3],
        end: expect.anything()
      }
    ])
    expect(rejected).toEqual([{ line: 2, reason: 'Segment call without a messageId: it could not be deduplicated' }])
  })

  it('rejects a line that is not JSON alone, with its number', () => {
    const { deliveries, rejected } = group([line(event('a'), 1), line('{"kind": nope', 2), line(event('b'), 3)])
    expect(rejected).toEqual([{ line: 2, reason: 'line is not valid JSON' }])
    expect(deliveries).toHaveLength(1)
    expect(deliveries[0].lines).toEqual([1, 3])
  })

  it('starts a new delivery before 512 KiB, so each body stays within what the function takes', () => {
    const pad = 'x'.repeat(30_000)
    const pieces = Array.from({ length: 40 }, (_, i) => line({ ...event(`k${i}`), pad }, i + 1))
    const { deliveries } = group(pieces)
    const sizes = deliveries.map((d) => ('body' in d ? Buffer.byteLength(d.body) : 0))
    expect(deliveries.length).toBe(3)
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_BODY_BYTES)
    expect(deliveries.flatMap((d) => d.lines)).toEqual(pieces.map((_, i) => i + 1))
  })

  it('ends a delivery at the end of each JSON array, so a captured body stays one delivery', () => {
    const arrayEnd: Piece = { type: 'array-end', end: { offset: 99, line: 2 } }
    const { deliveries } = group([
      line(event('a'), 1, true),
      line(event('b'), 1, true),
      arrayEnd,
      line(event('c'), 2, true),
      arrayEnd
    ])
    expect(deliveries.map((d) => d.lines)).toEqual([[1, 1], [2]])
    expect(deliveries[0].end).toEqual(arrayEnd.end)
  })
})
