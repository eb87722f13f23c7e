// What the relay tells about itself (docs/relay.md "Probes, logs and metrics"): one
// delivery record per request, consumed by the log, /metrics and any listener; the probes.

import { rmSync } from 'fs'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_CALLS, SDK_FIXTURE_SETTINGS } from '../../fixtures/node-server-sdk-bulk.expected'
import { isSkippedKind } from '../../../shared'
import { DeliveryRecord, pairEvents } from '../../../runtime/feed'
import { customEventRequest, runtimeWith, standIn, TestRuntime, waitFor } from '../helpers'

const BODY = JSON.stringify(fixture.body)
let runtime: TestRuntime
afterEach(() => runtime?.close())

const post = (path: string, body = BODY) =>
  fetch(runtime.url + path, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })

test('every request yields one record: input, calls, counts, rejections, status and time', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
  const records: DeliveryRecord[] = []
  runtime.feed.subscribe((record) => records.push(record))
  const custom = fixture.body.find((e) => e.kind === 'custom')
  const mixed = JSON.stringify([custom, { kind: 'feature', key: 'no-context', creationDate: 1 }, { kind: 'summary' }])
  expect((await post('/bulk?token=x')).status).toBe(202)
  expect((await post('/bulk', mixed)).status).toBe(202)
  expect((await fetch(runtime.url + '/nope')).status).toBe(404)
  await waitFor(() => records.length === 3, 'three records')

  const [sdk, partial, missing] = records
  expect(sdk).toEqual({
    time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    method: 'POST',
    route: '/bulk',
    status: 202,
    ms: expect.any(Number),
    emitted: 15,
    skipped: { index: 5, debug: 1, identify: 2, summary: 1 },
    rejected: [],
    input: BODY,
    calls: SDK_FIXTURE_CALLS
  })
  expect(partial).toMatchObject({ status: 202, emitted: 1, skipped: { summary: 1 }, rejected: [{ index: 1 }] })
  expect(pairEvents(partial, isSkippedKind)).toEqual([
    { index: 0, input: custom, call: partial.calls[0] },
    { index: 1, input: { kind: 'feature', key: 'no-context', creationDate: 1 }, rejection: partial.rejected[0].reason },
    { index: 2, input: { kind: 'summary' }, skipped: true }
  ])
  expect(missing).toMatchObject({ method: 'GET', route: '/nope', status: 404, error: { error: 'NotFound' } })
})

test('a listener that throws changes no answer and stops no other listener', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
  let seen = 0
  runtime.feed.subscribe(() => {
    throw new Error('listener bug')
  })
  runtime.feed.subscribe(() => {
    seen++
  })
  expect((await post('/bulk')).status).toBe(202)
  await waitFor(() => seen === 1, 'the second listener')
  expect(runtime.logs).toContain('listener failed: listener bug')
})

test('one log line per request at debug; each call only with LD_LOG_CALLS', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { logCalls: true })
  expect((await post('/bulk')).status).toBe(202)
  expect((await post('/bulk', '[{"kind":"custom"}]')).status).toBe(400)
  await waitFor(() => runtime.logs.length >= 17, 'the log')
  expect(runtime.logs[0]).toMatch(/^POST \/bulk 202 emitted=15 skipped=9 rejected=0 \d+\.\dms$/)
  expect(runtime.logs.slice(1, 16)).toEqual(
    SDK_FIXTURE_CALLS.map((c) => JSON.stringify({ type: c.type, ...c.message }))
  )
  expect(runtime.logs[16]).toMatch(
    /^POST \/bulk 400 emitted=0 skipped=0 rejected=1 \d+\.\dms InvalidEventPayload: Every event of the delivery was rejected: event 0: event has no context/
  )
})

test('GET /healthz, /livez and /readyz are 200 when ready', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
  const answers = await Promise.all(
    ['/healthz', '/livez', '/readyz'].map(async (path) => {
      const res = await fetch(runtime.url + path)
      return [res.status, await res.json()]
    })
  )
  expect(answers).toEqual([
    [200, { status: 'ok' }],
    [200, { status: 'ok' }],
    [200, { status: 'ready' }]
  ])
})

test('/readyz says why this replica cannot take deliveries (its data folder gone); /livez stays 200', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
  rmSync(runtime.dataDir, { recursive: true, force: true })
  const ready = await fetch(runtime.url + '/readyz')
  expect([ready.status, await ready.json()]).toEqual([
    503,
    { error: 'NotReady', message: 'the data folder (LD_SEGMENT_DATA_DIR) cannot be written (ENOENT)' }
  ])
  expect((await fetch(runtime.url + '/livez')).status).toBe(200)
})

test('probes and scrapes are answered but never logged nor counted as deliveries', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
  const records: DeliveryRecord[] = []
  runtime.feed.subscribe((record) => records.push(record))
  for (const path of ['/healthz', '/livez', '/readyz', '/metrics'])
    expect((await fetch(runtime.url + path)).status).toBe(200)
  expect((await post('/bulk')).status).toBe(202)
  await waitFor(() => records.length === 5, 'the records')
  await waitFor(() => runtime.logs.length > 0, 'the log')
  expect(runtime.logs).toEqual([expect.stringMatching(/^POST \/bulk 202 /)])
  const text = await (await fetch(runtime.url + '/metrics')).text()
  expect(text.split('\n').filter((l) => l.startsWith('ld_segment_deliveries_total'))).toEqual([
    'ld_segment_deliveries_total{route="/bulk",status="202"} 1'
  ])
})

