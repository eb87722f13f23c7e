// The relay under a hostile caller (docs/relay.md "Authentication", "Forwarding",
// "Destination routes"): secrets never leave, requests cannot choose a host, nothing is
// forwarded before authentication, and the destination routes answer no web page.

import fixture from '../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_SETTINGS } from '../fixtures/node-server-sdk-bulk.expected'
import { redact } from '../../shared'
import { MISSING_TOKEN, UNKNOWN_CLIENT_SIDE_ID, WRONG_TOKEN } from '../../runtime/http/auth'
import { customEventRequest, rawRequest, runtimeWith, standIn, TestRuntime, waitFor } from './helpers'

jest.setTimeout(30_000)

const BODY = JSON.stringify(fixture.body)
const TOKEN = 'tok-s3cret-ingest-value'
const SDK_KEY = 'sdk-0000aaaa-bbbb-cccc-dddd-eeeeffff0000'
const settle = () => new Promise((resolve) => setTimeout(resolve, 150))

let runtime: TestRuntime
const standIns: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await runtime?.close()
  for (const s of standIns.splice(0)) await s.close()
})

async function launchDarkly() {
  const ld = await standIn(() => ({ status: 202 }))
  standIns.push(ld)
  return ld
}

function post(path: string, headers: Record<string, string> = {}, body = BODY) {
  return fetch(runtime.url + path, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', ...headers }
  })
}

/** No piece of 8 characters of any secret: what redact would change. */
const leaks = (text: string, secrets: string[]) => redact(text, secrets) !== text

describe('secrets', () => {
  test('the ingest token reaches neither the log nor the forward target; the SDK key goes on unchanged', async () => {
    const ld = await launchDarkly()
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN], forwardEventsTo: ld.url })
    expect((await post(`/bulk?token=${TOKEN}&keep=1`, { Authorization: SDK_KEY })).status).toBe(202)
    expect((await post('/bulk', { Authorization: `Bearer ${TOKEN}` })).status).toBe(202)
    // Failures and odd paths are logged too; the token in a path is redacted.
    expect((await post(`/bulk?token=${TOKEN}`, {}, '{"foo":1}')).status).toBe(400)
    expect((await post(`/nowhere/${TOKEN}?token=${TOKEN}`)).status).toBe(404)
    expect((await post('/bulk?token=wrong-token-value')).status).toBe(401)
    await waitFor(() => ld.requests.length === 3 && runtime.logs.length >= 5, 'the forwards and the log lines')

    expect(ld.requests.map((r) => r.path)).toEqual(['/bulk?keep=1', '/bulk', '/bulk'])
    expect(ld.requests[0].headers.authorization).toBe(SDK_KEY)
    // The relay's own token (Bearer) is not the SDK's key: it is not passed on.
    expect(ld.requests[1].headers.authorization).toBeUndefined()
    expect(leaks(JSON.stringify(ld.requests), [TOKEN])).toBe(false)

    const log = runtime.logs.join('\n')
    expect(leaks(log, [TOKEN])).toBe(false)
    expect(log).not.toContain('?')
    expect(runtime.logs.filter((l) => /^POST \/bulk (202|400|401) /.test(l))).toHaveLength(4)
    expect(log).toContain('\nPOST /nowhere/[redacted] 404 ')
  })

  test('no configured secret, or 8 characters of one, is in an answer or a log line', async () => {
    const secrets = { accessToken: 'api-access-token-value', webhookSecret: 'webhook-secret-value' }
    runtime = await runtimeWith({ ...SDK_FIXTURE_SETTINGS, ...secrets }, { segmentWriteKey: undefined })
    // A body quoting the secrets: the function's messages quote bodies.
    const quoting = `{"${secrets.accessToken}": "${secrets.webhookSecret}"}`
    const res = await post('/sources/launchdarkly', {}, quoting)
    const text = await res.text()
    expect(res.status).toBe(400)
    await waitFor(() => runtime.logs.some((l) => l.includes(' 400 ')), 'the log line')
    expect(leaks(text + runtime.logs.join('\n'), Object.values(secrets))).toBe(false)
  })
})

