// Forwarding to LaunchDarkly (docs/relay.md "Forwarding to LaunchDarkly"): only what the
// relay accepted, nothing inflated or kept for a request it refused; kept on disk in an
// outbox of its own, readable by the relay's user alone, until LaunchDarkly answers 2xx;
// retried on 5xx, 408, 429 and network errors, dead-lettered on other 4xx without the
// key; the same payload id on every retry; 503 with Retry-After when the outbox is full.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs'
import { createServer } from 'net'
import { tmpdir } from 'os'
import { join } from 'path'
import { gzipSync } from 'zlib'
import { SDK_FIXTURE_SETTINGS } from '../fixtures/node-server-sdk-bulk.expected'
import { payloadIdFor } from '../../shared'
import { bodyAt, Recorded, runtimeWith, standIn, TestRuntime, waitFor } from './helpers'

jest.setTimeout(30_000)

const SDK_KEY = 'sdk-0123abcd-4567-89ef-0123-456789abcdef'
const FAST = { retryBaseMs: 20, retryMaxMs: 100 }

let runtime: TestRuntime | undefined
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await runtime?.close()
  runtime = undefined
  for (const close of closers.splice(0)) await close()
})

async function launchDarkly(respond: (request: Recorded, n: number) => number = () => 202) {
  let n = 0
  const ld = await standIn((request) => ({ status: respond(request, ++n) }))
  closers.push(ld.close)
  return ld
}

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${runtime?.url ?? ''}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
    headers: { 'Content-Type': 'application/json', Authorization: SDK_KEY, ...headers }
  })
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300))
const forwardFolder = () => join(runtime?.dataDir ?? '', 'forward')

test('only a request the relay answered 2xx is forwarded: not one it rejected, refused as too large or did not authenticate', async () => {
  const ld = await launchDarkly()
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { forwardEventsTo: ld.url, ingestTokens: [SDK_KEY] })
  expect((await post('/bulk', bodyAt(0))).status).toBe(202)
  // Every event rejected: 400.
  expect((await post('/bulk', '[{"kind":"custom"}]')).status).toBe(400)
  // Over the function's 512 KiB, plain and as a gzip bomb on the keyless client-side route.
  expect((await post('/bulk', JSON.stringify([{ kind: 'custom', pad: 'x'.repeat(600_000) }]))).status).toBe(400)
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20))
  expect(bomb.length).toBeLessThan(10 * 1024)
  const refused = await post('/events/bulk/any-id', bomb, { 'Content-Encoding': 'gzip', Authorization: '' })
  expect([refused.status, await refused.json()]).toEqual([
    413,
    {
      error: 'PayloadTooLarge',
      message: 'Expected a body of at most 524288 bytes; found gzip data inflating past 524288 bytes'
    }
  ])
  expect((await post('/bulk', bodyAt(1), { Authorization: 'sdk-not-listed' })).status).toBe(401)
  await waitFor(() => ld.requests.length >= 1, 'the forward')
  await settle()
  expect(ld.requests.map((r) => r.body)).toEqual([bodyAt(0)])
})

test('kept on disk through a LaunchDarkly outage and a restart; retried on 5xx, 408, 429, refused connections; delivered with the same payload id', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ld-forward-'))
  closers.push(async () => rmSync(dataDir, { recursive: true, force: true }))
  // A port nothing listens on: every forward meets a refused connection.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as { port: number }).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const down = `http://127.0.0.1:${port}`
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { forwardEventsTo: down, dataDir }, { outbox: FAST })
  for (let n = 0; n < 3; n++)
    expect((await post('/bulk', bodyAt(n), { 'X-LaunchDarkly-Payload-ID': `payload-${n}` })).status).toBe(202)
  // Without the SDK's payload id, one made from the request: the same on every retry.
  expect((await post('/mobile', bodyAt(3))).status).toBe(202)
  await waitFor(
    () => runtime?.logs.some((l) => l.startsWith('forward: LaunchDarkly request failed (ECONNREFUSED)')),
    'the failure'
  )
  const health = await (await fetch(`${runtime.url}/healthz`)).json()
  expect(health).toMatchObject({ status: 'ok', forward: { records: 4, failing: 'ECONNREFUSED' } })
  const metrics = await (await fetch(`${runtime.url}/metrics`)).text()
  expect(metrics).toContain('ld_segment_forward_outbox_records 4\n')
  expect(metrics).toMatch(/\nld_segment_forwards_total\{result="retried"\} [1-9]\d*\n/)
  const first = runtime
  runtime = undefined
  await first.close()
  expect(first.logs).toContainEqual(
    expect.stringMatching(/^forward: 4 SDK requests \(\d+ bytes\) not yet accepted by LaunchDarkly stay on disk/)
  )

  // LaunchDarkly is back, and flaky.
  const statuses = [500, 408, 429, 503]
  const answered: Array<{ id: string; body: string; status: number }> = []
  const ld = await launchDarkly((request) => {
    const status = statuses.shift() ?? 202
    answered.push({ id: String(request.headers['x-launchdarkly-payload-id']), body: request.body, status })
    return status
  })
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { forwardEventsTo: ld.url, dataDir }, { outbox: FAST })
  const made = payloadIdFor(['/mobile', bodyAt(3)])
  const ids = ['payload-0', 'payload-1', 'payload-2', made]
  await waitFor(() => ids.every((id) => answered.some((a) => a.id === id && a.status === 202)), 'every forward')
  await settle()
  expect(
    answered
      .filter((a) => a.status === 202)
      .map((a) => a.id)
      .sort()
  ).toEqual([...ids].sort())
  expect(answered.filter((a) => a.status !== 202)).toHaveLength(4)
  for (const { id, body } of answered) expect(body).toBe(bodyAt(ids.indexOf(id)))
  for (const r of ld.requests)
    expect(r.path).toBe(r.headers['x-launchdarkly-payload-id'] === made ? '/mobile' : '/bulk')
  expect(ld.requests.every((r) => r.headers.authorization === SDK_KEY)).toBe(true)
  expect(runtime.logs).toContain('forward: LaunchDarkly accepts requests again (after 4 failures)')
})

