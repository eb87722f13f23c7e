// The built destination function (design §5.4) in the Segment Functions sandbox, with only
// the globals Segment gives a destination function, against a local LaunchDarkly: exact
// requests and headers, and Segment's error class for every handler and outcome.

import { payloadIdFor } from '../../../shared'
import type { FunctionHandle } from '../../../runtime/sandbox/instance'
import { failure, LaunchDarklyStandIn, launchDarklyStandIn, loadDestination, returned } from './helpers'

const CLIENT_SIDE_ID = 'dest-env-0001'
const SOURCE_ENVIRONMENT = 'source-env-0002'
const TIMESTAMP = '2026-11-26T00:59:49.876Z'
const CREATION_DATE = Date.parse(TIMESTAMP)
const USER_AGENT = 'SegmentLaunchDarklyEventsFunction/1.0.0'

let ld: LaunchDarklyStandIn
let fn: FunctionHandle
let settings: Record<string, unknown>

beforeEach(async () => {
  ld = await launchDarklyStandIn()
  fn = await loadDestination()
  settings = { clientSideId: CLIENT_SIDE_ID, eventsBaseUrl: ld.url }
})
afterEach(() => ld.close())

const exportedFeature = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'feature',
  messageId,
  timestamp: TIMESTAMP,
  userId: 'user-123',
  properties: {
    environment: SOURCE_ENVIRONMENT,
    project: 'project-1',
    key: 'checkout-flow',
    contextKeys: { user: 'user-123', org: 'org-9' },
    value: { layout: 'b' },
    flagVersion: 42,
    variation: 1,
    variationName: 'Treatment',
    reasonKind: 'RULE_MATCH',
    inExperiment: true,
    default: false,
    ...extra
  }
})
const ldFeature = {
  kind: 'feature',
  creationDate: CREATION_DATE,
  key: 'checkout-flow',
  contextKeys: { user: 'user-123', org: 'org-9' },
  value: { layout: 'b' },
  version: 42,
  variation: 1,
  reason: { kind: 'RULE_MATCH', inExperiment: true }
}
const orderCompleted = (messageId: string) => ({
  type: 'track',
  event: 'Order Completed',
  messageId,
  timestamp: TIMESTAMP,
  anonymousId: 'anon-7',
  properties: { revenue: '25.5', currency: 'EUR' }
})
const ldOrder = {
  kind: 'custom',
  creationDate: CREATION_DATE,
  key: 'Order Completed',
  // Keyed as Segment's LaunchDarkly destination keys a call without contextKeys.
  contextKeys: { user: 'anon-7', unauthenticatedUser: 'anon-7' },
  metricValue: 25.5,
  data: { revenue: '25.5', currency: 'EUR' }
}
const pageView = (messageId: string, properties: Record<string, unknown>) => ({
  type: 'page',
  messageId,
  timestamp: TIMESTAMP,
  userId: 'u-1',
  properties
})

const ID_HELP =
  'Check the Client-side ID setting (clientSideId): copy it from Project settings → Environments in LaunchDarkly.'

