// The built source function (dist/sources/launchdarkly.js) in the Segment Functions
// sandbox: every input form end to end with the exact Segment calls, replays, bad events
// among good ones, and every whole-body rejection with its exact message.

import fc from 'fast-check'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_CALLS } from '../../fixtures/node-server-sdk-bulk.expected'
import { failure, loadSource, messageIdOf, SETTINGS, useLocalNetworkOnly } from './helpers'

useLocalNetworkOnly()

const EXPECTED =
  'Expected a Pub/Sub push, an audit-log entry, a Data Export record, a LaunchDarkly SDK event, a JSON array of records and events, or NDJSON'
const ORIGIN = { environment: 'env-1', project: 'proj-1' }
const SDK_BODY = JSON.stringify(fixture.body)

/** A feature evaluation as the SDK fixture has it, for the built-up bodies below. */
const feature = (i: number) => ({
  kind: 'feature',
  creationDate: 1795654789876 + i,
  context: { kind: 'user', key: `user-${i}` },
  key: 'bool-tracked',
  value: true,
  variation: 0,
  version: 7
})

describe('an SDK /bulk payload (node-server-sdk 9.13.7 fixture)', () => {
  it('emits exactly these 15 Segment calls, in order, and logs the summary', async () => {
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY, headers: fixture.headers, url: '/bulk' }, SETTINGS)
    expect(result).toMatchObject({
      ok: true,
      returned: { emitted: 15, skipped: { index: 5, debug: 1, identify: 2, summary: 1 }, rejected: [] }
    })
    expect(result.logs).toEqual(['launchdarkly: emitted 15, skipped index=5 debug=1 identify=2 summary=1, rejected 0'])
    expect(result.calls).toEqual(SDK_FIXTURE_CALLS)
  })

  it("exports custom events' data only with includeCustomData (true or 'true')", async () => {
    const source = await loadSource()
    const dataOf = (calls: Array<{ message: Record<string, unknown> }>) =>
      calls
        .filter((c) => c.message.event === 'custom')
        .map((c) => (c.message.properties as Record<string, unknown>).data)
    for (const includeCustomData of [true, 'true', ' TRUE ']) {
      const result = await source.invoke({ body: SDK_BODY }, { ...SETTINGS, includeCustomData })
      expect(dataOf(result.calls)).toEqual([{ sku: 'ABC-1', price: 19.99 }, undefined, { from: 'silver' }, undefined])
    }
    for (const includeCustomData of [false, 'false', '', undefined]) {
      const result = await source.invoke({ body: SDK_BODY }, { ...SETTINGS, includeCustomData })
      expect(dataOf(result.calls)).toEqual([undefined, undefined, undefined, undefined])
    }
  })

  it('trims pasted settings', async () => {
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY }, { projectId: '  proj-1 ', environmentId: '\tenv-1\n' })
    expect(result.calls[0].message.properties).toMatchObject(ORIGIN)
  })

  it('fails an SDK batch of summaries and feature events when no environment is configured: the skipped ones do not hide it', async () => {
    const source = await loadSource()
    const body = JSON.stringify([
      { kind: 'index', creationDate: 1, context: { kind: 'user', key: 'u' } },
      feature(0),
      { kind: 'summary', startDate: 1, endDate: 2, features: {} }
    ])
    const result = await source.invoke({ body }, { projectId: 'proj-1' })
    expect(failure(result)).toEqual({
      name: 'InvalidEventPayload',
      message:
        'No event of the delivery was exported: event 1: no environment: the payload carries none and the environmentId setting is empty (the others were of kinds that are not exported: index=1 summary=1)'
    })
  })

  it('keeps the summary of a delivery that exported nothing on the error, redacted, for a caller that reports each event', async () => {
    const source = await loadSource()
    const secret = 'api-secret-token-value'
    const body = JSON.stringify([
      { kind: 'index', creationDate: 1, context: { kind: 'user', key: 'u' } },
      feature(0),
      { kind: secret, creationDate: 1, context: { kind: 'user', key: 'u' } }
    ])
    const result = await source.invoke({ body }, { projectId: 'proj-1', accessToken: secret, environmentId: ' ' })
    expect(result.ok ? undefined : result.error.summary).toEqual({
      emitted: 0,
      skipped: { index: 1 },
      rejected: [
        { index: 1, reason: 'no environment: the payload carries none and the environmentId setting is empty' },
        { index: 2, reason: 'unknown kind "[redacted]"' }
      ]
    })
  })

  it('rejects every event, naming the setting, when neither the payload nor the settings give an environment', async () => {
    const source = await loadSource()
    const result = await source.invoke(
      { body: JSON.stringify([feature(0)]) },
      { projectId: 'proj-1', environmentId: '   ' }
    )
    expect(failure(result)).toEqual({
      name: 'InvalidEventPayload',
      message:
        'Every event of the delivery was rejected: event 0: no environment: the payload carries none and the environmentId setting is empty'
    })
  })
})

