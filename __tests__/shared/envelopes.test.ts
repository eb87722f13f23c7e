// Every input form of design §3.1 and every rejection of design §3.8, with exact messages.

import { createHash } from 'crypto'
import {
  EXPECTED_FORMS,
  NothingExported,
  convertDelivery,
  MAX_BODY_BYTES,
  PayloadError,
  readDelivery,
  readEnvelope,
  JsonObject,
  SegmentCall
} from '../../shared'

const props = (c: SegmentCall) => (c.message as { properties?: JsonObject }).properties

const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }
const custom = (key: string, extra: object = {}) => ({
  kind: 'custom',
  key,
  creationDate: 1700000000000,
  contextKeys: { user: 'u1' },
  ...extra
})
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

function run(body: string, settings = SETTINGS) {
  return convertDelivery(readDelivery(body, settings))
}

function payloadError(body: string): string {
  try {
    run(body)
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError)
    return (error as Error).message
  }
  throw new Error('expected a PayloadError')
}

describe('forms', () => {
  test('a single SDK event', () => {
    const { calls } = run(JSON.stringify(custom('signup')))
    expect(calls).toEqual([
      {
        type: 'track',
        message: {
          event: 'custom',
          userId: 'u1',
          properties: {
            environment: 'env-1',
            project: 'proj-1',
            key: 'signup',
            contextKeys: { user: 'u1' },
            version: 1
          },
          timestamp: '2023-11-14T22:13:20.000Z',
          messageId: expect.stringMatching(/^ld-[0-9a-f]{32}$/)
        }
      }
    ])
    expect(readEnvelope(JSON.stringify(custom('signup'))).form).toBe('event')
  })

  test('a Data Export record: its project and environment win, its id becomes eventId', () => {
    const record = {
      project: 'rec-proj',
      environment: 'rec-env',
      version: 2,
      event: {
        kind: 'feature',
        id: 'evt-1',
        key: 'flag',
        creationDate: 1700000000000,
        contextKeys: { user: 'u1' },
        value: 'b',
        variation: 1,
        version: 3,
        variationName: 'Treatment'
      }
    }
    const { calls } = run(JSON.stringify(record))
    expect(calls).toEqual([
      {
        type: 'track',
        message: {
          event: 'feature',
          userId: 'u1',
          properties: {
            environment: 'rec-env',
            project: 'rec-proj',
            key: 'flag',
            contextKeys: { user: 'u1' },
            eventId: 'evt-1',
            version: 2,
            value: 'b',
            flagVersion: 3,
            variation: 1,
            variationName: 'Treatment',
            inExperiment: false,
            default: false
          },
          timestamp: '2023-11-14T22:13:20.000Z',
          // sha256("rec-env|evt-1"), first 32 hex characters
          messageId: 'ld-' + createHash('sha256').update('rec-env|evt-1').digest('hex').slice(0, 32)
        }
      }
    ])
    expect(readEnvelope(JSON.stringify(record)).form).toBe('record')
  })

  test("a record's version is the schema version; one of the wrong type rejects its event", () => {
    const record = (version: unknown) => ({ project: 'p', environment: 'e', version, event: custom('v') })
    const body = [record(1), record(7), record(null), record('1'), record(-1), custom('sdk')]
    const { calls, summary } = run(JSON.stringify(body))
    expect(calls.map((c) => props(c)?.version)).toEqual([1, 7, 1, 1])
    expect(summary.rejected).toEqual([
      { index: 3, reason: 'record version must be a non-negative integer, found string' },
      { index: 4, reason: 'record version must be a non-negative integer, found number' }
    ])
  })

  test('a Pub/Sub push wrapping a Data Export record', () => {
    const record = { project: 'p', environment: 'e', version: 2, event: custom('pushed') }
    const push = {
      message: { data: b64(JSON.stringify(record)), messageId: '1', attributes: {} },
      subscription: 'projects/x/subscriptions/ld'
    }
    const envelope = readEnvelope(JSON.stringify(push))
    expect(envelope).toMatchObject({ form: 'record', pubsub: true })
    expect(run(JSON.stringify(push)).calls[0].message).toMatchObject({
      properties: { environment: 'e', project: 'p', key: 'pushed' }
    })
  })

  test('Pub/Sub data that is not UTF-8: one U+FFFD per byte that starts no whole sequence, and per whole sequence that is overlong, a surrogate or past U+10FFFF', () => {
    const bytes = [
      ...Buffer.from('{"kind":"custom","key":"'),
      ...[0xc3, 0xe0, 0x80, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xff, 0xf0, 0x9f, 0x98, 0x80, 0xe2, 0x82],
      ...Buffer.from('","creationDate":1700000000000,"contextKeys":{"user":"u1"}}')
    ]
    const push = { message: { data: Buffer.from(bytes).toString('base64') }, subscription: 's' }
    expect(props(run(JSON.stringify(push)).calls[0])?.key).toBe('\ufffd'.repeat(5) + '😀' + '\ufffd\ufffd')
  })

  test('a Pub/Sub push with URL-safe base64 and NDJSON inside', () => {
    const text = [custom('a'), custom('b')].map((e) => JSON.stringify(e)).join('\n')
    const urlSafe = b64(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    const push = { message: { data: urlSafe }, subscription: 's' }
    expect(readEnvelope(JSON.stringify(push))).toMatchObject({ form: 'ndjson', pubsub: true })
    expect(run(JSON.stringify(push)).calls.map((c) => props(c))).toMatchObject([{ key: 'a' }, { key: 'b' }])
  })

  test('an audit-log entry', () => {
    expect(readEnvelope(JSON.stringify({ _id: 'a1', date: 1, kind: 'flag', accesses: [] })).form).toBe('audit')
  })

  test('a JSON array mixing SDK events and records', () => {
    const body = [custom('a'), { project: 'p2', environment: 'e2', version: 2, event: custom('b') }]
    const { calls } = run(JSON.stringify(body))
    expect(calls.map((c) => props(c))).toMatchObject([
      { key: 'a', environment: 'env-1', project: 'proj-1' },
      { key: 'b', environment: 'e2', project: 'p2' }
    ])
  })

  test('NDJSON, with blank lines and a bad line rejected alone', () => {
    const body = `${JSON.stringify(custom('a'))}\n\n{"kind": oops}\r\n${JSON.stringify(custom('b'))}\n`
    const { calls, summary } = run(body)
    expect(calls.map((c) => props(c))).toMatchObject([{ key: 'a' }, { key: 'b' }])
    expect(summary.rejected).toEqual([{ index: 1, reason: 'line 2 is not valid JSON' }])
  })

  test('an empty array is a delivery with nothing in it', () => {
    expect(run('[]')).toEqual({ calls: [], summary: { emitted: 0, skipped: {}, rejected: [] } })
  })
})

describe('whole-body rejections (InvalidEventPayload)', () => {
  test.each([
    ['empty', '', `Expected ${EXPECTED_FORMS}; found an empty body`],
    ['whitespace', ' \n\t ', `Expected ${EXPECTED_FORMS}; found an empty body`],
    [
      'not JSON',
      'hello world',
      `Expected ${EXPECTED_FORMS}; found text that is neither JSON nor NDJSON, starting "hello world"`
    ],
    [
      'truncated JSON',
      '{"kind":"custom",',
      `Expected ${EXPECTED_FORMS}; found text that is neither JSON nor NDJSON, starting "{\\"kind\\":\\"custom\\","`
    ],
    [
      'no NDJSON line parses',
      'a\nb',
      `Expected ${EXPECTED_FORMS}; found text that is neither JSON nor NDJSON, starting "a\\nb"`
    ],
    ['a number', '42', `Expected ${EXPECTED_FORMS}; found a JSON number`],
    ['null', 'null', `Expected ${EXPECTED_FORMS}; found a JSON null`],
    ['a string', '"x"', `Expected ${EXPECTED_FORMS}; found a JSON string`],
    ['an empty object', '{}', `Expected ${EXPECTED_FORMS}; found an empty object`],
    [
      'an object of no known form',
      '{"foo":1,"bar":2}',
      `Expected ${EXPECTED_FORMS}; found an object with keys "foo", "bar"`
    ],
    [
      'Pub/Sub data not base64',
      '{"message":{"data":"***"},"subscription":"s"}',
      'Expected Pub/Sub message.data to be base64; found a string that is not base64'
    ],
    [
      'Pub/Sub data not a string',
      '{"message":{"data":5},"subscription":"s"}',
      'Expected Pub/Sub message.data to be base64; found number'
    ],
    [
      'Pub/Sub data empty',
      `{"message":{"data":"${b64('  ')}"},"subscription":"s"}`,
      'Expected Pub/Sub message.data to hold LaunchDarkly events; found empty data'
    ],
    [
      'Pub/Sub inside Pub/Sub',
      JSON.stringify({
        message: { data: b64(JSON.stringify({ message: { data: 'e30=' }, subscription: 's' })) },
        subscription: 's'
      }),
      'Expected Pub/Sub message.data to hold LaunchDarkly events; found another Pub/Sub push'
    ],
    [
      'every event rejected',
      '[{"kind":"nope"},{"kind":"custom"}]',
      'Every event of the delivery was rejected: event 0: unknown kind "nope"; event 1: event has no context (expected context, contextKeys, user or userKey)'
    ],
    [
      'nothing exported: skipped kinds do not mask rejections',
      '[{"kind":"index"},{"kind":"custom"},{"kind":"summary"},{"kind":"index"}]',
      'No event of the delivery was exported: event 1: event has no context (expected context, contextKeys, user or userKey) (the others were of kinds that are not exported: index=2 summary=1)'
    ]
  ])('%s', (_name, body, message) => {
    expect(payloadError(body)).toBe(message)
  })

  test('a body over 512 KiB', () => {
    const body = JSON.stringify([custom('x', { data: 'y'.repeat(MAX_BODY_BYTES) })])
    expect(payloadError(body)).toBe(`Expected a body of at most 524288 bytes; found ${Buffer.byteLength(body)} bytes`)
  })

  test('the limit counts UTF-8 bytes, not characters', () => {
    const body = JSON.stringify([custom('x', { data: 'é'.repeat(MAX_BODY_BYTES / 2) })])
    expect(body.length).toBeLessThan(MAX_BODY_BYTES + 100)
    expect(payloadError(body)).toMatch(/^Expected a body of at most 524288 bytes; found \d+ bytes$/)
  })

  test('messages never quote more than a short prefix of the body', () => {
    const secret = 'x'.repeat(30) + 'SECRET'
    expect(payloadError(secret)).not.toContain('SECRET')
  })
})

describe('per-event rejections: the rest of the delivery still goes out', () => {
  const ok = custom('ok')
  test.each([
    ['unknown kind', { kind: 'purchase' }, 'unknown kind "purchase"'],
    ['kind not a string', { kind: 7 }, 'kind must be a string, found number'],
    ['no kind', { key: 'k' }, 'element 0 has no kind: found an object with keys "key"'],
    ['not an object', 'custom', 'element 0 is not a LaunchDarkly event or Data Export record: found a JSON string'],
    [
      'no key',
      { ...custom('x'), key: undefined },
      'key (flag or metric key) must be a non-empty string, found undefined'
    ],
    ['empty key', custom(''), 'key (flag or metric key) must be a non-empty string, found empty string'],
    ['numeric key', custom('x', { key: 5 }), 'key (flag or metric key) must be a non-empty string, found number'],
    [
      'no context',
      { kind: 'custom', key: 'k', creationDate: 1 },
      'event has no context (expected context, contextKeys, user or userKey)'
    ],
    [
      'empty context key',
      custom('x', { contextKeys: { user: '' } }),
      'contextKeys key for kind "user" must be a non-empty string, found empty string'
    ],
    [
      'non-string context key',
      { kind: 'custom', key: 'k', creationDate: 1, context: { kind: 'org', key: 42 } },
      'context.key for kind "org" must be a non-empty string, found number'
    ],
    [
      'no creationDate',
      custom('x', { creationDate: undefined }),
      'creationDate must be epoch milliseconds, found undefined'
    ],
    [
      'creationDate as a string',
      custom('x', { creationDate: '1700000000000' }),
      'creationDate must be epoch milliseconds, found string'
    ],
    [
      'creationDate out of range',
      custom('x', { creationDate: 1e20 }),
      'creationDate must be epoch milliseconds, found number'
    ],
    [
      'variation not an integer',
      { ...custom('f'), kind: 'feature', variation: '1' },
      'variation must be a non-negative integer, found string'
    ],
    [
      'version negative',
      { ...custom('f'), kind: 'feature', version: -1 },
      'version must be a non-negative integer, found number'
    ],
    [
      'url not a string',
      { kind: 'click', key: 'k', creationDate: 1, contextKeys: { user: 'u' }, url: 3 },
      'url must be a string, found number'
    ],
    [
      'record environment not a string',
      { project: 'p', environment: 5, version: 2, event: custom('x') },
      'record environment must be a non-empty string, found number'
    ],
    [
      'deeply nested',
      custom('x', { data: JSON.parse('['.repeat(150) + ']'.repeat(150)) }),
      'event is nested more than 100 levels deep'
    ]
  ])('%s', (_name, bad, reason) => {
    const { calls, summary } = run(JSON.stringify([bad, ok]))
    expect(calls.map((c) => props(c))).toMatchObject([{ key: 'ok' }])
    expect(summary.rejected).toEqual([{ index: 0, reason }])
  })

  test('metricValue that is not a finite number is dropped, not rejected', () => {
    const { calls } = run(JSON.stringify([custom('a', { metricValue: '12' }), custom('b', { metricValue: null })]))
    expect(calls.map((c) => props(c))).toEqual([
      { environment: 'env-1', project: 'proj-1', key: 'a', contextKeys: { user: 'u1' }, version: 1 },
      { environment: 'env-1', project: 'proj-1', key: 'b', contextKeys: { user: 'u1' }, version: 1 }
    ])
  })

  test('an event with no environment anywhere names the environmentId setting', () => {
    const { summary } = run(
      JSON.stringify([custom('a'), { project: 'p', environment: 'e', version: 2, event: custom('b') }]),
      { projectId: 'p' } as typeof SETTINGS
    )
    expect(summary.rejected).toEqual([
      { index: 0, reason: 'no environment: the payload carries none and the environmentId setting is empty' }
    ])
  })

  test('an event with no project anywhere names the projectId setting', () => {
    const { summary } = run(
      JSON.stringify([custom('a'), custom('b')]).replace(
        ']',
        ',{"project":"p","environment":"e","event":' + JSON.stringify(custom('c')) + '}]'
      ),
      { environmentId: 'e' } as typeof SETTINGS
    )
    expect(summary.rejected).toEqual([
      { index: 0, reason: 'no project: the payload carries none and the projectId setting is empty' },
      { index: 1, reason: 'no project: the payload carries none and the projectId setting is empty' }
    ])
  })

  test('skipped kinds are not rejections, and a body of only skipped kinds is fine', () => {
    const body = [
      { kind: 'index' },
      { kind: 'summary' },
      { kind: 'diagnostic-init' },
      { kind: 'diagnostic' },
      { kind: 'migration_op' },
      { kind: 'click_pageview' },
      { kind: 'identify' },
      { kind: 'debug' }
    ]
    expect(run(JSON.stringify(body)).summary).toEqual({
      emitted: 0,
      skipped: {
        index: 1,
        summary: 1,
        'diagnostic-init': 1,
        diagnostic: 1,
        migration_op: 1,
        click_pageview: 1,
        identify: 1,
        debug: 1
      },
      rejected: []
    })
  })
})

describe('other kinds', () => {
  const base = { creationDate: 1700000000000, contextKeys: { user: 'u1' } }
  test('click and pageview', () => {
    const { calls } = run(
      JSON.stringify([
        { kind: 'click', key: 'cta', url: 'https://example.com/a', selector: 'button.buy', ...base },
        { kind: 'pageview', key: 'visit', url: 'https://example.com/b', ...base }
      ])
    )
    expect(calls).toEqual([
      {
        type: 'track',
        message: {
          event: 'click',
          userId: 'u1',
          properties: {
            environment: 'env-1',
            project: 'proj-1',
            key: 'cta',
            contextKeys: { user: 'u1' },
            version: 1,
            url: 'https://example.com/a',
            selector: 'button.buy'
          },
          timestamp: '2023-11-14T22:13:20.000Z',
          messageId: expect.any(String)
        }
      },
      {
        type: 'page',
        message: {
          userId: 'u1',
          properties: {
            environment: 'env-1',
            project: 'proj-1',
            key: 'visit',
            contextKeys: { user: 'u1' },
            version: 1,
            url: 'https://example.com/b'
          },
          timestamp: '2023-11-14T22:13:20.000Z',
          messageId: expect.any(String)
        }
      }
    ])
  })

  test('legacy alias events become alias calls', () => {
    const { calls } = run(
      JSON.stringify({
        kind: 'alias',
        key: 'known',
        previousKey: 'anon',
        contextKind: 'user',
        previousContextKind: 'anonymousUser',
        creationDate: 1700000000000
      })
    )
    expect(calls).toEqual([
      {
        type: 'alias',
        message: {
          userId: 'known',
          previousId: 'anon',
          timestamp: '2023-11-14T22:13:20.000Z',
          messageId: expect.stringMatching(/^ld-/)
        }
      }
    ])
  })

  test('a feature event served the fallback: no variation, default true, value kept', () => {
    const { calls } = run(
      JSON.stringify({ kind: 'feature', key: 'missing', value: 'fallback', default: 'fallback', ...base })
    )
    expect(calls[0].message).toMatchObject({ properties: { value: 'fallback', inExperiment: false, default: true } })
    expect('variation' in (calls[0].message as { properties: object }).properties).toBe(false)
  })

  test('a feature event without value exports value null', () => {
    const { calls } = run(JSON.stringify({ kind: 'feature', key: 'f', variation: 0, ...base }))
    expect(calls[0].message).toMatchObject({ properties: { value: null, variation: 0, default: false } })
  })
})

test('an SDK event without project and environment names both settings at once', () => {
  const reasons = (settings: object) => {
    try {
      convertDelivery(readDelivery(JSON.stringify([custom('k')]), settings))
    } catch (error) {
      if (error instanceof NothingExported) return error.summary.rejected.map((r) => r.reason)
      throw error
    }
    throw new Error('expected NothingExported')
  }
  expect(reasons({})).toEqual([
    'no environment or project: the payload has neither, and the environmentId setting and the projectId setting are empty'
  ])
  expect(reasons({ environmentId: 'env-1' })).toEqual([
    'no project: the payload carries none and the projectId setting is empty'
  ])
  expect(reasons({ projectId: 'proj-1' })).toEqual([
    'no environment: the payload carries none and the environmentId setting is empty'
  ])
})
