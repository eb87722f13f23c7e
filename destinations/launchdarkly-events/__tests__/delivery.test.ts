// Delivery semantics through actions-core (design §5): one request per batch, the payload
// ID, 413 splitting, retryable and final responses, the echo guard in a batch, and a
// status for every event. splitting.test.ts counts the requests a 413 costs.

import {
  APIError,
  createTestIntegration,
  DEFAULT_REQUEST_TIMEOUT,
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError
} from '@segment/actions-core'
import type { RequestClient, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import destination from '..'
import { sendEvent, sendEvents } from '../send'
import { payloadIdFor } from '../mapping'
import {
  BULK_PATH,
  Captured,
  CLIENT_SIDE_ID,
  CREATION_DATE,
  EVENTS_BASE,
  exportedTrack,
  FIXED_HEADERS,
  headersOf,
  interceptBulk,
  launchDarklyHeaders,
  settings
} from './__helpers__'

const customEvent = (n: number): SegmentEvent =>
  exportedTrack('custom', `ld-${n}`, { key: `metric-${n}`, metricValue: n })
const ldCustom = (n: number) => ({
  kind: 'custom',
  creationDate: CREATION_DATE,
  key: `metric-${n}`,
  contextKeys: { user: 'user-123' },
  metricValue: n
})
/** What the action's default mapping makes of customEvent(n). */
const mapped = (n: number) => ({
  timestamp: '2026-11-26T00:59:49.876Z',
  key: `metric-${n}`,
  contextKeys: { user: 'user-123' },
  metricValue: n,
  messageId: `ld-${n}`
})
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

async function runBatch(events: SegmentEvent[], options: { settings?: typeof settings } = {}) {
  const testDestination = createTestIntegration(destination)
  await testDestination.testBatchAction('sendCustomEvent', {
    events,
    settings: options.settings ?? settings,
    useDefaultMappings: true
  })
  return testDestination.results[0].multistatus ?? []
}

describe('batches', () => {
  test('N events leave in one request, in order, with the payload ID of their messageIds', async () => {
    const requests = interceptBulk([202])
    const statuses = await runBatch(range(0, 5).map(customEvent))
    expect(requests).toHaveLength(1)
    expect(requests[0].body).toEqual(range(0, 5).map(ldCustom))
    expect(launchDarklyHeaders(requests[0])).toEqual({
      ...FIXED_HEADERS,
      'x-launchdarkly-payload-id': payloadIdFor(range(0, 5).map((n) => `ld-${n}`))
    })
    expect(statuses).toEqual(range(0, 5).map((n) => ({ status: 202, sent: ldCustom(n), body: '' })))
  })

  test('250 events at batch_size 100 (three batches from Segment) leave in three requests of 100, 100 and 50', async () => {
    const events = range(0, 250).map(customEvent)
    const batchSize = 100
    const requests = interceptBulk([202, 202, 202])
    for (let start = 0; start < events.length; start += batchSize) {
      const statuses = await runBatch(events.slice(start, start + batchSize))
      expect(statuses.every((s) => s.status === 202)).toBe(true)
    }
    expect(requests.map((r) => (r.body as unknown[]).length)).toEqual([100, 100, 50])
    expect(requests.flatMap((r) => r.body as unknown[])).toEqual(range(0, 250).map(ldCustom))
    expect(requests.map((r) => r.headers['x-launchdarkly-payload-id'])).toEqual([
      payloadIdFor(range(0, 100).map((n) => `ld-${n}`)),
      payloadIdFor(range(100, 200).map((n) => `ld-${n}`)),
      payloadIdFor(range(200, 250).map((n) => `ld-${n}`))
    ])
  })

  test('a retried batch carries the same payload ID', async () => {
    const requests = interceptBulk([503, 202])
    const events = range(0, 3).map(customEvent)
    expect((await runBatch(events)).map((s) => s.status)).toEqual([503, 503, 503])
    expect((await runBatch(events)).map((s) => s.status)).toEqual([202, 202, 202])
    expect(requests[1].headers['x-launchdarkly-payload-id']).toBe(requests[0].headers['x-launchdarkly-payload-id'])
  })

  test('the default batching fields', () => {
    for (const action of Object.values(destination.actions)) {
      expect(action.fields.enable_batching).toMatchObject({ type: 'boolean', default: true })
      expect(action.fields.batch_size).toMatchObject({ type: 'number', default: 100 })
      expect(typeof action.performBatch).toBe('function')
    }
  })
})

describe('the echo guard and invalid events in a batch', () => {
  test('they fail alone; the others are delivered in one request; a status for every event', async () => {
    const requests = interceptBulk([202])
    const events = [
      customEvent(0),
      exportedTrack('custom', 'ld-echo', { key: 'echoed', environment: CLIENT_SIDE_ID }),
      customEvent(2),
      exportedTrack('custom', 'ld-bad', { key: 'bad', contextKeys: { user: '' } }),
      exportedTrack('custom', 'ld-nokey', {}),
      customEvent(5)
    ]
    const statuses = await runBatch(events)
    expect(requests).toHaveLength(1)
    expect(requests[0].body).toEqual([ldCustom(0), ldCustom(2), ldCustom(5)])
    expect(requests[0].headers['x-launchdarkly-payload-id']).toBe(payloadIdFor(['ld-0', 'ld-2', 'ld-5']))
    expect(statuses).toEqual([
      { status: 202, sent: ldCustom(0), body: '' },
      {
        status: 400,
        errortype: 'PAYLOAD_VALIDATION_FAILED',
        errormessage:
          'The event came from the LaunchDarkly environment this destination sends to (its environment equals the Client-side ID setting), so it is not sent back: LaunchDarkly would count it twice.',
        errorreporter: 'INTEGRATIONS'
      },
      { status: 202, sent: ldCustom(2), body: '' },
      {
        status: 400,
        errortype: 'PAYLOAD_VALIDATION_FAILED',
        errormessage:
          'Cannot build a LaunchDarkly custom event: contextKeys key for kind "user" must be a non-empty string, found empty string',
        errorreporter: 'INTEGRATIONS'
      },
      {
        status: 400,
        errortype: 'PAYLOAD_VALIDATION_FAILED',
        errormessage: "The root value is missing the required field 'key'.",
        errorreporter: 'INTEGRATIONS'
      },
      { status: 202, sent: ldCustom(5), body: '' }
    ])
  })

  test('a batch of echoes sends nothing', async () => {
    const statuses = await runBatch([
      exportedTrack('custom', 'ld-echo', { key: 'echoed', environment: CLIENT_SIDE_ID })
    ])
    expect(statuses).toEqual([expect.objectContaining({ status: 400, errortype: 'PAYLOAD_VALIDATION_FAILED' })])
  })
})

describe('413: the batch is sent again in pieces sized by bytes', () => {
  /** Events of equal size: their JSON takes the same bytes, so pieces are counted in events. */
  const sized = (n: number) => exportedTrack('custom', `ld-${n}`, { key: `metric-${String(n).padStart(3, '0')}` })
  const ldSized = (n: number) => ({
    kind: 'custom',
    creationDate: CREATION_DATE,
    key: `metric-${String(n).padStart(3, '0')}`,
    contextKeys: { user: 'user-123' }
  })
  const bodyOf = (events: unknown[]) => Buffer.byteLength(JSON.stringify(events))

  /** LaunchDarkly refusing any body over `limit` bytes with 413; records every request. */
  function refusingOver(limit: number): Captured[] {
    const captured: Captured[] = []
    nock(EVENTS_BASE)
      .persist()
      .post(BULK_PATH)
      .reply(function (_uri, body) {
        captured.push({ headers: headersOf(this.req), body })
        return [bodyOf(body as unknown[]) > limit ? 413 : 202, '']
      })
    return captured
  }

  test('ten events that LaunchDarkly takes three at a time: 7 requests, within ⌈10/3⌉ + ⌈log2 10⌉ = 8; each event delivered once', async () => {
    const requests = refusingOver(bodyOf(range(0, 3).map(ldSized)))
    const statuses = await runBatch(range(0, 10).map(sized))
    expect(requests.map((r) => (r.body as unknown[]).length)).toEqual([10, 5, 2, 4, 3, 3, 2])
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(10 / 3) + Math.ceil(Math.log2(10)))
    const delivered = requests.filter((_, i) => ![0, 1, 3].includes(i)).flatMap((r) => r.body as unknown[])
    expect(delivered).toEqual(range(0, 10).map(ldSized))
    expect(requests.map((r) => r.headers['x-launchdarkly-payload-id'])).toEqual([
      payloadIdFor(range(0, 10).map((n) => `ld-${n}`)),
      payloadIdFor(range(0, 5).map((n) => `ld-${n}`)),
      payloadIdFor(['ld-0', 'ld-1']),
      payloadIdFor(['ld-2', 'ld-3', 'ld-4', 'ld-5']),
      payloadIdFor(['ld-2', 'ld-3', 'ld-4']),
      payloadIdFor(['ld-5', 'ld-6', 'ld-7']),
      payloadIdFor(['ld-8', 'ld-9'])
    ])
    expect(statuses).toEqual(range(0, 10).map((n) => ({ status: 202, sent: ldSized(n), body: '' })))
  })

  const huge = (n: number) =>
    exportedTrack('custom', `ld-${n}`, { key: `metric-${n}`, metricValue: n, data: { blob: 'x'.repeat(5000) } })
  const tooLarge = {
    status: 413,
    errortype: 'PAYLOAD_TOO_LARGE',
    errormessage: "The event is too large for LaunchDarkly's event ingestion API (HTTP 413), even sent alone."
  }
  const keysOf = (requests: Captured[]) => requests.map((r) => (r.body as Array<{ key: string }>).map((e) => e.key))

  test('an event too large alone is sent alone right after the first 413, and fails alone', async () => {
    const requests = refusingOver(1000)
    const statuses = await runBatch([huge(0), customEvent(1), customEvent(2), customEvent(3)])
    expect(keysOf(requests)).toEqual([
      ['metric-0', 'metric-1', 'metric-2', 'metric-3'],
      ['metric-0'],
      ['metric-1', 'metric-2', 'metric-3']
    ])
    expect(statuses).toEqual([
      { ...tooLarge, sent: expect.objectContaining({ key: 'metric-0' }), body: '', errorreporter: 'DESTINATION' },
      ...[1, 2, 3].map((n) => ({ status: 202, sent: ldCustom(n), body: '' }))
    ])
  })

  test('a later event at least as large as one refused alone fails without a request', async () => {
    const requests = refusingOver(1000)
    const statuses = await runBatch([huge(0), customEvent(1), huge(2)])
    expect(keysOf(requests)).toEqual([['metric-0', 'metric-1', 'metric-2'], ['metric-0'], ['metric-1']])
    expect(statuses).toEqual([
      { ...tooLarge, sent: expect.objectContaining({ key: 'metric-0' }), body: '', errorreporter: 'DESTINATION' },
      { status: 202, sent: ldCustom(1), body: '' },
      { ...tooLarge, errorreporter: 'INTEGRATIONS' }
    ])
  })

  test('perform: a single oversize event is a non-retryable error', async () => {
    interceptBulk([413])
    const error = await createTestIntegration(destination)
      .testAction('sendCustomEvent', { event: customEvent(0), settings, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrationError)
    expect(error).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: "The event is too large for LaunchDarkly's event ingestion API (HTTP 413), even sent alone."
    })
  })

  test('a piece that meets a 429: it and the pieces not yet sent are retryable, without more requests', async () => {
    const requests = interceptBulk([413, 202, 429])
    const statuses = await runBatch(range(0, 4).map(customEvent))
    expect(requests.map((r) => (r.body as unknown[]).length)).toEqual([4, 2, 2])
    const rateLimited = {
      status: 429,
      errortype: 'TOO_MANY_REQUESTS',
      errormessage: 'LaunchDarkly is rate limiting event ingestion (HTTP 429); Segment will retry.'
    }
    expect(statuses).toEqual([
      { status: 202, sent: ldCustom(0), body: '' },
      { status: 202, sent: ldCustom(1), body: '' },
      { ...rateLimited, sent: ldCustom(2), body: '', errorreporter: 'DESTINATION' },
      { ...rateLimited, sent: ldCustom(3), body: '', errorreporter: 'DESTINATION' }
    ])
  })
})