describe('Data Export records, Pub/Sub pushes and NDJSON', () => {
  const record = {
    project: 'proj-rec',
    environment: 'env-rec',
    version: 2,
    event: {
      kind: 'feature',
      id: 'evt-0001',
      creationDate: 1795654789876,
      key: 'exp-flag',
      contextKeys: { user: 'user-9', org: 'org-1' },
      value: 'treatment',
      variation: 1,
      variationName: 'Treatment',
      version: 12,
      reason: { kind: 'RULE_MATCH', inExperiment: true }
    }
  }
  const recordCall = {
    type: 'track',
    message: {
      event: 'feature',
      userId: 'user-9',
      properties: {
        // The record's project and environment win over the settings.
        environment: 'env-rec',
        project: 'proj-rec',
        key: 'exp-flag',
        contextKeys: { user: 'user-9', org: 'org-1' },
        eventId: 'evt-0001',
        // The record's schema version (design §3.3).
        version: 2,
        value: 'treatment',
        flagVersion: 12,
        variation: 1,
        variationName: 'Treatment',
        reasonKind: 'RULE_MATCH',
        inExperiment: true,
        default: false
      },
      timestamp: '2026-11-26T00:59:49.876Z',
      // design §3.9: an event with an id gets its messageId from environment|id.
      messageId: messageIdOf('env-rec|evt-0001')
    }
  }

  it('a record becomes one track call; its variationName needs no lookup', async () => {
    const source = await loadSource()
    // accessToken is set, yet no request is made (nock allows none): the record names its variation.
    const result = await source.invoke(
      { body: JSON.stringify(record) },
      { ...SETTINGS, accessToken: 'api-reader-token' }
    )
    expect(result).toMatchObject({ ok: true, logs: ['launchdarkly: emitted 1, skipped 0, rejected 0'] })
    expect(result.calls).toEqual([recordCall])
  })

  it('a Pub/Sub push carrying a record (base64) gives the same call', async () => {
    const source = await loadSource()
    const push = {
      message: {
        data: Buffer.from(JSON.stringify(record)).toString('base64'),
        messageId: '2070443601311540',
        publishTime: '2026-11-26T00:59:50.000Z'
      },
      subscription: 'projects/my-project/subscriptions/launchdarkly-to-segment'
    }
    const result = await source.invoke({ body: JSON.stringify(push) }, SETTINGS)
    expect(result).toMatchObject({ ok: true, logs: ['launchdarkly: emitted 1, skipped 0, rejected 0'] })
    expect(result.calls).toEqual([recordCall])
  })

  it('NDJSON mixes records and SDK events, one per line, blank lines ignored', async () => {
    const source = await loadSource()
    const click = {
      kind: 'click',
      creationDate: 1795654789900,
      key: 'buy-button',
      contextKeys: { user: 'user-9' },
      url: 'https://shop.example/p/1',
      selector: '#buy'
    }
    const pageview = {
      kind: 'pageview',
      creationDate: 1795654789901,
      key: 'product-page',
      contextKeys: { anonymousUser: 'anon-7' },
      url: 'https://shop.example/p/1'
    }
    const body = [
      JSON.stringify(record),
      '',
      JSON.stringify(click),
      JSON.stringify({ kind: 'summary', features: {} }),
      JSON.stringify(pageview),
      ''
    ].join('\n')
    const result = await source.invoke({ body }, SETTINGS)
    expect(result.logs).toEqual(['launchdarkly: emitted 3, skipped summary=1, rejected 0'])
    const clickId = messageIdOf(
      'env-1|' +
        JSON.stringify({
          contextKeys: { user: 'user-9' },
          creationDate: 1795654789900,
          key: 'buy-button',
          kind: 'click',
          selector: '#buy',
          url: 'https://shop.example/p/1'
        }) +
        '|0'
    )
    expect(result.calls).toEqual([
      recordCall,
      {
        type: 'track',
        message: {
          event: 'click',
          userId: 'user-9',
          properties: {
            ...ORIGIN,
            key: 'buy-button',
            contextKeys: { user: 'user-9' },
            version: 1,
            url: 'https://shop.example/p/1',
            selector: '#buy'
          },
          timestamp: '2026-11-26T00:59:49.900Z',
          messageId: clickId
        }
      },
      {
        type: 'page',
        message: {
          // The legacy name of an anonymous user is read as the user kind.
          userId: 'anon-7',
          properties: {
            ...ORIGIN,
            key: 'product-page',
            contextKeys: { user: 'anon-7' },
            version: 1,
            url: 'https://shop.example/p/1'
          },
          timestamp: '2026-11-26T00:59:49.901Z',
          messageId: expect.stringMatching(/^ld-[0-9a-f]{32}$/)
        }
      }
    ])
  })

  it('a legacy alias event becomes a Segment alias call', async () => {
    const source = await loadSource()
    const alias = {
      kind: 'alias',
      creationDate: 1795654789876,
      key: 'user-123',
      contextKind: 'user',
      previousKey: 'anon-456',
      previousContextKind: 'anonymousUser'
    }
    const result = await source.invoke({ body: JSON.stringify(alias) }, SETTINGS)
    expect(result.calls).toEqual([
      {
        type: 'alias',
        message: {
          userId: 'user-123',
          previousId: 'anon-456',
          timestamp: '2026-11-26T00:59:49.876Z',
          messageId: expect.stringMatching(/^ld-[0-9a-f]{32}$/)
        }
      }
    ])
  })
})