describe('onTrack and onPage: one event, one request', () => {
  test('an exported feature event: the exact request', async () => {
    const result = await fn.call('onTrack', [exportedFeature('m-1'), settings])
    expect(returned(result)).toEqual({ status: 202, sent: ldFeature })
    expect(ld.received).toHaveLength(1)
    const [request] = ld.received
    expect([request.method, request.path, request.body]).toEqual([
      'POST',
      `/events/bulk/${CLIENT_SIDE_ID}`,
      [ldFeature]
    ])
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'x-launchdarkly-event-schema': '4',
      'user-agent': USER_AGENT,
      'x-launchdarkly-payload-id': payloadIdFor(['m-1'])
    })
    expect(result.logs).toEqual(['launchdarkly-events: delivered 1 of 1 in 1 request'])
  })

  test('an ordinary track call becomes a custom event named after it; revenue given as text is a number', async () => {
    expect(returned(await fn.call('onTrack', [orderCompleted('m-2'), settings]))).toEqual({
      status: 202,
      sent: ldOrder
    })
    expect(ld.received.map((r) => r.body)).toEqual([[ldOrder]])
  })

  test('a page call naming a metric in properties.key becomes a page view event', async () => {
    const sent = {
      kind: 'pageview',
      creationDate: CREATION_DATE,
      key: 'pricing',
      contextKeys: { user: 'u-1' },
      url: 'https://example.com/p'
    }
    const result = await fn.call('onPage', [
      pageView('m-3', { key: 'pricing', url: 'https://example.com/p' }),
      settings
    ])
    expect(returned(result)).toEqual({ status: 202, sent })
  })

  test.each([
    [
      'a page call without properties.key',
      'onPage',
      pageView('m-4', { url: 'https://example.com/' }),
      'A page call becomes a LaunchDarkly page view event only when properties.key names the metric.'
    ],
    [
      'an identify call with sendAliasEvents off (the default)',
      'onIdentify',
      { type: 'identify', userId: 'u-1', anonymousId: 'anon-1', traits: {} },
      'identify calls become LaunchDarkly alias events only with the sendAliasEvents setting on (environments whose SDKs predate contexts).'
    ],
    [
      'an alias call with sendAliasEvents off (the default)',
      'onAlias',
      { type: 'alias', userId: 'u-1', previousId: 'anon-1' },
      'alias calls become LaunchDarkly alias events only with the sendAliasEvents setting on (environments whose SDKs predate contexts).'
    ],
    [
      'a screen call (no onScreen handler)',
      'onScreen',
      { type: 'screen', userId: 'u-1', name: 'Home' },
      'onScreen is not defined in the function'
    ]
  ])('%s: EventNotSupported, no request', async (_what, handler, event, message) => {
    expect(failure(await fn.call(handler, [event, settings]))).toEqual({ name: 'EventNotSupported', message })
    expect(ld.received).toEqual([])
  })

  describe('sendAliasEvents on: legacy alias events', () => {
    const aliasOn = () => ({ ...settings, sendAliasEvents: true })
    const ldAlias = (previousKey: string) => ({
      kind: 'alias',
      key: 'user-123',
      contextKind: 'user',
      previousKey,
      previousContextKind: 'anonymousUser',
      creationDate: CREATION_DATE
    })

    test('an identify call links its anonymousId to its userId', async () => {
      const identify = {
        type: 'identify',
        messageId: 'a-1',
        timestamp: TIMESTAMP,
        userId: 'user-123',
        anonymousId: 'anon-9'
      }
      expect(returned(await fn.call('onIdentify', [identify, aliasOn()]))).toEqual({
        status: 202,
        sent: ldAlias('anon-9')
      })
      expect(ld.received.map((r) => r.body)).toEqual([[ldAlias('anon-9')]])
      expect(ld.received[0].headers['x-launchdarkly-payload-id']).toBe(payloadIdFor(['a-1']))
    })

    test('an alias call links its previousId, and a timestamp that is not a date becomes the time of sending', async () => {
      const alias = { type: 'alias', messageId: 'a-2', timestamp: 'soon', userId: 'user-123', previousId: 'old-1' }
      const before = Date.now()
      const sent = (returned(await fn.call('onAlias', [alias, aliasOn()])) as { sent: { creationDate: number } }).sent
      expect(sent).toEqual({ ...ldAlias('old-1'), creationDate: expect.any(Number) })
      expect(sent.creationDate).toBeGreaterThanOrEqual(before)
      expect(sent.creationDate).toBeLessThanOrEqual(Date.now())
    })

    test('an identify call without an anonymousId: InvalidEventPayload naming the missing key, no request', async () => {
      const identify = { type: 'identify', messageId: 'a-3', timestamp: TIMESTAMP, userId: 'user-123' }
      expect(failure(await fn.call('onIdentify', [identify, aliasOn()]))).toEqual({
        name: 'InvalidEventPayload',
        message:
          'Cannot build a LaunchDarkly alias event: previousId (previous key) must be a non-empty string, found undefined'
      })
      expect(ld.received).toEqual([])
    })

    test('an identify call without a userId: EventNotSupported', async () => {
      const identify = { type: 'identify', messageId: 'a-4', timestamp: TIMESTAMP, anonymousId: 'anon-9' }
      expect(failure(await fn.call('onIdentify', [identify, aliasOn()]))).toEqual({
        name: 'EventNotSupported',
        message: 'An identify call without a userId has no user to alias.'
      })
    })
  })

  test('a track call without a timestamp is sent with the time of sending', async () => {
    const before = Date.now()
    const { timestamp: _timestamp, ...untimed } = orderCompleted('m-7')
    const sent = (returned(await fn.call('onTrack', [untimed, settings])) as { sent: { creationDate: number } }).sent
    expect(sent).toEqual({ ...ldOrder, creationDate: expect.any(Number) })
    expect(sent.creationDate).toBeGreaterThanOrEqual(before)
    expect(sent.creationDate).toBeLessThanOrEqual(Date.now())
  })

  test('sendTrackAsCustom off: an ordinary track call is EventNotSupported; an exported one is still sent', async () => {
    const off = { ...settings, sendTrackAsCustom: false }
    expect(failure(await fn.call('onTrack', [orderCompleted('m-5'), off]))).toEqual({
      name: 'EventNotSupported',
      message:
        'Only track calls whose event is feature, click or custom are sent: the sendTrackAsCustom setting is off.'
    })
    expect(returned(await fn.call('onTrack', [exportedFeature('m-6'), off]))).toEqual({ status: 202, sent: ldFeature })
    expect(ld.received).toHaveLength(1)
  })

  test('an echo (the event came from this environment): InvalidEventPayload, no request', async () => {
    const echo = exportedFeature('m-7', { environment: CLIENT_SIDE_ID })
    expect(failure(await fn.call('onTrack', [echo, settings]))).toEqual({
      name: 'InvalidEventPayload',
      message:
        'The event came from the LaunchDarkly environment this destination sends to (its environment equals the Client-side ID setting), so it is not sent back: LaunchDarkly would count it twice.'
    })
    expect(ld.received).toEqual([])
  })

  test.each([
    [
      { contextKeys: { user: '' } },
      'Cannot build a LaunchDarkly feature event: contextKeys key for kind "user" must be a non-empty string, found empty string'
    ],
    [{ key: { nested: true } }, 'Cannot build a LaunchDarkly feature event: key must be a string, found object'],
    [{ flagVersion: 'v2' }, 'Cannot build a LaunchDarkly feature event: flagVersion must be an integer, found string'],
    [
      { key: undefined },
      'Cannot build a LaunchDarkly feature event: key (flag or metric key) must be a non-empty string, found undefined'
    ]
  ])('an event that cannot be built (%j): InvalidEventPayload naming the field, no request', async (extra, message) => {
    expect(failure(await fn.call('onTrack', [exportedFeature('m-8', extra), settings]))).toEqual({
      name: 'InvalidEventPayload',
      message
    })
    expect(ld.received).toEqual([])
  })

  test.each([
    [401, 'ValidationError', `LaunchDarkly did not accept the client-side ID (HTTP 401). ${ID_HELP}`],
    [403, 'ValidationError', `LaunchDarkly did not accept the client-side ID (HTTP 403). ${ID_HELP}`],
    [404, 'ValidationError', `LaunchDarkly did not accept the client-side ID (HTTP 404). ${ID_HELP}`],
    [429, 'RetryError', 'LaunchDarkly is rate limiting event ingestion (HTTP 429); Segment will retry.'],
    [500, 'RetryError', "LaunchDarkly's event ingestion API failed (HTTP 500); Segment will retry."],
    [503, 'RetryError', "LaunchDarkly's event ingestion API failed (HTTP 503); Segment will retry."],
    [
      413,
      'InvalidEventPayload',
      "The event is too large for LaunchDarkly's event ingestion API (HTTP 413), even sent alone."
    ],
    [400, 'InvalidEventPayload', 'LaunchDarkly rejected the events (HTTP 400): events must be an array']
  ])('LaunchDarkly answers %i: %s', async (status, name, message) => {
    ld.answer(() => ({ status, body: status === 400 ? '{"message":"events must be an array"}' : '' }))
    const result = await fn.call('onTrack', [exportedFeature('m-9'), settings])
    expect(failure(result)).toEqual({ name, message })
    expect(ld.received).toHaveLength(1)
    expect(result.logs).toEqual([`launchdarkly-events: delivered 0 of 1 in 1 request; failed 1 (event 0: ${message})`])
  })

  test('no answer in time: RetryError', async () => {
    ld.answer(() => ({ status: 202, hang: true }))
    expect(failure(await fn.call('onTrack', [exportedFeature('m-10'), settings]))).toEqual({
      name: 'RetryError',
      message: 'LaunchDarkly did not answer in time; Segment will retry.'
    })
  })

  test('LaunchDarkly unreachable: RetryError', async () => {
    const closed = ld.url
    await ld.close()
    expect(
      failure(await fn.call('onTrack', [exportedFeature('m-11'), { ...settings, eventsBaseUrl: closed }]))
    ).toEqual({
      name: 'RetryError',
      message: "Could not reach LaunchDarkly's event ingestion API (ECONNREFUSED); Segment will retry."
    })
  })

  test.each([
    [{}, 'The Client-side ID setting (clientSideId) is empty.'],
    [{ clientSideId: '   ' }, 'The Client-side ID setting (clientSideId) is empty.'],
    [
      { clientSideId: CLIENT_SIDE_ID, eventsBaseUrl: 'ftp://events.example.com' },
      'The eventsBaseUrl setting must be an https URL, such as https://events.launchdarkly.com.'
    ]
  ])('settings %j: ValidationError, no request', async (given, message) => {
    expect(failure(await fn.call('onTrack', [exportedFeature('m-12'), given]))).toEqual({
      name: 'ValidationError',
      message
    })
    expect(ld.received).toEqual([])
  })
})

