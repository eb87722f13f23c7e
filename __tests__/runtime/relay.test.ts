// The local runtime (design §6) over real HTTP: the built source function on every SDK
// path, gzip, status codes, the NDJSON sink, the Segment sink against a local stand-in of
// the Tracking API, and the destination's `serve`-compatible routes.

import { gzipSync } from 'zlib'
import fixture from '../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_CALLS, SDK_FIXTURE_SETTINGS, SDK_FIXTURE_SUMMARY } from '../fixtures/node-server-sdk-bulk.expected'
import { convertDelivery, readDelivery } from '../../shared'
import { runtimeWith, standIn, TestRuntime, waitFor } from './helpers'

jest.setTimeout(30_000)

const SETTINGS = SDK_FIXTURE_SETTINGS
const BODY = JSON.stringify(fixture.body)
const SUMMARY = SDK_FIXTURE_SUMMARY

let runtime: TestRuntime
afterEach(async () => {
  await runtime?.close()
})

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const payload = typeof body === 'string' ? body : new Blob([new Uint8Array(body)])
  return fetch(runtime.url + path, {
    method: 'POST',
    body: payload,
    headers: { 'Content-Type': 'application/json', ...headers }
  })
}

/** The fixture's Segment calls as the NDJSON sink writes them: `{type, ...message}`. */
const expectedLines = () => SDK_FIXTURE_CALLS.map((call) => ({ type: call.type, ...call.message }))

