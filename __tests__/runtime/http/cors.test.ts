// CORS for LaunchDarkly's browser SDKs (runtime/http/cors.ts), and the client-side route's
// guard at startup (issue 20): what a preflight is answered, what the log and the
// inspector say of one the browser will not follow, and a relay beyond loopback that will
// not start with the route open to any client-side ID.

import { startupRefusal } from '../../../runtime/config/report'
import { viewOf } from '../../../runtime/inspector/view'
import { preflight } from '../../../runtime/http/cors'
import { startRuntime } from '../../../runtime/relay'
import { rawRequest, runtimeWith, TestRuntime, waitFor } from '../helpers'

let runtime: TestRuntime | undefined
afterEach(async () => {
  await runtime?.close()
  runtime = undefined
})

const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }
const V3_HEADERS =
  'content-type,x-launchdarkly-event-schema,x-launchdarkly-payload-id,x-launchdarkly-tags,x-launchdarkly-user-agent'

test('every header the browser SDKs ask for is allowed, X-LaunchDarkly-* ones as asked; Date is exposed', async () => {
  runtime = await runtimeWith(SETTINGS)
  const answer = await rawRequest(runtime.url, 'OPTIONS', '/events/bulk/cs-1', {
    Origin: 'http://127.0.0.1:9',
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': `${V3_HEADERS},x-launchdarkly-wrapper,X-LaunchDarkly-Future-Header`
  })
  expect(answer.status).toBe(204)
  expect(answer.headers).toMatchObject({
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers':
      'content-type, content-encoding, x-launchdarkly-event-schema, x-launchdarkly-payload-id, x-launchdarkly-tags, x-launchdarkly-user-agent, x-launchdarkly-wrapper, x-launchdarkly-future-header',
    'access-control-expose-headers': 'Date'
  })
  const post = await rawRequest(runtime.url, 'POST', '/events/bulk/cs-1', { 'Content-Type': 'application/json' }, '[]')
  expect(post.headers).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Date' })
  await waitFor(() => runtime!.logs.some((line) => line.includes('POST /events/bulk/cs-1')), 'the log line')
  expect(runtime.logs.filter((line) => line.includes('warning'))).toEqual([])
})

test('a preflight asking for another header: answered without it, logged and shown as a warning', async () => {
  runtime = await runtimeWith(SETTINGS)
  const records: Array<Parameters<typeof viewOf>[1]> = []
  runtime.feed.subscribe((record) => records.push(record))
  const answer = await rawRequest(runtime.url, 'OPTIONS', '/events/bulk/cs-1', {
    Origin: 'http://127.0.0.1:9',
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'content-type, x-launchdarkly-tags, x-request-id'
  })
  expect(answer.status).toBe(204)
  expect(answer.headers['access-control-allow-headers']).toBe('content-type, content-encoding, x-launchdarkly-tags')
  const warning =
    'the preflight asks for header "x-request-id", which the relay does not allow: the browser will drop this SDK\'s events (allowed: Content-Type, Content-Encoding and X-LaunchDarkly-*)'
  const line = await waitFor(() => runtime!.logs.find((l) => l.includes('OPTIONS /events/bulk/cs-1')), 'the log line')
  expect(line).toMatch(/^OPTIONS \/events\/bulk\/cs-1 204 .* warning: /)
  expect(line.endsWith(`warning: ${warning}`)).toBe(true)
  await waitFor(() => records.length > 0, 'the record')
  expect(viewOf(1, records[0], { secrets: [], detailed: true })).toMatchObject({ method: 'OPTIONS', warning })
})

test('preflight: the requested list is read case-blind, bounded, and never echoed beyond 200 characters a name', () => {
  const long = 'x-' + 'a'.repeat(300)
  const answer = preflight([' Content-Type ,X-LAUNCHDARKLY-TAGS', `${long},`])
  expect(answer.headers['Access-Control-Allow-Headers']).toBe('content-type, content-encoding, x-launchdarkly-tags')
  expect(answer.refused).toEqual([long.slice(0, 200)])
  expect(preflight(undefined).refused).toEqual([])
})

test('beyond loopback, the client-side route must name its IDs, or be opened on purpose; the message names both variables', async () => {
  const message =
    "HOST is 0.0.0.0, beyond loopback, and LD_CLIENT_SIDE_IDS is not set: /events/bulk/{id} would accept events for any client-side ID, each labelled with the path's environment. Set LD_CLIENT_SIDE_IDS to your client-side IDs, or LD_ACCEPT_ANY_CLIENT_SIDE_ID=true to accept any"
  // A write key: the NDJSON sink's own guard (config.test.ts) is not what this test is about.
  const base = { host: '0.0.0.0', port: 0, settings: SETTINGS, dataDir: '/nowhere', segmentWriteKey: 'wk' }
  expect(startupRefusal(base)).toBe(message)
  expect(startupRefusal({ ...base, host: '127.0.0.1' })).toBeUndefined()
  expect(startupRefusal({ ...base, clientSideIds: ['cs-1'] })).toBeUndefined()
  expect(startupRefusal({ ...base, anyClientSideId: true })).toBeUndefined()
  // Refused before anything opens: no folder, no port.
  await expect(startRuntime({ config: base, log: () => undefined })).rejects.toThrow(message)
})