describe('onBatch: one request per batch, a status per event', () => {
  test('mixed events: the good ones in one request, in order; a status for each, in order', async () => {
    const events = [
      exportedFeature('b-0'),
      pageView('b-1', { url: 'https://example.com/' }),
      orderCompleted('b-2'),
      exportedFeature('b-3', { environment: CLIENT_SIDE_ID }),
      { type: 'identify', userId: 'u-1', messageId: 'b-4' },
      exportedFeature('b-5', { contextKeys: 'not an object' })
    ]
    const result = await fn.call('onBatch', [events, settings])
    expect(returned(result)).toEqual([
      { status: 200 },
      {
        status: 400,
        errormessage: 'A page call becomes a LaunchDarkly page view event only when properties.key names the metric.'
      },
      { status: 200 },
      {
        status: 400,
        errormessage:
          'The event came from the LaunchDarkly environment this destination sends to (its environment equals the Client-side ID setting), so it is not sent back: LaunchDarkly would count it twice.'
      },
      {
        status: 400,
        errormessage:
          'identify calls become LaunchDarkly alias events only with the sendAliasEvents setting on (environments whose SDKs predate contexts).'
      },
      {
        status: 400,
        errormessage: 'Cannot build a LaunchDarkly feature event: contextKeys must be an object, found string'
      }
    ])
    expect(ld.received.map((r) => r.body)).toEqual([[ldFeature, ldOrder]])
    expect(ld.received[0].headers['x-launchdarkly-payload-id']).toBe(payloadIdFor(['b-0', 'b-2']))
  })

  test('a 413: pieces sized by bytes, each with its own payload ID; every event delivered once', async () => {
    const events = Array.from({ length: 10 }, (_, i) => exportedFeature(`s-${i}`, { key: `flag-${i}` }))
    // LaunchDarkly takes two of these events at a time: the JSON array of two.
    const limit = 2 * JSON.stringify({ ...ldFeature, key: 'flag-0' }).length + 3
    ld.answer((request) => ({ status: request.bytes > limit ? 413 : 202 }))
    expect(returned(await fn.call('onBatch', [events, settings]))).toEqual(events.map(() => ({ status: 200 })))
    const accepted = ld.received.filter((r) => r.bytes <= limit)
    expect(accepted.flatMap((r) => (r.body as Array<{ key: string }>).map((e) => e.key))).toEqual(
      events.map((_, i) => `flag-${i}`)
    )
    expect(ld.received.length).toBeLessThanOrEqual(Math.ceil(10 / 2) + Math.ceil(Math.log2(10)))
    for (const request of ld.received) {
      const ids = (request.body as Array<{ key: string }>).map((e) => `s-${e.key.slice('flag-'.length)}`)
      expect(request.headers['x-launchdarkly-payload-id']).toBe(payloadIdFor(ids))
    }
  })

  test('LaunchDarkly down for the whole batch: RetryError (Segment retries the batch)', async () => {
    ld.answer(() => ({ status: 503 }))
    expect(failure(await fn.call('onBatch', [[exportedFeature('r-0'), orderCompleted('r-1')], settings]))).toEqual({
      name: 'RetryError',
      message: "LaunchDarkly's event ingestion API failed (HTTP 503); Segment will retry."
    })
  })

  test('a wrong client-side ID for the whole batch: ValidationError', async () => {
    ld.answer(() => ({ status: 404 }))
    expect(failure(await fn.call('onBatch', [[exportedFeature('w-0')], settings]))).toEqual({
      name: 'ValidationError',
      message: `LaunchDarkly did not accept the client-side ID (HTTP 404). ${ID_HELP}`
    })
  })

  test('a failure that is not batch-wide stays per event: 500 to retry, 400 not', async () => {
    ld.answer(() => ({ status: 503 }))
    const result = await fn.call('onBatch', [[exportedFeature('x-0'), pageView('x-1', {})], settings])
    expect(returned(result)).toEqual([
      { status: 500, errormessage: "LaunchDarkly's event ingestion API failed (HTTP 503); Segment will retry." },
      {
        status: 400,
        errormessage: 'A page call becomes a LaunchDarkly page view event only when properties.key names the metric.'
      }
    ])
  })

  test('not an array: InvalidEventPayload; an empty batch: no request', async () => {
    expect(failure(await fn.call('onBatch', [{ type: 'track' }, settings]))).toEqual({
      name: 'InvalidEventPayload',
      message: 'onBatch expects an array of Segment events.'
    })
    expect(returned(await fn.call('onBatch', [[], settings]))).toEqual([])
    expect(ld.received).toEqual([])
  })
})

test('the function sees only the globals Segment gives a destination function: no Segment, require or process', async () => {
  const result = await fn.call('onTrack', [exportedFeature('g-1'), settings])
  expect(result.ok).toBe(true)
  expect(result.calls).toEqual([])
})