describe('routing and forwarding', () => {
  test('`//host:port/bulk` is a path on this relay (404), never a request to that host', async () => {
    const ld = await launchDarkly()
    const elsewhere = await standIn(() => ({ status: 202 }))
    standIns.push(elsewhere)
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { forwardEventsTo: ld.url })
    const host = new URL(elsewhere.url).host
    const res = await rawRequest(runtime.url, 'POST', `//${host}/bulk`, { 'Content-Type': 'application/json' }, BODY)
    expect([res.status, JSON.parse(res.body)]).toEqual([
      404,
      { error: 'NotFound', message: `No route for /${host}/bulk` }
    ])
    // Repeated slashes collapse: //bulk is /bulk, forwarded to the configured origin only.
    expect((await rawRequest(runtime.url, 'POST', '//bulk', {}, BODY)).status).toBe(202)
    await waitFor(() => ld.requests.length === 1, 'the forward')
    await settle()
    expect(elsewhere.requests).toEqual([])
    expect(ld.requests.map((r) => r.path)).toEqual(['/bulk'])
  })

  test('nothing is forwarded, run or written for a request that fails authentication', async () => {
    const ld = await launchDarkly()
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN], forwardEventsTo: ld.url })
    const res = await post('/bulk', { Authorization: 'sdk-not-listed' })
    expect([res.status, await res.json()]).toEqual([401, { error: 'ValidationError', message: WRONG_TOKEN }])
    const missing = await post('/bulk')
    expect([missing.status, await missing.json()]).toEqual([401, { error: 'ValidationError', message: MISSING_TOKEN }])
    await settle()
    expect(ld.requests).toEqual([])
    expect(runtime.lines()).toEqual([])
  })

  test('a hanging forward target does not delay the SDK answer', async () => {
    const hanging = await standIn(() => 'hold')
    standIns.push(hanging)
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { forwardEventsTo: hanging.url })
    const started = Date.now()
    for (let i = 0; i < 3; i++) expect((await post('/bulk')).status).toBe(202)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(hanging.requests.length).toBeGreaterThan(0)
  })
})

describe('authentication', () => {
  test('SDK routes accept a listed SDK key as LaunchDarkly SDKs send it; webhooks need the token form', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN, SDK_KEY] })
    expect((await post('/bulk', { Authorization: SDK_KEY })).status).toBe(202)
    expect((await post('/mobile', { Authorization: `api_key ${SDK_KEY}` })).status).toBe(202)
    expect((await post('/bulk', { Authorization: `Bearer ${TOKEN}` })).status).toBe(202)
    expect((await post(`/bulk?token=${TOKEN}`)).status).toBe(202)
    expect((await post('/sources/launchdarkly', { Authorization: SDK_KEY })).status).toBe(401)
    expect((await post('/sources/launchdarkly', { Authorization: `Bearer ${SDK_KEY}` })).status).toBe(202)
    expect((await post('/bulk', { Authorization: SDK_KEY.slice(0, -1) })).status).toBe(401)
  })

  test('the client-side route is keyless unless LD_CLIENT_SIDE_IDS lists the accepted IDs', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN] })
    expect((await post('/events/bulk/any-id')).status).toBe(202)
    await runtime.close()
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN], clientSideIds: ['cs-1'] })
    expect((await post('/events/bulk/cs-1')).status).toBe(202)
    const res = await post('/events/bulk/cs-2')
    expect([res.status, await res.json()]).toEqual([401, { error: 'ValidationError', message: UNKNOWN_CLIENT_SIDE_ID }])
    // Browsers' SDKs post cross-origin: that route alone answers CORS.
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    const preflight = await fetch(runtime.url + '/events/bulk/cs-1', { method: 'OPTIONS' })
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*'])
  })
})

