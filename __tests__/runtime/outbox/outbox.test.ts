// The outbox (docs/relay.md "What a 202 promises"): calls kept on disk until Segment's
// batch API answers 2xx, retried with backoff through an outage, refused ones moved to
// the dead-letter file, and new deliveries refused with 503 once it is full.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { SDK_FIXTURE_SETTINGS } from '../../fixtures/node-server-sdk-bulk.expected'
import { OutboxSink } from '../../../runtime/sinks'
import { bodyAt, Recorded, runtimeWith, standIn, TestRuntime, waitFor } from '../helpers'

jest.setTimeout(30_000)

const sent = (requests: Recorded[]) =>
  requests.flatMap((r) => (JSON.parse(r.body) as { batch: Array<Record<string, unknown>> }).batch)
const ids = (messages: Array<Record<string, unknown>>) => new Set(messages.map((m) => m.messageId as string))
const FAST = { retryBaseMs: 20, retryMaxMs: 100 }

let runtime: TestRuntime | undefined
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await runtime?.close()
  runtime = undefined
  for (const close of closers.splice(0)) await close()
})

async function segment(respond: (req: Recorded) => { status: number; body?: unknown }) {
  const s = await standIn(respond)
  closers.push(s.close)
  return s
}

const outboxOf = (relay: TestRuntime | undefined) => (relay?.sink as OutboxSink).outbox()

function post(body: string) {
  return fetch(`${runtime?.url ?? ''}/bulk`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
}

test('through an outage (500, then 200) every call arrives; the failure is logged once, not per retry', async () => {
  let up = false
  const api = await segment(() =>
    up ? { status: 200, body: { success: true } } : { status: 500, body: { error: 'down' } }
  )
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { segmentWriteKey: 'wk-1', segmentHost: api.url }, { outbox: FAST })
  for (let n = 0; n < 3; n++) expect((await post(bodyAt(n))).status).toBe(202)
  await waitFor(() => api.requests.length >= 5, 'retries')
  const health = await (await fetch(`${runtime.url}/healthz`)).json()
  expect(health).toMatchObject({ status: 'ok', outbox: { records: 45, segmentFailing: 'HTTP 500 {"error":"down"}' } })
  up = true
  const delivered = await waitFor(
    () => ids(sent(api.requests.filter((r) => r.path === '/v1/batch'))).size === 45 && api.requests,
    'delivery'
  )
  for (const request of delivered)
    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1/batch',
      headers: { authorization: 'Basic ' + Buffer.from('wk-1:').toString('base64'), 'content-type': 'application/json' }
    })
  expect(JSON.parse(delivered[0].body)).toEqual({ batch: expect.any(Array), sentAt: expect.stringMatching(/Z$/) })
  await waitFor(() => outboxOf(runtime).records === 0, 'an empty outbox')
  const failures = runtime.logs.filter((l) => l.startsWith('outbox: Segment batch failed'))
  expect(failures).toHaveLength(1)
  expect(failures[0]).toMatch(
    /^outbox: Segment batch failed \(HTTP 500 \{"error":"down"\}\); \d+ calls \(\d+ bytes\) kept on disk, retrying in \d+ ms$/
  )
  expect(runtime.logs.some((l) => /^outbox: Segment accepts batches again \(after \d+ failures\)$/.test(l))).toBe(true)
})

test('a call Segment refuses (400) goes alone to the dead-letter file with the reason; the others are delivered', async () => {
  const bad = 'ld-d5dfdb71cee77f70d8a1fad54355a558'
  const api = await segment((req) =>
    req.body.includes(bad) ? { status: 400, body: { error: 'bad message' } } : { status: 200, body: {} }
  )
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { segmentWriteKey: 'wk', segmentHost: api.url }, { outbox: FAST })
  expect((await post(bodyAt(0))).status).toBe(202)
  await waitFor(() => outboxOf(runtime).records === 0, 'an empty outbox')
  const accepted = api.requests.filter((r) => !r.body.includes(bad))
  expect(ids(sent(accepted)).size).toBe(14)
  const outbox = join(runtime.dataDir, 'outbox')
  const dead = readFileSync(join(outbox, 'dead-letter.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  expect(dead).toEqual([expect.objectContaining({ type: 'track', event: 'feature', messageId: bad })])
  const reasons = readFileSync(join(outbox, 'dead-letter-reasons.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  expect(reasons).toEqual([
    { time: expect.stringMatching(/Z$/), status: 400, reason: 'HTTP 400 {"error":"bad message"}', messageIds: [bad] }
  ])
  expect(runtime.logs.filter((l) => l.includes('refused a batch'))).toEqual([
    'outbox: Segment refused a batch of 1 calls for good (HTTP 400 {"error":"bad message"}); moved to dead-letter.ndjson in the outbox folder'
  ])
  // A counter, not a gauge: it only grows, and rate() over it survives a restart.
  const metrics = await (await fetch(`${runtime.url}/metrics`)).text()
  expect(metrics).toContain('\nld_segment_dead_letters_total 1\n')
  expect(metrics).toContain('\nld_segment_segment_batches_total{result="failed"} 1\n')
  expect(metrics).toMatch(/\nld_segment_segment_batches_total\{result="sent"\} [1-9]\d*\n/)
})

test('408 and 423 are retried, as Segment retries them: nothing is dead-lettered', async () => {
  const answers = [408, 423]
  const api = await segment(() => ({ status: answers.shift() ?? 200, body: {} }))
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { segmentWriteKey: 'wk', segmentHost: api.url }, { outbox: FAST })
  expect((await post(bodyAt(0))).status).toBe(202)
  await waitFor(() => outboxOf(runtime).records === 0, 'an empty outbox')
  expect(api.requests).toHaveLength(3)
  expect(ids(sent(api.requests.slice(2))).size).toBe(15)
  expect(outboxOf(runtime).deadLettered).toBe(0)
})

