// What a 413 costs (design §5): the delivery core against a LaunchDarkly stand-in that
// refuses large bodies. A batch LaunchDarkly takes in pieces of k events costs at most
// ⌈n/k⌉ + ⌈log2 n⌉ requests; every event is delivered once, in order, or fails alone.

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
  const violations: string[] = []
  for (let n = 1; n <= 64; n++) {
    const batch = items(n)
    for (let k = 1; k <= n; k++) {
      const ld = standIn((events) => events.length > k)
      const outcomes = await deliver(settings, batch, { post: ld.post, userAgent: 'test' })
      if (!outcomes.every((o) => o.ok)) violations.push(`n=${n} k=${k}: not all delivered`)
      if (ld.delivered.join() !== keys(batch).join()) violations.push(`n=${n} k=${k}: delivered ${ld.delivered.join()}`)
      if (ld.requests > bound(n, k)) violations.push(`n=${n} k=${k}: ${ld.requests} requests, bound ${bound(n, k)}`)
    }
  }
  expect(violations).toEqual([])
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

/** A small deterministic generator: this folder's tests use no library action-destinations lacks. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

test('events of any sizes: each delivered once and in order, or refused alone exactly when its body alone is over the limit', async () => {
  for (let run = 1; run <= 300; run++) {
    const next = random(run)
    const sizes = Array.from({ length: 1 + Math.floor(next() * 120) }, () => Math.floor(next() * 400))
    const limit = 60 + Math.floor(next() * 6000)
    const batch = items(sizes.length, (i) => sizes[i])
    const ld = standIn((_events, bytes) => bytes > limit)
    const outcomes = await deliver(settings, batch, { post: ld.post, userAgent: 'test' })
    const alone = await Promise.all(batch.map((item) => bodyBytes([item])))
    expect({ run, ok: outcomes.map((o) => o.ok) }).toEqual({ run, ok: alone.map((bytes) => bytes <= limit) })
    expect(ld.delivered).toEqual(keys(batch.filter((_, i) => alone[i] <= limit)))
    for (const outcome of outcomes) if (!outcome.ok) expect(outcome).toMatchObject({ reason: 'too-large', status: 413 })
  }
})