describe('replays', () => {
  it('a delivery replayed three times yields identical messageIds, warm or cold', async () => {
    const warm = await loadSource()
    const runs = [
      await warm.invoke({ body: SDK_BODY }, SETTINGS),
      await warm.invoke({ body: SDK_BODY }, SETTINGS),
      await (await loadSource()).invoke({ body: SDK_BODY }, SETTINGS)
    ]
    const ids = runs.map((run) => run.calls.map((call) => call.message.messageId))
    expect(ids[0]).toHaveLength(15)
    expect(new Set(ids[0]).size).toBe(15)
    expect(ids[1]).toEqual(ids[0])
    expect(ids[2]).toEqual(ids[0])
    expect(runs[2].calls).toEqual(runs[0].calls)
  })

  it('key order in the input does not change messageIds', async () => {
    const source = await loadSource()
    const reordered = (fixture.body as Array<Record<string, unknown>>).map((event) =>
      Object.fromEntries(Object.entries(event).reverse())
    )
    const a = await source.invoke({ body: SDK_BODY }, SETTINGS)
    const b = await source.invoke({ body: JSON.stringify(reordered) }, SETTINGS)
    expect(b.calls.map((c) => c.message.messageId)).toEqual(a.calls.map((c) => c.message.messageId))
  })
})