test('GET /metrics: process metrics, deliveries by route and status, events by outcome and kind, latency, forwards', async () => {
  const ld = await standIn(() => ({ status: 500 }))
  try {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { forwardEventsTo: ld.url })
    expect((await post('/bulk')).status).toBe(202)
    expect((await post('/events/bulk/some-client-side-id', '[{"kind":"custom","key":"k"}]')).status).toBe(400)
    expect((await post('/nope/secret-path')).status).toBe(404)
    await waitFor(() => ld.requests.length === 2, 'the forwards')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const res = await fetch(runtime.url + '/metrics')
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    for (const line of [
      'ld_segment_deliveries_total{route="/bulk",status="202"} 1',
      'ld_segment_deliveries_total{route="/events/bulk/{clientSideId}",status="400"} 1',
      'ld_segment_deliveries_total{route="unknown",status="404"} 1',
      'ld_segment_events_total{outcome="emitted",kind="feature"} 11',
      'ld_segment_events_total{outcome="emitted",kind="custom"} 4',
      'ld_segment_events_total{outcome="skipped",kind="index"} 5',
      'ld_segment_events_total{outcome="skipped",kind="summary"} 1',
      // The 400 (nothing exported) counts its rejected event too.
      'ld_segment_events_total{outcome="rejected",kind="custom"} 1',
      'ld_segment_forwards_total{result="failed"} 2',
      'ld_segment_forwards_total{result="sent"} 0',
      'ld_segment_delivery_duration_seconds_count{route="/bulk"} 1'
    ])
      expect(text).toContain('\n' + line + '\n')
    expect(text).not.toContain('secret-path')
    expect(text).not.toContain('ld_relay_')
    expect(text).toMatch(/ld_segment_delivery_duration_seconds_bucket\{le="0\.1",route="\/bulk"\} 1\n/)
    // Node's own, under their usual names.
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds'
    ])
      expect(text).toMatch(new RegExp(`\n${name} \\d`))
  } finally {
    await ld.close()
  }
})

test('a destination request is recorded with its body and the LaunchDarkly requests it made', async () => {
  const ld = await standIn(() => ({ status: 202 }))
  try {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { eventsBaseUrl: ld.url })
    const records: DeliveryRecord[] = []
    runtime.feed.subscribe((record) => records.push(record))
    const res = await post('/destinations/launchdarkly-events/sendCustomEvent', customEventRequest('cs-9'))
    expect(res.status).toBe(200)
    await waitFor(() => records.length === 1, 'the record')
    expect(records[0]).toMatchObject({
      input: customEventRequest('cs-9'),
      route: '/destinations/launchdarkly-events/sendCustomEvent',
      status: 200,
      requests: [{ method: 'POST', url: `${ld.url}/events/bulk/cs-9`, status: 202 }]
    })
    await waitFor(() => runtime.logs.length === 1, 'the log line')
    expect(runtime.logs[0]).toContain(`LaunchDarkly: POST ${ld.url}/events/bulk/cs-9 202`)
  } finally {
    await ld.close()
  }
})

test('event kinds as labels come from a fixed set: 1,000 made-up kinds make one series', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
  // Ten deliveries of 100 (a delivery's record lists its first 100 rejections).
  for (let n = 0; n < 10; n++) {
    const madeUp = Array.from({ length: 100 }, (_, i) => ({ kind: `made-up-${n}-${i}`, creationDate: 1 }))
    expect((await post('/events/bulk/env-1', JSON.stringify(madeUp))).status).toBe(400)
  }
  await waitFor(() => runtime.logs.length === 10, 'the log')
  const text = await (await fetch(runtime.url + '/metrics')).text()
  expect(text.split('\n').filter((l) => l.startsWith('ld_segment_events_total'))).toEqual([
    'ld_segment_events_total{outcome="rejected",kind="other"} 1000'
  ])
})

test('LD_METRICS_PORT serves /metrics on a port of its own; PORT then answers it 404', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { metricsPort: 0 })
  expect(runtime.metricsUrl).not.toBe(runtime.url)
  expect((await post('/bulk')).status).toBe(202)
  await waitFor(() => runtime.logs.length > 0, 'the log')
  const scrape = await fetch(runtime.metricsUrl + '/metrics')
  expect(scrape.status).toBe(200)
  expect(await scrape.text()).toContain('\nld_segment_deliveries_total{route="/bulk",status="202"} 1\n')
  expect((await fetch(runtime.url + '/metrics')).status).toBe(404)
  expect((await fetch(runtime.metricsUrl + '/bulk')).status).toBe(404)
  expect(runtime.banner()).toContain(`Metrics: GET ${runtime.metricsUrl}/metrics`)
})