test('a 4xx other than 408 and 429 goes to the forward dead-letter file; its reason never holds the key; the files are the relay user’s alone', async () => {
  const ld = await launchDarkly((request) => (request.body === bodyAt(1) ? 401 : 202))
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { forwardEventsTo: ld.url }, { outbox: FAST })
  for (let n = 0; n < 3; n++) expect((await post('/bulk', bodyAt(n))).status).toBe(202)
  await waitFor(() => ld.requests.length >= 3, 'the forwards')
  await waitFor(() => runtime?.logs.some((l) => l.includes('LaunchDarkly refused')), 'the refusal')
  expect(runtime.logs.filter((l) => l.includes('LaunchDarkly refused'))).toEqual([
    'forward: LaunchDarkly refused a request of 1 SDK requests for good (HTTP 401); moved to dead-letter.ndjson in the forward folder'
  ])
  const dead = readFileSync(join(forwardFolder(), 'dead-letter.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  expect(dead).toEqual([
    {
      path: '/bulk',
      query: '',
      headers: expect.objectContaining({ authorization: SDK_KEY, 'x-launchdarkly-payload-id': expect.any(String) }),
      body: bodyAt(1)
    }
  ])
  const reasons = readFileSync(join(forwardFolder(), 'dead-letter-reasons.ndjson'), 'utf8')
  expect(JSON.parse(reasons)).toEqual({
    time: expect.stringMatching(/Z$/),
    status: 401,
    reason: 'HTTP 401',
    payloadIds: [dead[0].headers['x-launchdarkly-payload-id']],
    paths: ['/bulk']
  })
  expect(reasons).not.toContain(SDK_KEY.slice(4, 12))
  expect(runtime.logs.join('\n')).not.toContain(SDK_KEY.slice(4, 12))
  expect(statSync(forwardFolder()).mode & 0o777).toBe(0o700)
  for (const file of readdirSync(forwardFolder()))
    expect([file, statSync(join(forwardFolder(), file)).mode & 0o777]).toEqual([file, 0o600])
  const health = await (await fetch(`${runtime.url}/healthz`)).json()
  expect(health.forward).toMatchObject({ records: 0, deadLettered: 1 })
})

test('a forward outbox at LD_FORWARD_OUTBOX_MAX_BYTES refuses SDK deliveries with 503 and Retry-After; webhooks still pass', async () => {
  const ld = await launchDarkly(() => 503)
  runtime = await runtimeWith(
    SDK_FIXTURE_SETTINGS,
    { forwardEventsTo: ld.url, forwardOutboxMaxBytes: 12_000 },
    { outbox: FAST }
  )
  const statuses: number[] = []
  for (let n = 0; n < 3; n++) statuses.push((await post('/bulk', bodyAt(n))).status)
  expect(statuses).toEqual([202, 503, 503])
  const refused = await post('/bulk', bodyAt(9))
  expect([refused.status, refused.headers.get('retry-after'), await refused.json()]).toEqual([
    503,
    '30',
    {
      error: 'OutboxFull',
      message: expect.stringMatching(
        /^The forward outbox holds \d+ bytes not yet accepted by LaunchDarkly, at its limit of 12000 \(LD_FORWARD_OUTBOX_MAX_BYTES\); retry later$/
      )
    }
  ])
  // Nothing of the refused deliveries reached the sink.
  expect(runtime.lines()).toHaveLength(15)
  expect((await post('/sources/launchdarkly', bodyAt(5))).status).toBe(202)
  const health = await fetch(`${runtime.url}/healthz`)
  expect([health.status, (await health.json()).message]).toEqual([
    503,
    'the forward outbox is at its limit (LD_FORWARD_OUTBOX_MAX_BYTES) while LaunchDarkly does not accept requests'
  ])
})