describe('bad events among good ones', () => {
  it('emits every good event and logs each rejected one with its index and reason', async () => {
    const source = await loadSource()
    const good = (key: string) => ({
      kind: 'custom',
      key,
      creationDate: 1795654789876,
      contextKeys: { user: 'user-1' }
    })
    const body = JSON.stringify([
      good('first'),
      { kind: 'mystery', creationDate: 1795654789876, contextKeys: { user: 'u' } },
      { kind: 'custom', key: 'no-context', creationDate: 1795654789876 },
      { kind: 'feature', key: 7, creationDate: 1795654789876, contextKeys: { user: 'u' } },
      'a string',
      { kind: 'index', creationDate: 1795654789876, contextKeys: { user: 'u' } },
      good('second'),
      { creationDate: 1795654789876 },
      { kind: 'custom', key: 'bad-date', creationDate: 'yesterday', contextKeys: { user: 'u' } },
      { kind: 'custom', key: 'bad-context', creationDate: 1795654789876, context: { kind: 'user', key: '' } }
    ])
    const result = await source.invoke({ body }, SETTINGS)
    expect(result).toMatchObject({ ok: true, returned: { emitted: 2, skipped: { index: 1 } } })
    expect(result.calls.map((c) => (c.message.properties as { key: string }).key)).toEqual(['first', 'second'])
    expect(result.logs).toEqual([
      'launchdarkly: emitted 2, skipped index=1, rejected 7 (' +
        'event 1: unknown kind "mystery"; ' +
        'event 2: event has no context (expected context, contextKeys, user or userKey); ' +
        'event 3: key (flag or metric key) must be a non-empty string, found number; ' +
        'event 4: element 4 is not a LaunchDarkly event or Data Export record: found a JSON string; ' +
        'event 7: element 7 has no kind: found an object with keys "creationDate"; ' +
        'event 8: creationDate must be epoch milliseconds, found string; ' +
        'event 9: context.key for kind "user" must be a non-empty string, found empty string)'
    ])
  })

  it("rejects alone an event whose Segment message would exceed Segment's 32 KB", async () => {
    const source = await loadSource()
    const huge = { ...feature(1), value: { blob: 'x'.repeat(33000) } }
    const result = await source.invoke({ body: JSON.stringify([feature(0), huge, feature(2)]) }, SETTINGS)
    expect(result.ok).toBe(true)
    expect(result.calls.map((c) => c.message.userId)).toEqual(['user-0', 'user-2'])
    expect(result.logs).toEqual([
      "launchdarkly: emitted 2, skipped 0, rejected 1 (event 1: the Segment message would be 33334 bytes, over Segment's limit of 32768 bytes (32 KB))"
    ])
  })

  it('fails the delivery when its only event is too large for Segment', async () => {
    const source = await loadSource()
    const huge = { ...feature(1), value: { blob: 'x'.repeat(33000) } }
    const result = await source.invoke({ body: JSON.stringify(huge) }, SETTINGS)
    expect(failure(result)).toEqual({
      name: 'InvalidEventPayload',
      message:
        "Every event of the delivery was rejected: event 0: the Segment message would be 33334 bytes, over Segment's limit of 32768 bytes (32 KB)"
    })
    expect(result.calls).toEqual([])
  })
})