describe('source routes', () => {
  test('an SDK /bulk request becomes NDJSON lines, one per Segment call, and a 202 summary', async () => {
    runtime = await runtimeWith(SETTINGS)
    const res = await post('/bulk', BODY, {
      Authorization: fixture.headers.authorization,
      'X-LaunchDarkly-Event-Schema': '4'
    })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual(SUMMARY)
    const lines = runtime.lines()
    expect(lines).toEqual(expectedLines())
    expect(lines[0]).toEqual({
      type: 'track',
      event: 'feature',
      userId: 'user-123',
      properties: {
        environment: 'env-1',
        project: 'proj-1',
        key: 'bool-tracked',
        contextKeys: { user: 'user-123' },
        version: 1,
        value: true,
        flagVersion: 7,
        variation: 0,
        inExperiment: false,
        default: false
      },
      timestamp: '2026-11-26T00:59:49.876Z',
      messageId: 'ld-d5dfdb71cee77f70d8a1fad54355a558'
    })
    // One log line for the request; the calls are printed only with LD_LOG_CALLS.
    const line = await waitFor(() => runtime.logs.find((l) => l.startsWith('POST /bulk ')), 'the request log line')
    expect(line).toMatch(/^POST \/bulk 202 emitted=15 skipped=9 rejected=0 \d+\.\dms$/)
    expect(runtime.logs.join('\n')).not.toContain(JSON.stringify(lines[0]))
  })

  test.each(['/sources/launchdarkly', '/mobile', '/mobile/events/bulk', '/events/bulk/env-1'])(
    '%s is a source route',
    async (path) => {
      runtime = await runtimeWith(SETTINGS)
      const res = await post(path, BODY)
      expect([res.status, await res.json()]).toEqual([202, SUMMARY])
    }
  )

  test('gzip bodies are accepted, with or without Content-Encoding', async () => {
    runtime = await runtimeWith(SETTINGS)
    expect((await post('/bulk', gzipSync(BODY), { 'Content-Encoding': 'gzip' })).status).toBe(202)
    expect((await post('/bulk', gzipSync(BODY))).status).toBe(202)
    expect(runtime.lines()).toHaveLength(30)
  })

  test.each([
    ['LD_ENVIRONMENT_ID unset', { projectId: 'proj-1' }],
    ["LD_ENVIRONMENT_ID set (it is the server-side SDKs')", { projectId: 'proj-1', environmentId: 'server-env' }]
  ])("a client-side SDK's path names the environment, %s", async (_name, settings) => {
    runtime = await runtimeWith(settings)
    const click = {
      kind: 'click',
      key: 'cta',
      url: 'https://example.com/',
      selector: '#buy',
      creationDate: 1700000000000,
      contextKeys: { user: 'u1' }
    }
    expect((await post('/events/bulk/client-side-id-123', JSON.stringify([click]))).status).toBe(202)
    // The messageId is hashed over the path's environment too.
    const messageId = convertDelivery(
      readDelivery(JSON.stringify([click]), { projectId: 'proj-1', environmentId: 'client-side-id-123' })
    ).calls[0].message.messageId
    expect(runtime.lines()).toEqual([
      {
        type: 'track',
        event: 'click',
        userId: 'u1',
        properties: {
          environment: 'client-side-id-123',
          project: 'proj-1',
          key: 'cta',
          contextKeys: { user: 'u1' },
          version: 1,
          url: 'https://example.com/',
          selector: '#buy'
        },
        timestamp: '2023-11-14T22:13:20.000Z',
        messageId
      }
    ])
  })

  test('400 for InvalidEventPayload, with nothing delivered', async () => {
    runtime = await runtimeWith(SETTINGS)
    const res = await post('/bulk', '{"foo":1}')
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: 'InvalidEventPayload',
      message:
        'Expected a Pub/Sub push, an audit-log entry, a Data Export record, a LaunchDarkly SDK event, a JSON array of records and events, or NDJSON; found an object with keys "foo"'
    })
    expect(runtime.lines()).toEqual([])
  })

  test('400 for a truncated gzip body', async () => {
    runtime = await runtimeWith(SETTINGS)
    const res = await post('/bulk', gzipSync(BODY).subarray(0, 40), { 'Content-Encoding': 'gzip' })
    expect([res.status, await res.json()]).toEqual([
      400,
      {
        error: 'InvalidEventPayload',
        message: 'Expected a gzip body (Content-Encoding: gzip); found data that does not inflate'
      }
    ])
  })

  test('401 for ValidationError: the ingest token is required and never echoed', async () => {
    runtime = await runtimeWith({ ...SETTINGS, ingestToken: 'tok-s3cret' })
    const refused = await post('/sources/launchdarkly', BODY, { Authorization: 'Bearer wrong' })
    const body = await refused.text()
    expect(refused.status).toBe(401)
    expect(JSON.parse(body).error).toBe('ValidationError')
    expect(body).not.toContain('tok-s3cret')
    expect((await post('/sources/launchdarkly?token=tok-s3cret', BODY)).status).toBe(202)
    expect((await post('/sources/launchdarkly', BODY, { Authorization: 'Bearer tok-s3cret' })).status).toBe(202)
    expect(runtime.logs.join('\n')).not.toContain('tok-s3cret')
  })

  test('503 for RetryError when variation-name lookups fail transiently; nothing delivered', async () => {
    const api = await standIn(() => ({ status: 503, body: { message: 'unavailable' } }))
    try {
      runtime = await runtimeWith({ ...SETTINGS, projectKey: 'default', accessToken: 'api-token', apiBaseUrl: api.url })
      const res = await post('/bulk', BODY)
      expect(res.status).toBe(503)
      expect((await res.json()).error).toBe('RetryError')
      expect(runtime.lines()).toEqual([])
      expect(api.requests[0]).toMatchObject({ method: 'GET', headers: { authorization: 'api-token' } })
    } finally {
      await api.close()
    }
  })

  test('unknown routes are 404, GET on a source route is 405', async () => {
    runtime = await runtimeWith(SETTINGS)
    expect((await fetch(runtime.url + '/nope', { method: 'POST' })).status).toBe(404)
    expect((await fetch(runtime.url + '/bulk')).status).toBe(405)
  })

  test('GET / lists the routes and the active sink', async () => {
    runtime = await runtimeWith(SETTINGS)
    const text = await (await fetch(runtime.url + '/')).text()
    expect(text).toContain(`${runtime.url}/bulk (server-side SDKs)`)
    expect(text).toContain(`POST ${runtime.url}/destinations/launchdarkly-events/sendFeatureEvent`)
    expect(text).toContain(`embedded sink: appending to ${runtime.dataDir}/segment-events.ndjson`)
  })
})