describe('destination routes are a local test tool', () => {
  const send = (path: string, headers: Record<string, string>, body: string) =>
    fetch(`${runtime.url}/destinations/launchdarkly-events/${path}`, { method: 'POST', headers, body })
  const request = customEventRequest('cs')

  test('a cross-origin-style request (text/plain, no preflight) is refused, and no answer carries CORS headers', async () => {
    const ld = await launchDarkly()
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { eventsBaseUrl: ld.url })
    const res = await send('sendCustomEvent', { 'Content-Type': 'text/plain' }, request)
    expect([res.status, await res.json()]).toEqual([
      400,
      { error: 'UnsupportedMediaType', message: 'The destination routes take only Content-Type: application/json' }
    ])
    const preflight = await fetch(`${runtime.url}/destinations/launchdarkly-events/sendCustomEvent`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' }
    })
    expect(preflight.status).toBe(405)
    const ok = await send('sendCustomEvent', { 'Content-Type': 'application/json' }, request)
    expect(ok.status).toBe(200)
    for (const answer of [res, preflight, ok]) expect(answer.headers.get('access-control-allow-origin')).toBeNull()
    // A DNS-rebinding page reaches 127.0.0.1 under its own host name.
    const rebound = await rawRequest(
      runtime.url,
      'POST',
      '/destinations/launchdarkly-events/sendCustomEvent',
      { Host: 'evil.example', 'Content-Type': 'application/json' },
      request
    )
    expect(rebound.status).toBe(400)
    expect(ld.requests).toHaveLength(1)
  })

  test('with LD_INGEST_TOKEN set they require the token', async () => {
    const ld = await launchDarkly()
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN], eventsBaseUrl: ld.url })
    const json = { 'Content-Type': 'application/json' }
    const refused = await send('sendCustomEvent', json, request)
    expect([refused.status, await refused.json()]).toEqual([401, { error: 'ValidationError', message: MISSING_TOKEN }])
    expect((await fetch(`${runtime.url}/destinations/launchdarkly-events/manifest`)).status).toBe(401)
    // SDK-style keys are for SDK routes only.
    expect((await send('sendCustomEvent', { ...json, Authorization: TOKEN }, request)).status).toBe(401)
    expect(ld.requests).toEqual([])
    expect((await send('sendCustomEvent', { ...json, Authorization: `Bearer ${TOKEN}` }, request)).status).toBe(200)
    expect(ld.requests).toHaveLength(1)
  })
})

describe('typed answers everywhere', () => {
  test('malformed percent-encoding in /events/bulk/{id} is a 400', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const res = await rawRequest(runtime.url, 'POST', '/events/bulk/%E0%A4%A', {}, BODY)
    expect([res.status, JSON.parse(res.body)]).toEqual([
      400,
      { error: 'InvalidPath', message: 'The client-side ID in the path is not valid percent-encoding' }
    ])
  })

  test('a destination body over the limit is a 413', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const res = await fetch(`${runtime.url}/destinations/launchdarkly-events/sendCustomEvent`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ payload: { pad: 'x'.repeat(9 * 1024 * 1024) } })
    })
    expect([res.status, (await res.json()).error]).toEqual([413, 'PayloadTooLarge'])
  })

  test('headers too large are a 431 with a JSON body', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const res = await rawRequest(runtime.url, 'POST', '/bulk', { 'X-Padding': 'x'.repeat(20 * 1024) }, BODY)
    expect(res.status).toBe(431)
    expect(res.headers['content-type']).toBe('application/json')
    expect(JSON.parse(res.body)).toEqual({
      error: 'HeadersTooLarge',
      message: 'The request headers are larger than the relay accepts (16 KiB)'
    })
  })

  test('a rejection naming a setting also names its environment variable, in the answer and the log', async () => {
    runtime = await runtimeWith({ projectId: 'proj-1' })
    const res = await post('/bulk', {}, JSON.stringify([fixture.body.find((e) => e.kind === 'custom')]))
    const answer = await res.json()
    expect(res.status).toBe(400)
    expect(answer.message).toContain('the environmentId setting (LD_ENVIRONMENT_ID) is empty')
    const line = await waitFor(() => runtime.logs.find((l) => l.startsWith('POST /bulk 400 ')), 'the log line')
    expect(line).toContain('the environmentId setting (LD_ENVIRONMENT_ID) is empty')
  })
})
