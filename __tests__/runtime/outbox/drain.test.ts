// How fast a backlog leaves the outbox (docs/relay.md "The outboxes"): once a call Segment
// refuses is isolated and dead-lettered, batches are full size again; and a Segment that
// fails one batch in five costs little (a first failure is retried after 0.05–0.1 s), so
// the backlog drains within 3× the time it takes against a healthy Segment.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { SDK_FIXTURE_SETTINGS } from '../../fixtures/node-server-sdk-bulk.expected'
import { runtimeWith, standIn, TestRuntime, waitFor } from '../helpers'

jest.setTimeout(90_000)

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

const line = (n: number) =>
  JSON.stringify({
    type: 'track',
    event: 'custom',
    anonymousId: `anonymous-${n}`,
    properties: { key: 'purchase', contextKeys: { user: `user-${n}` }, environment: 'env-1', project: 'proj-1' },
    timestamp: '2026-01-01T00:00:00.000Z',
    messageId: `m-${n}`
  }) + '\n'

/** A data folder whose outbox holds `count` calls left by an earlier run, in segments of about 8 MiB. */
function backlog(count: number): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'ld-drain-'))
  dirs.push(dataDir)
  mkdirSync(join(dataDir, 'outbox'))
  let text = ''
  let seq = 0
  for (let n = 0; n < count; n++) {
    text += line(n)
    if (text.length > 8 * 1024 * 1024 || n === count - 1) {
      writeFileSync(join(dataDir, 'outbox', `0000000000001-${String(seq++).padStart(6, '0')}.ndjson`), text)
      text = ''
    }
  }
  return dataDir
}

interface Answered {
  ids: string[]
  status: number
  bytes: number
}

/**
 * Starts a relay on a backlog of `count` calls, Segment answering each batch with
 * `statusOf(ids, n)` after `latencyMs` (the network); resolves once every call that is
 * not refused is at Segment, with the time that took and what each request carried.
 */
async function drain(count: number, statusOf: (ids: string[], n: number) => number, latencyMs = 15) {
  const dataDir = backlog(count)
  const answered: Answered[] = []
  const delivered = new Set<string>()
  const api = await standIn((request) => {
    const ids = (JSON.parse(request.body) as { batch: Array<{ messageId: string }> }).batch.map((m) => m.messageId)
    const status = statusOf(ids, answered.length + 1)
    answered.push({ ids, status, bytes: Buffer.byteLength(request.body) })
    if (status === 200) ids.forEach((id) => delivered.add(id))
    return new Promise<{ status: number }>((resolve) => setTimeout(() => resolve({ status }), latencyMs))
  })
  let runtime: TestRuntime | undefined
  try {
    const started = Date.now()
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { segmentWriteKey: 'wk', segmentHost: api.url, dataDir })
    const refused = answered.filter((a) => a.status === 400 && a.ids.length === 1).length
    await waitFor(
      () => delivered.size + answered.filter((a) => a.status === 400 && a.ids.length === 1).length >= count,
      `the backlog at Segment (${delivered.size} of ${count}, ${refused} refused)`,
      80_000
    )
    return { ms: Date.now() - started, answered, delivered }
  } finally {
    await runtime?.close()
    await api.close()
  }
}

test('after a refused call is isolated and dead-lettered, the batches are full size again', async () => {
  const poison = 'm-150'
  const { answered, delivered } = await drain(20_000, (ids) => (ids.includes(poison) ? 400 : 200), 0)
  expect(delivered.size).toBe(19_999)
  expect(delivered.has(poison)).toBe(false)
  const isolated = answered.findIndex((a) => a.status === 400 && a.ids.length === 1)
  expect(answered[isolated].ids).toEqual([poison])
  // Halving to find it costs about log2(batch) requests: the other halves are sent as they are.
  expect(isolated).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(answered[0].ids.length)))
  const after = answered.slice(isolated + 1)
  // What remained of the first batch, then full batches (within one call of 500 KB) from the call right after it.
  const isFull = (a: Answered) => a.bytes > 500 * 1024 - 400
  const firstFull = after.findIndex(isFull)
  expect(after[firstFull]?.ids[0]).toBe(`m-${answered[0].ids.length}`)
  expect(after.slice(firstFull, -1).every(isFull)).toBe(true)
})

test('against a Segment that fails one batch in five, a backlog drains within 3× the time of a healthy one', async () => {
  const count = 60_000
  const healthy = await drain(count, () => 200)
  const flaky = await drain(count, (_, n) => (n % 5 === 0 ? 500 : 200))
  expect(healthy.delivered.size).toBe(count)
  expect(flaky.delivered.size).toBe(count)
  expect(flaky.answered.filter((a) => a.status === 500).length).toBeGreaterThanOrEqual(3)
  // Logged for the report: the two times and their ratio.
  console.log(`drain of ${count} calls: healthy ${healthy.ms} ms, one batch in five failing ${flaky.ms} ms`)
  expect(flaky.ms).toBeLessThanOrEqual(3 * healthy.ms)
})