describe('forwarding SDK requests to LaunchDarkly (LD_FORWARD_EVENTS_TO)', () => {
  const sdkHeaders = {
    Authorization: fixture.headers.authorization,
    'User-Agent': fixture.headers['user-agent'],
    'X-LaunchDarkly-Event-Schema': '4',
    'X-LaunchDarkly-Payload-ID': fixture.headers['x-launchdarkly-payload-id'],
    Cookie: 'not-for-launchdarkly=1'
  }

  test('an SDK request reaches LaunchDarkly unchanged (inflated) as well as the sink', async () => {
    const ld = await standIn(() => ({ status: 202 }))
    try {
      runtime = await runtimeWith(SETTINGS, { forwardEventsTo: ld.url })
      const res = await post('/bulk', gzipSync(BODY), { ...sdkHeaders, 'Content-Encoding': 'gzip' })
      expect([res.status, await res.json()]).toEqual([202, SUMMARY])
      expect(runtime.lines()).toHaveLength(15)
      // In the background: the SDK's answer does not wait for it.
      const [forwarded] = await waitFor(() => ld.requests.length === 1 && ld.requests, 'the forwarded request')
      expect(forwarded).toMatchObject({ method: 'POST', path: '/bulk', body: BODY })
      expect(forwarded.headers).toMatchObject({
        authorization: fixture.headers.authorization,
        'user-agent': 'NodeJSClient/9.13.7',
        'content-type': 'application/json',
        'x-launchdarkly-event-schema': '4',
        'x-launchdarkly-payload-id': fixture.headers['x-launchdarkly-payload-id']
      })
      expect(forwarded.headers.cookie).toBeUndefined()
      expect(forwarded.headers['content-encoding']).toBeUndefined()
    } finally {
      await ld.close()
    }
  })

  test('client-side paths keep their environment; webhooks on /sources/launchdarkly are not forwarded', async () => {
    const ld = await standIn(() => ({ status: 202 }))
    try {
      runtime = await runtimeWith(SETTINGS, { forwardEventsTo: ld.url + '/' })
      await post('/events/bulk/client-side-id', BODY)
      await post('/sources/launchdarkly', BODY)
      await waitFor(() => ld.requests.length > 0, 'the forwarded request')
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(ld.requests.map((r) => r.path)).toEqual(['/events/bulk/client-side-id'])
    } finally {
      await ld.close()
    }
  })

  test('a failed forward is logged and does not fail the delivery', async () => {
    const ld = await standIn(() => ({ status: 503 }))
    try {
      runtime = await runtimeWith(SETTINGS, { forwardEventsTo: ld.url })
      expect((await post('/bulk', BODY)).status).toBe(202)
      await waitFor(
        () =>
          runtime.logs.includes(
            `forward: 1 request to ${ld.url} failed (last: HTTP 503); the SDKs were answered all the same`
          ),
        'the forward failure line'
      )
    } finally {
      await ld.close()
    }
  })
})

describe('Segment sink (SEGMENT_WRITE_KEY)', () => {
  test("the outbox delivers the calls to Segment's batch API with the write key", async () => {
    const tracking = await standIn(() => ({ status: 200, body: { success: true } }))
    try {
      runtime = await runtimeWith(SETTINGS, { segmentWriteKey: 'wk-123', segmentHost: tracking.url })
      expect(runtime.logs).toEqual([])
      expect((await post('/bulk', BODY)).status).toBe(202)
      await runtime.sink.close()
      const batches = await waitFor(() => tracking.requests.length > 0 && tracking.requests, 'the Tracking API request')
      expect(batches.every((r) => r.method === 'POST' && r.path === '/v1/batch')).toBe(true)
      expect(batches[0].headers.authorization).toBe('Basic ' + Buffer.from('wk-123:').toString('base64'))
      const sent = batches.flatMap((r) => JSON.parse(r.body).batch)
      const expected = expectedLines()
      expect(sent).toHaveLength(15)
      sent.forEach((message: Record<string, unknown>, i: number) => {
        const { type, ...rest } = expected[i]
        expect(message).toMatchObject({ type, ...rest, timestamp: rest.timestamp })
      })
      expect(runtime.lines()).toEqual([])
    } finally {
      await tracking.close()
    }
  })
})

