// What a 413 costs (design §5): the delivery core against a LaunchDarkly stand-in that
// refuses large bodies. A batch LaunchDarkly takes in pieces of k events costs at most
// ⌈n/k⌉ + ⌈log2 n⌉ requests; every event is delivered once, in order, or fails alone.

import fc from 'fast-check'
import { deliver, Item } from '../delivery'

const TIMESTAMP = '2026-11-26T00:59:49.876Z'

/** n custom events whose JSON is `size` bytes longer for each unit of size(i). */
function items(n: number, size: (i: number) => number = () => 0): Item[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'custom',
    fields: {
      timestamp: TIMESTAMP,
      key: `metric-${String(i).padStart(4, '0')}${'x'.repeat(size(i))}`,
      contextKeys: { user: 'u' }
    },
    environment: undefined,
    messageId: `m-${i}`
  }))
}

interface StandIn {
  requests: number
  /** Keys of delivered events, in delivery order. */
  delivered: string[]
  post: Parameters<typeof deliver>[2]['post']
}

/** LaunchDarkly answering 413 when `refuses(body)`, 202 otherwise. */
function standIn(refuses: (events: unknown[], bytes: number) => boolean): StandIn {
  const state: StandIn = {
    requests: 0,
    delivered: [],
    post: async ({ body }) => {
      state.requests++
      const events = JSON.parse(body) as Array<{ key: string }>
      if (refuses(events, Buffer.byteLength(body))) return { status: 413, body: '' }
      state.delivered.push(...events.map((e) => e.key))
      return { status: 202, body: '' }
    }
  }
  return state
}

const bound = (n: number, k: number) => Math.ceil(n / k) + Math.ceil(Math.log2(n))
const settings = { clientSideId: 'client-side-id' }
const keys = (list: Item[]) => list.map((item) => item.fields.key)

test('every n ≤ 64 and every k: at most ⌈n/k⌉ + ⌈log2 n⌉ requests, each event delivered once, in order', async () => {
  for (let n = 1; n <= 64; n++) {
    for (let k = 1; k <= n; k++) {
      const batch = items(n)
      const ld = standIn((events) => events.length > k)
      const outcomes = await deliver(settings, batch, { post: ld.post, userAgent: 'test' })
      expect({ n, k, ok: outcomes.every((o) => o.ok), delivered: ld.delivered }).toEqual({
        n,
        k,
        ok: true,
        delivered: keys(batch)
      })
      expect({ n, k, requests: ld.requests }).toEqual({ n, k, requests: Math.min(ld.requests, bound(n, k)) })
    }
  }
})

/** The body LaunchDarkly receives for `batch` sent whole. */
async function bodyBytes(batch: Item[]): Promise<number> {
  let bytes = 0
  const post = async ({ body }: { body: string }) => {
    bytes = Buffer.byteLength(body)
    return { status: 202, body: '' }
  }
  await deliver(settings, batch, { post, userAgent: 'test' })
  return bytes
}

test.each([
  // n, k, the requests measured
  [100, 1, 107],
  [100, 5, 26],
  [100, 33, 9],
  [100, 99, 3],
  [400, 7, 66],
  [1000, 100, 18],
  [1000, 999, 3]
])('%i equal events, a byte limit that lets %i through: %i requests', async (n, k, measured) => {
  const batch = items(n)
  const limit = await bodyBytes(batch.slice(0, k))
  const ld = standIn((_events, bytes) => bytes > limit)
  const outcomes = await deliver(settings, batch, { post: ld.post, userAgent: 'test' })
  expect(outcomes.every((o) => o.ok)).toBe(true)
  expect(ld.delivered).toEqual(keys(batch))
  expect(ld.requests).toBeLessThanOrEqual(bound(n, k))
  expect(ld.requests).toBe(measured)
})

test('events of any sizes: each delivered once and in order, or refused alone exactly when its body alone is over the limit', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(400), { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 60, max: 6000 }),
      async (sizes, limit) => {
        const batch = items(sizes.length, (i) => sizes[i])
        const ld = standIn((_events, bytes) => bytes > limit)
        const outcomes = await deliver(settings, batch, { post: ld.post, userAgent: 'test' })
        const alone = batch.map((item) =>
          Buffer.byteLength(
            `[${JSON.stringify({
              kind: 'custom',
              creationDate: Date.parse(TIMESTAMP),
              key: item.fields.key,
              contextKeys: { user: 'u' }
            })}]`
          )
        )
        expect(outcomes.map((o) => o.ok)).toEqual(alone.map((bytes) => bytes <= limit))
        expect(ld.delivered).toEqual(keys(batch.filter((_, i) => alone[i] <= limit)))
        for (const outcome of outcomes)
          if (!outcome.ok) expect(outcome).toMatchObject({ reason: 'too-large', status: 413 })
      }
    ),
    { numRuns: 300 }
  )
})
