// A corrupted outbox (docs/relay.md "The outboxes"): bytes that are not a whole record (NUL
// runs a crash leaves in blocks never written, garbage) are cut off, kept in the
// dead-letter file with the reason and never posted; every record after them is
// delivered; an empty batch is never posted; and an outbox that holds records without
// settling any is reported as stalled.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { SDK_FIXTURE_SETTINGS } from '../../fixtures/node-server-sdk-bulk.expected'
import { Recorded, runtimeWith, standIn, TestRuntime, waitFor } from '../helpers'

jest.setTimeout(30_000)

let runtime: TestRuntime | undefined
let dataDir: string
const closers: Array<() => Promise<void>> = []
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ld-corrupt-'))
})
afterEach(async () => {
  await runtime?.close()
  runtime = undefined
  for (const close of closers.splice(0)) await close()
  rmSync(dataDir, { recursive: true, force: true })
})

const call = (n: number) =>
  JSON.stringify({
    type: 'track',
    event: 'custom',
    anonymousId: `a-${n}`,
    properties: { key: 'k' },
    timestamp: '2026-01-01T00:00:00.000Z',
    messageId: `m-${n}`
  })
const calls = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => call(from + i) + '\n').join('')
const batches = (requests: Recorded[]) =>
  requests.map((r) => (JSON.parse(r.body) as { batch: Array<{ messageId: string }> }).batch)

async function segment() {
  const api = await standIn(() => ({ status: 200, body: { success: true } }))
  closers.push(api.close)
  return api
}

test('600 KB of NUL bytes and a garbage line among 150 calls: both dead-lettered with a reason, every call delivered once, no empty batch', async () => {
  const outbox = join(dataDir, 'outbox')
  mkdirSync(outbox)
  const nul = Buffer.alloc(600 * 1024)
  // NUL bytes glued to the first call (no newline between, as a torn block leaves them), then a garbage line.
  writeFileSync(join(outbox, '0000000000001-000000.ndjson'), Buffer.concat([nul, Buffer.from(calls(0, 100))]))
  writeFileSync(join(outbox, '0000000000002-000000.ndjson'), calls(100, 120) + 'garbage {"type":\n' + calls(120, 150))
  const api = await segment()
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { segmentWriteKey: 'wk', segmentHost: api.url, dataDir })
  const sent = () => batches(api.requests).flat()
  await waitFor(() => sent().length >= 150, 'the 150 calls', 15_000)
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(batches(api.requests).filter((batch) => batch.length === 0)).toEqual([])
  expect(sent().map((m) => m.messageId)).toEqual(Array.from({ length: 150 }, (_, n) => `m-${n}`))

  const dead = readFileSync(join(outbox, 'dead-letter.ndjson'))
  expect(dead).toEqual(Buffer.concat([nul, Buffer.from('\ngarbage {"type":\n')]))
  const reasons = readFileSync(join(outbox, 'dead-letter-reasons.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(reasons).toEqual([
    {
      time: expect.stringMatching(/Z$/),
      reason:
        'not a record: 614400 NUL bytes (what a crash can leave in blocks never written) at byte 0 of 0000000000001-000000.ndjson'
    },
    {
      time: expect.stringMatching(/Z$/),
      reason: `not a record: 16 bytes that are not a whole record at byte ${
        calls(100, 120).length
      } of 0000000000002-000000.ndjson`
    }
  ])
  const health = await (await fetch(`${runtime.url}/healthz`)).json()
  expect(health).toMatchObject({ status: 'ok', outbox: { records: 0, corrupt: 2, deadLettered: 0 } })
  expect(runtime.logs.filter((l) => l.includes('not a record'))).toEqual([
    'outbox: not a record: 614400 NUL bytes (what a crash can leave in blocks never written) at byte 0 of 0000000000001-000000.ndjson; moved to dead-letter.ndjson in the outbox folder, and what follows is sent'
  ])
})

test('a line longer than any record (over the read window) is cut at its newline, not posted as an empty batch', async () => {
  const outbox = join(dataDir, 'outbox')
  mkdirSync(outbox)
  const long = `{"type":"track","pad":"${'x'.repeat(600 * 1024)}"}\n`
  writeFileSync(join(outbox, '0000000000001-000000.ndjson'), long + calls(0, 10))
  const api = await segment()
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { segmentWriteKey: 'wk', segmentHost: api.url, dataDir })
  await waitFor(() => batches(api.requests).flat().length >= 10, 'the 10 calls')
  expect(batches(api.requests).map((batch) => batch.length)).toEqual([10])
  expect(readFileSync(join(outbox, 'dead-letter.ndjson'), 'utf8')).toBe(long)
})

test('/healthz says stalled, with the oldest record’s age, when the outbox has settled nothing for LD_OUTBOX_STALLED_SECONDS', async () => {
  const api = await standIn(() => ({ status: 503 }))
  closers.push(api.close)
  runtime = await runtimeWith(
    SDK_FIXTURE_SETTINGS,
    { segmentWriteKey: 'wk', segmentHost: api.url, dataDir, outboxStalledSeconds: 1 },
    { outbox: { retryBaseMs: 20, retryMaxMs: 50 } }
  )
  const post = await fetch(`${runtime.url}/bulk`, {
    method: 'POST',
    body: JSON.stringify([{ kind: 'custom', key: 'k', creationDate: 1, context: { kind: 'user', key: 'u' } }]),
    headers: { 'Content-Type': 'application/json' }
  })
  expect(post.status).toBe(202)
  expect((await (await fetch(`${runtime.url}/healthz`)).json()).status).toBe('ok')
  await new Promise((resolve) => setTimeout(resolve, 1300))
  const health = await fetch(`${runtime.url}/healthz`)
  const body = await health.json()
  expect([health.status, body]).toEqual([
    503,
    {
      error: 'Unavailable',
      status: 'stalled',
      message: expect.stringMatching(
        /^the outbox has settled nothing for 1 s; it holds 1 calls, the oldest 1 s old \(last failure: HTTP 503\)$/
      ),
      outbox: expect.objectContaining({ records: 1, failing: 'HTTP 503', stalledSeconds: 1 })
    }
  ])
})
