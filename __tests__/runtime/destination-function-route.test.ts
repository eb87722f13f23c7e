// `POST /destination-functions/launchdarkly-events` in the local runtime (design §6): the
// built destination function in the sandbox, settings from LD_* variables, answers with
// what the handler returned or with the error's class and message.

import { mkdtempSync, readFileSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import {
  BUILT_DESTINATION_FUNCTION,
  DESTINATION_FUNCTION_PATH,
  destinationFunctionSettingsFromEnv
} from '../../runtime/destination-function-route'
import { LocalRuntime, startRuntime } from '../../runtime/server'
import { ensureBuilt, LaunchDarklyStandIn, launchDarklyStandIn } from '../destination-function/helpers'

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
  runtime = await startRuntime({
    config: { host: '127.0.0.1', port: 0, settings: {}, dataDir },
    log: (line) => logs.push(line),
    destinationFunction: {
      code: readFileSync(BUILT_DESTINATION_FUNCTION, 'utf8'),
      settings: destinationFunctionSettingsFromEnv({
        LD_CLIENT_SIDE_ID: ` ${CLIENT_SIDE_ID} `,
        LD_EVENTS_BASE_URL: ld.url
      })
    }
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

test('settings come from LD_CLIENT_SIDE_ID, LD_EVENTS_BASE_URL and LD_SEND_TRACK_AS_CUSTOM', () => {
  expect(
    destinationFunctionSettingsFromEnv({
      LD_CLIENT_SIDE_ID: ' abc ',
      LD_EVENTS_BASE_URL: 'http://127.0.0.1:9',
      LD_SEND_TRACK_AS_CUSTOM: 'false',
      LD_PROJECT_ID: 'not this one'
    })
  ).toEqual({ clientSideId: 'abc', eventsBaseUrl: 'http://127.0.0.1:9', sendTrackAsCustom: 'false' })
})

test('a track call runs onTrack: 200 with what it returned, one request to LaunchDarkly', async () => {
  expect(await post(track)).toEqual({ status: 200, body: { status: 202, sent } })
  expect(ld.received.map((r) => [r.path, r.body])).toEqual([[`/events/bulk/${CLIENT_SIDE_ID}`, [sent]]])
  expect(logs).toContain('launchdarkly-events: delivered 1 of 1 in 1 request')
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
    { error: 'EventNotSupported', message: 'onIdentify is not defined in the function' }
  ],
  [
    { userId: 'u-1' },
    400,
    { error: 'InvalidEventPayload', message: 'a Segment message needs a type: track, page, identify, …' }
  ],
  [
    '{not json',
    400,
    { error: 'InvalidEventPayload', message: 'the body must be JSON: a Segment message or an array of them' }
  ]
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

test('a request from a web page (with Origin) is refused before anything runs, preflight included', async () => {
  expect(await post(track, { origin: 'https://evil.example' })).toEqual({
    status: 403,
    body: { error: 'Forbidden', message: 'requests from web pages are refused here' }
  })
  const preflight = await fetch(runtime.url + DESTINATION_FUNCTION_PATH, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }
  })
  expect(preflight.status).toBe(403)
  expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  expect(ld.received).toEqual([])
})

test('only POST', async () => {
  const response = await fetch(runtime.url + DESTINATION_FUNCTION_PATH)
  expect(response.status).toBe(405)
})