test('a refusal that echoes the write key keeps it out of the reason, the log and the dead-letter files', async () => {
  const key = 'wk-0123456789abcdef'
  const basic = Buffer.from(key + ':').toString('base64')
  const api = await segment((req) => ({
    status: 401,
    body: { error: `bad key ${key}`, authorization: req.headers.authorization }
  }))
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { segmentWriteKey: key, segmentHost: api.url }, { outbox: FAST })
  expect((await post(bodyAt(0))).status).toBe(202)
  await waitFor(() => outboxOf(runtime).deadLettered === 15, 'the dead letters')
  const outbox = join(runtime.dataDir, 'outbox')
  const reasons = readFileSync(join(outbox, 'dead-letter-reasons.ndjson'), 'utf8')
  expect(reasons).toContain('HTTP 401')
  for (const text of [reasons, runtime.logs.join('\n')]) {
    expect(text).not.toContain(key.slice(0, 8))
    expect(text).not.toContain(basic.slice(0, 8))
  }
})

test('past LD_OUTBOX_MAX_BYTES new deliveries get 503 with Retry-After, /healthz says why, /metrics counts it', async () => {
  const api = await segment(() => ({ status: 503 }))
  runtime = await runtimeWith(
    SDK_FIXTURE_SETTINGS,
    { segmentWriteKey: 'wk', segmentHost: api.url, outboxMaxBytes: 7_000 },
    { outbox: FAST }
  )
  const statuses: number[] = []
  for (let n = 0; n < 4; n++) statuses.push((await post(bodyAt(n))).status)
  expect(statuses).toEqual([202, 503, 503, 503])
  const refused = await post(bodyAt(9))
  expect([refused.status, refused.headers.get('retry-after'), (await refused.json()).error]).toEqual([
    503,
    '30',
    'OutboxFull'
  ])
  const { records, bytes } = outboxOf(runtime)
  expect(records).toBe(15)
  // The sender's first attempt may still be on its way under load: /healthz names Segment's answer once it came.
  await waitFor(() => outboxOf(runtime).failing !== undefined, "Segment's first answer")
  const health = await fetch(`${runtime.url}/healthz`)
  expect([health.status, await health.json()]).toEqual([
    503,
    {
      error: 'Unavailable',
      message: 'the outbox is at its limit (LD_OUTBOX_MAX_BYTES) while Segment does not accept batches',
      outbox: {
        records: 15,
        bytes,
        oldestAgeSeconds: 0,
        deadLettered: 0,
        segmentFailing: expect.stringMatching(/^HTTP 503/)
      }
    }
  ])
  // Not ready: the load balancer sends deliveries to a replica that can take them. Alive: no restart loop.
  const ready = await fetch(`${runtime.url}/readyz`)
  expect([ready.status, await ready.json()]).toEqual([
    503,
    {
      error: 'NotReady',
      message: 'the outbox is at its limit (LD_OUTBOX_MAX_BYTES) while Segment does not accept batches'
    }
  ])
  const live = await fetch(`${runtime.url}/livez`)
  expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }])
  const metrics = await (await fetch(`${runtime.url}/metrics`)).text()
  expect(metrics).toMatch(/\nld_segment_segment_batches_total\{result="retried"\} [1-9]\d*\n/)
  expect(metrics).toContain('ld_segment_segment_batches_total{result="sent"} 0\n')
  expect(metrics).toContain('ld_segment_outbox_max_bytes 7000\n')
  expect(metrics).toContain('ld_segment_outbox_records 15\n')
  expect(metrics).toContain(`ld_segment_outbox_bytes ${bytes}\n`)
  expect(metrics).toContain('ld_segment_deliveries_total{route="/bulk",status="503"} 4\n')
})

test('what a stopped relay left in the outbox is sent by the next one; then the outbox folder is empty', async () => {
  let up = false
  const api = await segment(() => ({ status: up ? 200 : 500 }))
  const dataDir = mkdtempSync(join(tmpdir(), 'ld-outbox-'))
  closers.push(async () => rmSync(dataDir, { recursive: true, force: true }))
  runtime = await runtimeWith(
    SDK_FIXTURE_SETTINGS,
    { segmentWriteKey: 'wk', segmentHost: api.url, dataDir },
    { outbox: FAST, flushOnCloseMs: 0 }
  )
  for (let n = 0; n < 2; n++) expect((await post(bodyAt(n))).status).toBe(202)
  // Closed during the outage: nothing is lost, the calls stay on disk.
  const first = runtime
  runtime = undefined
  await first.close()
  expect(first.logs).toContain(
    'outbox: 30 calls (' +
      outboxOf(first).bytes +
      ' bytes) not yet accepted by Segment stay on disk; they are sent on the next start'
  )
  up = true
  runtime = await runtimeWith(
    SDK_FIXTURE_SETTINGS,
    { segmentWriteKey: 'wk', segmentHost: api.url, dataDir },
    { outbox: FAST }
  )
  await waitFor(
    () => ids(sent(api.requests.filter((r) => r.body.startsWith('{"batch"')))).size === 30,
    'the calls left over'
  )
  await waitFor(() => outboxOf(runtime).records === 0, 'an empty outbox')
  expect(runtime.logs[0]).toMatch(/^outbox: 30 calls \(\d+ bytes\) from an earlier run are being sent$/)
  await runtime.close()
  runtime = undefined
  expect(
    existsSync(join(dataDir, 'outbox')) && readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.ndjson'))
  ).toEqual([])
})