const ID_MESSAGE = (status: number) =>
  `LaunchDarkly did not accept the client-side ID (HTTP ${status}). Check the Client-side ID setting (clientSideId): copy it from Project settings → Environments in LaunchDarkly.`

describe('responses', () => {
  test.each([
    [401, 'INVALID_AUTHENTICATION', ID_MESSAGE(401)],
    [403, 'INVALID_AUTHENTICATION', ID_MESSAGE(403)],
    [404, 'INVALID_AUTHENTICATION', ID_MESSAGE(404)],
    [429, 'TOO_MANY_REQUESTS', 'LaunchDarkly is rate limiting event ingestion (HTTP 429); Segment will retry.'],
    [500, 'INTERNAL_SERVER_ERROR', "LaunchDarkly's event ingestion API failed (HTTP 500); Segment will retry."],
    [502, 'BAD_GATEWAY', "LaunchDarkly's event ingestion API failed (HTTP 502); Segment will retry."],
    [503, 'SERVICE_UNAVAILABLE', "LaunchDarkly's event ingestion API failed (HTTP 503); Segment will retry."]
  ])('batch: HTTP %i gives every event that status', async (status, errortype, message) => {
    interceptBulk([status])
    const statuses = await runBatch([customEvent(0), customEvent(1)])
    expect(statuses).toEqual(
      [0, 1].map((n) => ({
        status,
        errortype,
        errormessage: message,
        sent: ldCustom(n),
        body: '',
        errorreporter: 'DESTINATION'
      }))
    )
  })

  test("batch: another 4xx carries LaunchDarkly's own message", async () => {
    interceptBulk([
      {
        status: 400,
        body: { code: 'invalid_request', message: 'events must be\n an array' },
        headers: { 'content-type': 'application/json' }
      }
    ])
    const statuses = await runBatch([customEvent(0)])
    expect(statuses).toEqual([
      {
        status: 400,
        errortype: 'BAD_REQUEST',
        errormessage: 'LaunchDarkly rejected the events (HTTP 400): events must be an array',
        sent: ldCustom(0),
        body: { code: 'invalid_request', message: 'events must be\n an array' },
        errorreporter: 'DESTINATION'
      }
    ])
  })

  async function performError(reply: Parameters<typeof interceptBulk>[0][number]) {
    interceptBulk([reply])
    return createTestIntegration(destination)
      .testAction('sendCustomEvent', { event: customEvent(0), settings, useDefaultMappings: true })
      .catch((e: unknown) => e)
  }

  test.each([401, 403, 404])('perform: HTTP %i is a non-retryable authentication error', async (status) => {
    const error = await performError(status)
    expect(error).toBeInstanceOf(InvalidAuthenticationError)
    expect(error).toMatchObject({ status: 401, code: 'INVALID_AUTHENTICATION', message: ID_MESSAGE(status) })
  })

  test.each([
    [429, 429, 'LaunchDarkly is rate limiting event ingestion (HTTP 429); Segment will retry.'],
    [500, 500, "LaunchDarkly's event ingestion API failed (HTTP 500); Segment will retry."],
    [503, 503, "LaunchDarkly's event ingestion API failed (HTTP 503); Segment will retry."],
    // RetryableError takes only statuses Segment retries; 501 becomes 500 so it is retried.
    [501, 500, "LaunchDarkly's event ingestion API failed (HTTP 501); Segment will retry."]
  ])('perform: HTTP %i is retryable', async (replied, status, message) => {
    const error = await performError(replied)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({ status, code: 'RETRYABLE_ERROR', message })
  })

  test("perform: another 4xx is a non-retryable API error with LaunchDarkly's message", async () => {
    const error = await performError({ status: 422, body: 'unknown event kind' })
    expect(error).toBeInstanceOf(APIError)
    expect(error).toMatchObject({
      status: 422,
      code: '422',
      message: 'LaunchDarkly rejected the events (HTTP 422): unknown event kind'
    })
  })

  test('perform: a 4xx without a body', async () => {
    const error = await performError(409)
    expect(error).toMatchObject({ status: 409, message: 'LaunchDarkly rejected the events (HTTP 409).' })
  })

  test('perform: success returns what LaunchDarkly answered', async () => {
    interceptBulk([202])
    const responses = await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: customEvent(0),
      settings,
      useDefaultMappings: true
    })
    expect(responses.map((r) => r.status)).toEqual([202])
  })
})