describe('whole-body rejections (InvalidEventPayload, nothing emitted)', () => {
  const MAX = 512 * 1024
  it.each([
    ['an empty body', '', `${EXPECTED}; found an empty body`],
    ['a blank body', ' \n\t ', `${EXPECTED}; found an empty body`],
    [
      'text that is not JSON',
      'hello, segment',
      `${EXPECTED}; found text that is neither JSON nor NDJSON, starting "hello, segment"`
    ],
    ['a JSON number', '42', `${EXPECTED}; found a JSON number`],
    ['JSON null', 'null', `${EXPECTED}; found a JSON null`],
    ['an empty object', '{}', `${EXPECTED}; found an empty object`],
    ['an object of no known form', '{"hello":"world","n":1}', `${EXPECTED}; found an object with keys "hello", "n"`],
    [
      'an array whose every event is rejected',
      '[{"kind":"mystery"},{"kind":"custom"}]',
      'Every event of the delivery was rejected: event 0: unknown kind "mystery"; event 1: event has no context (expected context, contextKeys, user or userKey)'
    ],
    [
      'NDJSON whose every line is rejected',
      '{"a":1}\n{"b":2}\n',
      'Every event of the delivery was rejected: event 0: line 1 has no kind: found an object with keys "a"; event 1: line 2 has no kind: found an object with keys "b"'
    ],
    [
      'a Pub/Sub push whose data is not base64',
      '{"message":{"data":"not base64!"},"subscription":"s"}',
      'Expected Pub/Sub message.data to be base64; found a string that is not base64'
    ],
    [
      'a body over 512 KiB',
      '[' + ' '.repeat(MAX - 1) + ']',
      `Expected a body of at most ${MAX} bytes; found ${MAX + 1} bytes`
    ]
  ])('%s', async (_what, body, message) => {
    const source = await loadSource()
    const result = await source.invoke({ body }, SETTINGS)
    expect(failure(result)).toEqual({ name: 'InvalidEventPayload', message })
    expect(result.calls).toEqual([])
  })

  it('counts the limit in UTF-8 bytes, not characters', async () => {
    const source = await loadSource()
    // 'é' is two bytes: 262,144 of them are 512 KiB plus the brackets and quotes.
    const result = await source.invoke({ body: JSON.stringify(['é'.repeat(MAX / 2)]) }, SETTINGS)
    expect(failure(result)).toEqual({
      name: 'InvalidEventPayload',
      message: `Expected a body of at most ${MAX} bytes; found ${MAX + 4} bytes`
    })
  })

  it('a body of exactly 512 KiB of feature events is delivered whole', async () => {
    const source = await loadSource()
    const events = []
    let size = 2
    for (let i = 0; size < MAX - 400; i++) {
      const event = feature(i)
      size += JSON.stringify(event).length + 1
      events.push(event)
    }
    // Pad the last event's context with an attribute (not exported) to land on 512 KiB exactly.
    const last = events[events.length - 1] as ReturnType<typeof feature> & { context: Record<string, unknown> }
    last.context.note = ''
    last.context.note = 'p'.repeat(MAX - JSON.stringify(events).length)
    const body = JSON.stringify(events)
    expect(Buffer.byteLength(body)).toBe(MAX)

    const result = await source.invoke({ body }, SETTINGS)
    expect(result.ok).toBe(true)
    expect(result.calls).toHaveLength(events.length)
    expect(result.logs).toEqual([`launchdarkly: emitted ${events.length}, skipped 0, rejected 0`])
    expect(new Set(result.calls.map((c) => c.message.messageId)).size).toBe(events.length)
  })
})

describe('any input', () => {
  // Shapes close to real deliveries, with random values in every field, plus raw text.
  const anyEvent = fc.record(
    {
      kind: fc.oneof(
        fc.constantFrom('feature', 'custom', 'click', 'pageview', 'alias', 'index', 'summary'),
        fc.anything()
      ),
      key: fc.oneof(fc.string(), fc.anything()),
      creationDate: fc.oneof(fc.integer(), fc.double(), fc.anything()),
      context: fc.oneof(fc.record({ kind: fc.string(), key: fc.string() }), fc.anything()),
      contextKeys: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
      value: fc.anything(),
      variation: fc.oneof(fc.nat(), fc.anything()),
      reason: fc.anything()
    },
    { requiredKeys: [] }
  )
  const anyBody = fc.oneof(
    fc.string(),
    fc.json(),
    anyEvent.map((e) => JSON.stringify(e)),
    fc.array(anyEvent).map((a) => JSON.stringify(a)),
    fc.array(anyEvent).map((a) => a.map((e) => JSON.stringify(e)).join('\n')),
    fc.record({ project: fc.anything(), environment: fc.anything(), event: anyEvent }).map((r) => JSON.stringify(r))
  )

  it('ends in success or one of the typed errors of design §3.8, never a crash', async () => {
    const source = await loadSource()
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const result = await source.invoke({ body }, SETTINGS)
        if (result.ok) return
        expect(['InvalidEventPayload', 'ValidationError', 'RetryError']).toContain(result.error.name)
        expect(result.error.message).not.toMatch(/^Unexpected error/)
      }),
      { numRuns: 300 }
    )
  })
})
