// `POST /destination-functions/launchdarkly-events` in the relay (design §6): the built
// destination function in the sandbox, settings from the relay's LD_* variables only,
// answers with what the handler returned or with the error's class and message.

import { mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { configFromEnv } from '../../../runtime/config/parse'
import { DESTINATION_FUNCTION_PATH } from '../../../runtime/http/routes'
import { LocalRuntime, startRuntime } from '../../../runtime/relay'
import {
  ensureBuilt,
  LaunchDarklyStandIn,
  launchDarklyStandIn
} from '../../destinations/launchdarkly-events-function/helpers'

const CLIENT_SIDE_ID = 'dest-env-0001'
const TIMESTAMP = '2026-11-26T00:59:49.876Z'
const track = {
  type: 'track',
  event: 'Signed Up',
  messageId: 'm-1',
  timestamp: TIMESTAMP,
  userId: 'u-1',
  properties: { plan: 'pro' }
}
const sent = {
  kind: 'custom',
  creationDate: Date.parse(TIMESTAMP),
  key: 'Signed Up',
  contextKeys: { user: 'u-1' },
  data: { plan: 'pro' }
}

let ld: LaunchDarklyStandIn
let runtime: LocalRuntime
let dataDir: string
const logs: string[] = []

beforeAll(async () => {
  await ensureBuilt()
  ld = await launchDarklyStandIn()
  dataDir = mkdtempSync(join(tmpdir(), 'ld-destination-function-'))
  const config = configFromEnv(
    { PORT: '0', LD_CLIENT_SIDE_ID: ` ${CLIENT_SIDE_ID} `, LD_EVENTS_BASE_URL: ld.url },
    dataDir
  )
  runtime = await startRuntime({
    config: { ...config, dataDir, logLevel: 'debug' },
    log: (line) => logs.push(line)
  })
})
afterAll(async () => {
  await runtime.close()
  await ld.close()
  rmSync(dataDir, { recursive: true, force: true })
})
beforeEach(() => {
  ld.received.length = 0
  ld.answer(() => ({ status: 202 }))
})

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(runtime.url + DESTINATION_FUNCTION_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  return { status: response.status, body: (await response.json()) as unknown }
}

test('settings come from LD_CLIENT_SIDE_ID, LD_EVENTS_BASE_URL and LD_SEND_TRACK_AS_CUSTOM, parsed strictly', () => {
  const env = { LD_CLIENT_SIDE_ID: ' abc ', LD_EVENTS_BASE_URL: 'http://127.0.0.1:9', LD_SEND_TRACK_AS_CUSTOM: 'false' }
  expect(configFromEnv(env, '/p')).toMatchObject({
    clientSideId: 'abc',
    eventsBaseUrl: 'http://127.0.0.1:9',
    sendTrackAsCustom: false
  })
  expect(() => configFromEnv({ LD_SEND_TRACK_AS_CUSTOM: 'yes' }, '/p')).toThrow(
    'LD_SEND_TRACK_AS_CUSTOM must be true, false, 1 or 0, found "yes"'
  )
})

test('a track call runs onTrack: 200 with what it returned, one request to LaunchDarkly', async () => {
  expect(await post(track)).toEqual({ status: 200, body: { status: 202, sent } })
  expect(ld.received.map((r) => [r.path, r.body])).toEqual([[`/events/bulk/${CLIENT_SIDE_ID}`, [sent]]])
  await new Promise((resolve) => setImmediate(resolve))
  const line = logs.find((l) => l.includes(`POST ${DESTINATION_FUNCTION_PATH} 200`))
  expect(line).toContain(`LaunchDarkly: POST ${ld.url}/events/bulk/${CLIENT_SIDE_ID} 202`)
})

test('an array runs onBatch: a status per event', async () => {
  const page = { type: 'page', messageId: 'm-2', timestamp: TIMESTAMP, userId: 'u-1', properties: {} }
  expect(await post([track, page])).toEqual({
    status: 200,
    body: [
      { status: 200 },
      {
        status: 400,
        errormessage: 'A page call becomes a LaunchDarkly page view event only when properties.key names the metric.'
      }
    ]
  })
})

test.each([
  [
    { type: 'identify', userId: 'u-1' },
    400,
    {
      error: 'EventNotSupported',
      message:
        'identify calls become LaunchDarkly alias events only with the sendAliasEvents setting on (environments whose SDKs predate contexts).'
    }
  ],
  [
    { userId: 'u-1' },
    400,
    { error: 'InvalidEventPayload', message: 'A Segment message needs a type: track, page, identify, …' }
  ],
  ['{not json', 400, { error: 'InvalidJson', message: 'The request body is not JSON' }]
])('%j: %i %j', async (body, status, answer) => {
  expect(await post(body)).toEqual({ status, body: answer })
  expect(ld.received).toEqual([])
})

test.each([
  [503, 503, 'RetryError', "LaunchDarkly's event ingestion API failed (HTTP 503); Segment will retry."],
  [
    404,
    401,
    'ValidationError',
    'LaunchDarkly did not accept the client-side ID (HTTP 404). Check the Client-side ID setting (clientSideId): copy it from Project settings → Environments in LaunchDarkly.'
  ]
])('LaunchDarkly answers %i: %i with the error class and message', async (ldStatus, status, error, message) => {
  ld.answer(() => ({ status: ldStatus }))
  expect(await post(track)).toEqual({ status, body: { error, message } })
})

test('a web page cannot drive it: no preflight, no CORS headers, JSON only', async () => {
  const preflight = await fetch(runtime.url + DESTINATION_FUNCTION_PATH, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }
  })
  expect(preflight.status).toBe(405)
  expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  // What a form or a no-cors fetch can send without a preflight.
  expect(await post(JSON.stringify(track), { 'content-type': 'text/plain' })).toEqual({
    status: 400,
    body: { error: 'UnsupportedMediaType', message: 'The destination routes take only Content-Type: application/json' }
  })
  expect(ld.received).toEqual([])
})

test('only POST', async () => {
  const response = await fetch(runtime.url + DESTINATION_FUNCTION_PATH)
  expect(response.status).toBe(405)
})