describe('destination routes (actions CLI serve)', () => {
  const featureEvent = {
    type: 'track',
    event: 'feature',
    userId: 'user-123',
    messageId: 'segment-msg-1',
    timestamp: '2026-11-26T00:59:49.876Z',
    properties: {
      environment: 'other-env',
      project: 'proj-1',
      key: 'exp-flag',
      contextKeys: { user: 'user-123' },
      value: 'control',
      flagVersion: 12,
      variation: 0,
      reasonKind: 'FALLTHROUGH',
      inExperiment: true,
      default: false
    }
  }

  test('POST /sendFeatureEvent reaches LaunchDarkly with the exact body and headers', async () => {
    const ld = await standIn(() => ({ status: 202 }))
    try {
      runtime = await runtimeWith(SETTINGS, { eventsBaseUrl: ld.url })
      const res = await post(
        '/destinations/launchdarkly-events/sendFeatureEvent',
        JSON.stringify({ payload: featureEvent, settings: { clientSideId: 'client-side-id' } })
      )
      expect(res.status).toBe(200)
      const exchanges = await res.json()
      expect(exchanges).toHaveLength(1)
      expect(exchanges[0].response.statusCode).toBe(202)
      expect(ld.requests).toHaveLength(1)
      const [request] = ld.requests
      expect(request.method).toBe('POST')
      expect(request.path).toBe('/events/bulk/client-side-id')
      expect(request.headers).toMatchObject({
        'content-type': 'application/json',
        'x-launchdarkly-event-schema': '4',
        'x-launchdarkly-payload-id': expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        ),
        'user-agent': 'SegmentLaunchDarklyEvents/1.0.0'
      })
      expect(JSON.parse(request.body)).toEqual([
        {
          kind: 'feature',
          creationDate: 1795654789876,
          key: 'exp-flag',
          contextKeys: { user: 'user-123' },
          value: 'control',
          version: 12,
          variation: 0,
          reason: { kind: 'FALLTHROUGH', inExperiment: true }
        }
      ])
    } finally {
      await ld.close()
    }
  })

  test('an array payload runs the batch path: one request for all events', async () => {
    const ld = await standIn(() => ({ status: 202 }))
    try {
      runtime = await runtimeWith(SETTINGS, { eventsBaseUrl: ld.url })
      const payload = [1, 2, 3].map((n) => ({
        ...featureEvent,
        messageId: `m${n}`,
        properties: { ...featureEvent.properties, key: `flag-${n}` }
      }))
      const res = await post(
        '/destinations/launchdarkly-events/sendFeatureEvent',
        JSON.stringify({ payload, settings: { clientSideId: 'cs', eventsBaseUrl: ld.url + '/' } })
      )
      expect(res.status).toBe(200)
      expect(ld.requests).toHaveLength(1)
      expect(JSON.parse(ld.requests[0].body).map((e: { key: string }) => e.key)).toEqual(['flag-1', 'flag-2', 'flag-3'])
    } finally {
      await ld.close()
    }
  })

  test('POST /authenticate asks the goals endpoint for the client-side ID', async () => {
    const sdk = await standIn((req) => ({ status: req.path === '/sdk/goals/good-id' ? 200 : 404, body: [] }))
    try {
      runtime = await runtimeWith(SETTINGS, { sdkBaseUrl: sdk.url })
      const auth = (clientSideId: string) =>
        post('/destinations/launchdarkly-events/authenticate', JSON.stringify({ clientSideId })).then((r) => r.json())
      expect(await auth('good-id')).toEqual({ ok: true })
      expect(await auth('bad-id')).toMatchObject({ ok: false, error: expect.stringContaining('client-side ID') })
    } finally {
      await sdk.close()
    }
  })

  test('GET /manifest describes the destination', async () => {
    runtime = await runtimeWith(SETTINGS)
    const manifest = await (await fetch(runtime.url + '/destinations/launchdarkly-events/manifest')).json()
    expect(manifest).toMatchObject({
      name: 'LaunchDarkly Events',
      slug: 'actions-launchdarkly-events',
      mode: 'cloud',
      directoryName: 'launchdarkly-events'
    })
    expect(Object.keys(manifest.actions).sort()).toEqual([
      'sendAliasEvent',
      'sendClickEvent',
      'sendCustomEvent',
      'sendFeatureEvent',
      'sendPageViewEvent'
    ])
  })

  test.each(['nope', '__proto__', 'constructor', 'hasOwnProperty'])(
    'an unknown action (%s) is a typed 404',
    async (name) => {
      runtime = await runtimeWith(SETTINGS)
      const res = await post(`/destinations/launchdarkly-events/${name}`, '{}')
      expect([res.status, await res.json()]).toEqual([
        404,
        { error: 'NotFound', message: `LaunchDarkly Events action '${name}' is invalid or not found` }
      ])
    }
  )

  test('a request cannot choose where events go: another eventsBaseUrl or sdkBaseUrl is refused, nothing sent', async () => {
    const ld = await standIn(() => ({ status: 202 }))
    const elsewhere = await standIn(() => ({ status: 202, body: { secret: 'from another host' } }))
    try {
      runtime = await runtimeWith(SETTINGS, { eventsBaseUrl: ld.url, sdkBaseUrl: ld.url })
      const res = await post(
        '/destinations/launchdarkly-events/sendFeatureEvent',
        JSON.stringify({ payload: featureEvent, settings: { clientSideId: 'cs', eventsBaseUrl: elsewhere.url } })
      )
      expect([res.status, await res.json()]).toEqual([
        400,
        {
          error: 'InvalidSettings',
          message: `settings.eventsBaseUrl must be left out or equal ${ld.url}: this relay sends only there (LD_EVENTS_BASE_URL); a request cannot choose where events go`
        }
      ])
      const auth = await post(
        '/destinations/launchdarkly-events/authenticate',
        JSON.stringify({ clientSideId: 'cs', sdkBaseUrl: elsewhere.url })
      )
      expect([auth.status, (await auth.json()).error]).toEqual([400, 'InvalidSettings'])
      expect(elsewhere.requests).toEqual([])
      expect(ld.requests).toEqual([])
    } finally {
      await ld.close()
      await elsewhere.close()
    }
  })
})