describe('no response at all', () => {
  /**
   * actions-core gives up on a request after DEFAULT_REQUEST_TIMEOUT (10 s); that one timer
   * is made to fire at once, so the real timeout path runs without a fake clock (and with
   * jest 27's API, as action-destinations runs it).
   */
  function timeoutsAtOnce(): void {
    const setTimer = global.setTimeout
    jest
      .spyOn(global, 'setTimeout')
      .mockImplementation(((callback: () => void, ms?: number) =>
        setTimer(callback, ms === DEFAULT_REQUEST_TIMEOUT ? 1 : ms)) as unknown as typeof setTimeout)
  }
  afterEach(() => jest.restoreAllMocks())

  test('perform: a timeout is retryable', async () => {
    timeoutsAtOnce()
    nock(EVENTS_BASE).post(BULK_PATH).delay(60_000).reply(202)
    const error = await createTestIntegration(destination)
      .testAction('sendCustomEvent', { event: customEvent(0), settings, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({ status: 408, message: 'LaunchDarkly did not answer in time; Segment will retry.' })
  })

  test('batch: a timeout makes every event retryable', async () => {
    timeoutsAtOnce()
    nock(EVENTS_BASE).post(BULK_PATH).delay(60_000).reply(202)
    expect(await runBatch([customEvent(0), customEvent(1)])).toEqual(
      [0, 1].map((n) => ({
        status: 408,
        errortype: 'REQUEST_TIMEOUT',
        errormessage: 'LaunchDarkly did not answer in time; Segment will retry.',
        sent: ldCustom(n),
        errorreporter: 'DESTINATION'
      }))
    )
  })

  // actions-core's client (node-fetch) rejects with a FetchError carrying the socket's code.
  // Driven through a stand-in request function: nock's replyWithError makes the mocked
  // socket emit its error a second time, after node-fetch stopped listening.
  const unreachable = (code: string): RequestClient =>
    (async () => {
      throw Object.assign(new Error(`request to ${EVENTS_BASE}${BULK_PATH} failed, reason: connect ${code}`), {
        name: 'FetchError',
        code
      })
    }) as unknown as RequestClient

  test('batch: a connection error makes every event retryable', async () => {
    const statuses = await sendEvents(unreachable('ECONNRESET'), 'custom', {
      settings,
      payload: [mapped(0), mapped(1)]
    })
    expect(statuses.getAllResponses().map((r) => r.value())).toEqual(
      [0, 1].map((n) => ({
        status: 503,
        errortype: 'RETRYABLE_ERROR',
        errormessage: "Could not reach LaunchDarkly's event ingestion API (ECONNRESET); Segment will retry.",
        sent: ldCustom(n)
      }))
    )
  })

  test('perform: a connection error is retryable, and the URL is not in the message', async () => {
    const error = await sendEvent(unreachable('ECONNREFUSED'), 'custom', { settings, payload: mapped(0) }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({
      status: 503,
      message: "Could not reach LaunchDarkly's event ingestion API (ECONNREFUSED); Segment will retry."
    })
  })
})

describe('settings', () => {
  test('eventsBaseUrl (trailing slash and all) and a client-side ID with stray spaces', async () => {
    const requests = interceptBulk([202], '/events/bulk/abc-123', 'https://relay.example.com')
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: customEvent(0),
      settings: { clientSideId: '  abc-123 ', eventsBaseUrl: 'https://relay.example.com/' },
      useDefaultMappings: true
    })
    expect(requests).toHaveLength(1)
  })

  test('plain http is kept for a loopback host', async () => {
    const local = interceptBulk([202], '/events/bulk/abc', 'http://127.0.0.1:8030')
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: customEvent(0),
      settings: { clientSideId: 'abc', eventsBaseUrl: 'http://127.0.0.1:8030' },
      useDefaultMappings: true
    })
    expect(local).toHaveLength(1)
  })

  test.each([
    'http://relay.example.com:8443',
    'https://relay.example.com:8443/prefix',
    'https://user:secret@relay.example.com:8443',
    'https://relay.example.com:8443/?to=elsewhere#x'
  ])('eventsBaseUrl %s: only its https origin is used', async (eventsBaseUrl) => {
    const requests = interceptBulk([202], '/events/bulk/abc', 'https://relay.example.com:8443')
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: customEvent(0),
      settings: { clientSideId: 'abc', eventsBaseUrl },
      useDefaultMappings: true
    })
    expect(requests).toHaveLength(1)
    expect(requests[0].headers.authorization).toBeUndefined()
  })

  test.each(['events.launchdarkly.com', 'ftp://events.launchdarkly.com'])(
    'eventsBaseUrl %s fails without a request and without a retry',
    async (eventsBaseUrl) => {
      const error = await createTestIntegration(destination)
        .testAction('sendCustomEvent', {
          event: customEvent(0),
          settings: { clientSideId: CLIENT_SIDE_ID, eventsBaseUrl },
          useDefaultMappings: true
        })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(IntegrationError)
      expect(error).toMatchObject({
        status: 400,
        code: 'INVALID_SETTINGS',
        message: 'The eventsBaseUrl setting must be an https URL, such as https://events.launchdarkly.com.'
      })
    }
  )

  test.each([{}, { clientSideId: '  ' }])(
    'a missing client-side ID (%j) fails without a request and without a retry',
    async (given) => {
      const error = await createTestIntegration(destination)
        .testAction('sendCustomEvent', {
          event: customEvent(0),
          settings: given as typeof settings,
          useDefaultMappings: true
        })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(IntegrationError)
      expect(error).toMatchObject({
        status: 400,
        code: 'INVALID_SETTINGS',
        message: 'The Client-side ID setting (clientSideId) is empty.'
      })
    }
  )
})

test('a payload error keeps its class in perform (PayloadValidationError, non-retryable)', async () => {
  const error = await createTestIntegration(destination)
    .testAction('sendCustomEvent', {
      event: exportedTrack('custom', 'ld-x', { key: 'k', contextKeys: { user: '' } }),
      settings,
      useDefaultMappings: true
    })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(PayloadValidationError)
  expect(error).toMatchObject({ status: 400, code: 'PAYLOAD_VALIDATION_FAILED' })
})
