// Each action's request, body and headers exactly, for events in the export schema and
// for ordinary Segment calls mapped by the presets.

import { createTestIntegration, PayloadValidationError } from '@segment/actions-core'
import destination from '..'
import { payloadIdFor } from '../mapping'
import {
  CLIENT_SIDE_ID,
  CREATION_DATE,
  exportedPage,
  exportedTrack,
  FIXED_HEADERS,
  interceptBulk,
  launchDarklyHeaders,
  segmentEvent,
  settings,
  SOURCE_ENVIRONMENT,
  TIMESTAMP
} from './__helpers__'

const presetMapping = (name: string) => {
  const preset = destination.presets?.find((p) => p.name === name)
  if (!preset) throw new Error(`no preset ${name}`)
  return preset.mapping
}

describe('sendFeatureEvent', () => {
  test('an exported feature event: body and headers', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendFeatureEvent', {
      event: exportedTrack('feature', 'ld-0001', {
        key: 'exp-flag',
        eventId: 'evt-1',
        value: 'control',
        flagVersion: 12,
        variation: 0,
        variationName: 'Control',
        reasonKind: 'FALLTHROUGH',
        inExperiment: true,
        prereqOf: 'parent-flag',
        default: false
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests).toHaveLength(1)
    expect(requests[0].body).toEqual([
      {
        kind: 'feature',
        creationDate: CREATION_DATE,
        key: 'exp-flag',
        contextKeys: { user: 'user-123' },
        value: 'control',
        version: 12,
        variation: 0,
        reason: { kind: 'FALLTHROUGH', inExperiment: true },
        prereqOf: 'parent-flag'
      }
    ])
    expect(launchDarklyHeaders(requests[0])).toEqual({
      ...FIXED_HEADERS,
      'x-launchdarkly-payload-id': payloadIdFor(['ld-0001'])
    })
    // Client-side event ingestion takes no credentials; none may leak into the request.
    expect(requests[0].headers.authorization).toBeUndefined()
  })

  test('the payload ID is a UUID derived from the messageId alone', async () => {
    const first = interceptBulk([202, 202])
    const destinationUnderTest = createTestIntegration(destination)
    const event = exportedTrack('feature', 'ld-0001', { key: 'f', value: true, variation: 0 })
    await destinationUnderTest.testAction('sendFeatureEvent', { event, settings, useDefaultMappings: true })
    await destinationUnderTest.testAction('sendFeatureEvent', {
      event: { ...event, timestamp: '2030-01-01T00:00:00.000Z' },
      settings,
      useDefaultMappings: true
    })
    expect(first[0].headers['x-launchdarkly-payload-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    )
    expect(first[1].headers['x-launchdarkly-payload-id']).toBe(first[0].headers['x-launchdarkly-payload-id'])
  })

  test("served the fallback value: LaunchDarkly's default is the served value", async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendFeatureEvent', {
      event: exportedTrack('feature', 'ld-0002', {
        key: 'missing-flag',
        value: 'fallback',
        default: true,
        inExperiment: false,
        reasonKind: 'ERROR'
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'feature',
        creationDate: CREATION_DATE,
        key: 'missing-flag',
        contextKeys: { user: 'user-123' },
        value: 'fallback',
        reason: { kind: 'ERROR' },
        default: 'fallback'
      }
    ])
  })

  test.each([
    ['a boolean', true],
    ['a string', 'on'],
    ['a string that reads as JSON', '42'],
    ['a number', 2.5],
    ['zero', 0],
    ['an object', { a: { b: [1, null] } }],
    ['an array', [1, 'two']],
    ['null', null]
  ])('a flag value that is %s arrives unchanged', async (_name, value) => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendFeatureEvent', {
      event: exportedTrack('feature', 'ld-0003', { key: 'f', value, variation: 1 }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      { kind: 'feature', creationDate: CREATION_DATE, key: 'f', contextKeys: { user: 'user-123' }, value, variation: 1 }
    ])
  })

  test('an absent flag value is sent as null, as the export has it', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendFeatureEvent', {
      event: exportedTrack('feature', 'ld-0004', { key: 'f', variation: 1 }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'feature',
        creationDate: CREATION_DATE,
        key: 'f',
        contextKeys: { user: 'user-123' },
        value: null,
        variation: 1
      }
    ])
  })

  test('a value mapped to plain text that is not JSON is sent as that text', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendFeatureEvent', {
      event: exportedTrack('feature', 'ld-0005', { key: 'f', variation: 1, color: 'blue' }),
      settings,
      mapping: { value: { '@path': '$.properties.color' } },
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'feature',
        creationDate: CREATION_DATE,
        key: 'f',
        contextKeys: { user: 'user-123' },
        value: 'blue',
        variation: 1
      }
    ])
  })

  test('a multi-kind context and an epoch-milliseconds timestamp', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendFeatureEvent', {
      event: exportedTrack('feature', 'ld-0006', {
        key: 'f',
        value: { a: 2 },
        variation: 1,
        contextKeys: { user: 'user-123', org: 'org-9' }
      }),
      settings,
      mapping: { timestamp: CREATION_DATE },
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'feature',
        creationDate: CREATION_DATE,
        key: 'f',
        contextKeys: { user: 'user-123', org: 'org-9' },
        value: { a: 2 },
        variation: 1
      }
    ])
  })
})

describe('sendClickEvent', () => {
  test('an exported click event', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendClickEvent', {
      event: exportedTrack('click', 'ld-0101', {
        key: 'signup-button',
        url: 'https://example.com/pricing',
        selector: 'button.signup'
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'click',
        creationDate: CREATION_DATE,
        key: 'signup-button',
        contextKeys: { user: 'user-123' },
        url: 'https://example.com/pricing',
        selector: 'button.signup'
      }
    ])
    expect(launchDarklyHeaders(requests[0])).toEqual({
      ...FIXED_HEADERS,
      'x-launchdarkly-payload-id': payloadIdFor(['ld-0101'])
    })
  })
})

describe('sendPageViewEvent', () => {
  test('an exported page view event', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendPageViewEvent', {
      event: exportedPage('ld-0201', { key: 'pricing-page', url: 'https://example.com/pricing' }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'pageview',
        creationDate: CREATION_DATE,
        key: 'pricing-page',
        contextKeys: { user: 'user-123' },
        url: 'https://example.com/pricing'
      }
    ])
    expect(launchDarklyHeaders(requests[0])).toEqual({
      ...FIXED_HEADERS,
      'x-launchdarkly-payload-id': payloadIdFor(['ld-0201'])
    })
  })

  test('an ordinary page call that names a metric: user from userId, unauthenticatedUser from anonymousId', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendPageViewEvent', {
      event: segmentEvent({
        type: 'page',
        name: 'Pricing',
        messageId: 'msg-page-1',
        timestamp: TIMESTAMP,
        userId: 'u-42',
        anonymousId: 'anon-7',
        properties: { key: 'pricing-page', url: 'https://example.com/pricing', title: 'Pricing' }
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'pageview',
        creationDate: CREATION_DATE,
        key: 'pricing-page',
        contextKeys: { user: 'u-42', unauthenticatedUser: 'anon-7' },
        url: 'https://example.com/pricing'
      }
    ])
    expect(requests[0].headers['x-launchdarkly-payload-id']).toBe(payloadIdFor(['msg-page-1']))
  })
})

describe('sendCustomEvent', () => {
  test('an exported custom event', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: exportedTrack('custom', 'ld-0301', {
        key: 'purchase-completed',
        metricValue: 42.5,
        data: { sku: 'ABC-1', price: 19.99 }
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'custom',
        creationDate: CREATION_DATE,
        key: 'purchase-completed',
        contextKeys: { user: 'user-123' },
        metricValue: 42.5,
        data: { sku: 'ABC-1', price: 19.99 }
      }
    ])
    expect(launchDarklyHeaders(requests[0])).toEqual({
      ...FIXED_HEADERS,
      'x-launchdarkly-payload-id': payloadIdFor(['ld-0301'])
    })
  })

  test("an exported custom event with only a key and a context (LaunchDarkly's export drops data)", async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: exportedTrack('custom', 'ld-0302', { key: 'signup', metricValue: 0 }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      { kind: 'custom', creationDate: CREATION_DATE, key: 'signup', contextKeys: { user: 'user-123' }, metricValue: 0 }
    ])
  })

  describe('an ordinary track call through the "Track calls as custom events" preset', () => {
    const mapping = presetMapping('Track calls as custom events')

    test('key from the event name, metricValue from revenue, data from properties, context from both ids', async () => {
      const requests = interceptBulk([202])
      await createTestIntegration(destination).testAction('sendCustomEvent', {
        event: segmentEvent({
          type: 'track',
          event: 'Order Completed',
          messageId: 'msg-1',
          timestamp: TIMESTAMP,
          userId: 'u-42',
          anonymousId: 'anon-7',
          properties: { revenue: 99.5, value: 3, currency: 'USD', products: [{ sku: 'A' }] }
        }),
        settings,
        mapping
      })
      expect(requests[0].body).toEqual([
        {
          kind: 'custom',
          creationDate: CREATION_DATE,
          key: 'Order Completed',
          contextKeys: { user: 'u-42', unauthenticatedUser: 'anon-7' },
          metricValue: 99.5,
          data: { revenue: 99.5, value: 3, currency: 'USD', products: [{ sku: 'A' }] }
        }
      ])
      expect(launchDarklyHeaders(requests[0])).toEqual({
        ...FIXED_HEADERS,
        'x-launchdarkly-payload-id': payloadIdFor(['msg-1'])
      })
    })

    test("metricValue from value when there is no revenue; an anonymous visitor's context from anonymousId", async () => {
      const requests = interceptBulk([202])
      await createTestIntegration(destination).testAction('sendCustomEvent', {
        event: segmentEvent({
          type: 'track',
          event: 'Video Watched',
          messageId: 'msg-2',
          timestamp: TIMESTAMP,
          anonymousId: 'anon-7',
          properties: { value: 12 }
        }),
        settings,
        mapping
      })
      expect(requests[0].body).toEqual([
        {
          kind: 'custom',
          creationDate: CREATION_DATE,
          key: 'Video Watched',
          // As Segment's own LaunchDarkly destination keys an anonymous visitor.
          contextKeys: { user: 'anon-7', unauthenticatedUser: 'anon-7' },
          metricValue: 12,
          data: { value: 12 }
        }
      ])
    })

    test('no metric value; a revenue given as text is read as a number; properties.contextKeys wins', async () => {
      const requests = interceptBulk([202, 202])
      const testDestination = createTestIntegration(destination)
      await testDestination.testAction('sendCustomEvent', {
        event: segmentEvent({
          type: 'track',
          event: 'Signed Up',
          messageId: 'msg-3',
          timestamp: TIMESTAMP,
          userId: 'u-1',
          properties: {}
        }),
        settings,
        mapping
      })
      await testDestination.testAction('sendCustomEvent', {
        event: segmentEvent({
          type: 'track',
          event: 'Upgraded',
          messageId: 'msg-4',
          timestamp: TIMESTAMP,
          userId: 'u-1',
          properties: { revenue: '19.99', contextKeys: { org: 'org-9' } }
        }),
        settings,
        mapping
      })
      expect(requests[0].body).toEqual([
        { kind: 'custom', creationDate: CREATION_DATE, key: 'Signed Up', contextKeys: { user: 'u-1' }, data: {} }
      ])
      expect(requests[1].body).toEqual([
        {
          kind: 'custom',
          creationDate: CREATION_DATE,
          key: 'Upgraded',
          contextKeys: { org: 'org-9' },
          metricValue: 19.99,
          data: { revenue: '19.99', contextKeys: { org: 'org-9' } }
        }
      ])
    })
  })
})

describe("the export schema's version and its legacy kind name", () => {
  test('version 1 is read and not sent; a legacy anonymousUser goes back as the user kind', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: exportedTrack('custom', 'ld-0501', { key: 'k', version: 1, contextKeys: { anonymousUser: 'a-1' } }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      { kind: 'custom', creationDate: CREATION_DATE, key: 'k', contextKeys: { user: 'a-1' } }
    ])
  })

  test('an event of another schema version is refused, not sent', async () => {
    await expect(
      createTestIntegration(destination).testAction('sendCustomEvent', {
        event: exportedTrack('custom', 'ld-0502', { key: 'k', version: 2 }),
        settings,
        useDefaultMappings: true
      })
    ).rejects.toThrow(
      new PayloadValidationError(
        "Cannot build a LaunchDarkly custom event: version must be 1 (the version of LaunchDarkly's export schema this destination reads), found 2"
      )
    )
  })

  test("an ordinary track call's properties.version is the application's: the preset leaves it unmapped", async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: segmentEvent({
        type: 'track',
        event: 'App Opened',
        messageId: 'msg-5',
        timestamp: TIMESTAMP,
        userId: 'u-1',
        properties: { version: '2.3.1' }
      }),
      settings,
      mapping: presetMapping('Track calls as custom events')
    })
    expect(requests[0].body).toEqual([
      {
        kind: 'custom',
        creationDate: CREATION_DATE,
        key: 'App Opened',
        contextKeys: { user: 'u-1' },
        data: { version: '2.3.1' }
      }
    ])
  })
})

describe('events that cannot become LaunchDarkly events fail alone, before any request', () => {
  test.each([
    [
      { contextKeys: { user: '' } },
      'Cannot build a LaunchDarkly custom event: contextKeys key for kind "user" must be a non-empty string, found empty string'
    ],
    [
      { contextKeys: { user: 7 } },
      'Cannot build a LaunchDarkly custom event: contextKeys key for kind "user" must be a non-empty string, found number'
    ],
    [{ contextKeys: {} }, 'Cannot build a LaunchDarkly custom event: contextKeys is empty'],
    [
      { contextKeys: { 'no spaces allowed': 'x' } },
      'Cannot build a LaunchDarkly custom event: contextKeys key "no spaces allowed" is not a valid context kind ("no spaces allowed")'
    ]
  ])('%j', async (properties, message) => {
    const testDestination = createTestIntegration(destination)
    await expect(
      testDestination.testAction('sendCustomEvent', {
        event: exportedTrack('custom', 'ld-0401', { key: 'k', ...properties }),
        settings,
        useDefaultMappings: true
      })
    ).rejects.toThrow(new PayloadValidationError(message))
  })

  test('an event without a key fails field validation, and is not sent', async () => {
    await expect(
      createTestIntegration(destination).testAction('sendCustomEvent', {
        event: exportedTrack('custom', 'ld-0402', {}),
        settings,
        useDefaultMappings: true
      })
    ).rejects.toThrow("The root value is missing the required field 'key'.")
  })

  test("an echo: the event came from the destination's own environment", async () => {
    const error = await createTestIntegration(destination)
      .testAction('sendFeatureEvent', {
        event: exportedTrack('feature', 'ld-0403', {
          key: 'f',
          value: true,
          variation: 0,
          environment: CLIENT_SIDE_ID
        }),
        settings,
        useDefaultMappings: true
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PayloadValidationError)
    expect(error).toMatchObject({
      status: 400,
      message:
        'The event came from the LaunchDarkly environment this destination sends to (its environment equals the Client-side ID setting), so it is not sent back: LaunchDarkly would count it twice.'
    })
  })

  test('an event from another environment is sent', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendFeatureEvent', {
      event: exportedTrack('feature', 'ld-0404', {
        key: 'f',
        value: true,
        variation: 0,
        environment: SOURCE_ENVIRONMENT
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests).toHaveLength(1)
  })
})

describe('a missing or unreadable timestamp is the time of sending', () => {
  const SENT_AT = 1800000000000
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(SENT_AT))
  afterEach(() => jest.restoreAllMocks())

  test.each([
    ['missing', undefined],
    ['not a date', 'last tuesday'],
    ['a boolean', true]
  ])('%s', async (_name, timestamp) => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendCustomEvent', {
      event: { ...exportedTrack('custom', 'ld-0501', { key: 'k' }), timestamp: timestamp as string },
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([
      { kind: 'custom', creationDate: SENT_AT, key: 'k', contextKeys: { user: 'user-123' } }
    ])
  })
})

describe('sendAliasEvent', () => {
  const ldAlias = (previousKey: string, creationDate = CREATION_DATE) => ({
    kind: 'alias',
    key: 'user-123',
    contextKind: 'user',
    previousKey,
    previousContextKind: 'anonymousUser',
    creationDate
  })

  test('an identify call: its anonymousId becomes the previous key', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendAliasEvent', {
      event: segmentEvent({
        type: 'identify',
        messageId: 'id-1',
        timestamp: TIMESTAMP,
        userId: 'user-123',
        anonymousId: 'anon-9',
        traits: { plan: 'pro' }
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([ldAlias('anon-9')])
    expect(launchDarklyHeaders(requests[0])).toEqual({
      ...FIXED_HEADERS,
      'x-launchdarkly-payload-id': payloadIdFor(['id-1'])
    })
  })

  test('an alias call: its previousId wins over the anonymousId', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction('sendAliasEvent', {
      event: segmentEvent({
        type: 'alias',
        messageId: 'al-1',
        timestamp: TIMESTAMP,
        userId: 'user-123',
        previousId: 'old-key',
        anonymousId: 'anon-9'
      }),
      settings,
      useDefaultMappings: true
    })
    expect(requests[0].body).toEqual([ldAlias('old-key')])
  })

  test('an identify call without an anonymousId is refused before any request', async () => {
    await expect(
      createTestIntegration(destination).testAction('sendAliasEvent', {
        event: segmentEvent({ type: 'identify', messageId: 'id-2', timestamp: TIMESTAMP, userId: 'user-123' }),
        settings,
        useDefaultMappings: true
      })
    ).rejects.toThrow("The root value is missing the required field 'previousId'.")
  })

  test('a batch of identify calls: one request', async () => {
    const requests = interceptBulk([202])
    const identify = (n: number) =>
      segmentEvent({
        type: 'identify',
        messageId: `id-b${n}`,
        timestamp: TIMESTAMP,
        userId: 'user-123',
        anonymousId: `anon-${n}`
      })
    await createTestIntegration(destination).testBatchAction('sendAliasEvent', {
      events: [identify(1), identify(2)],
      settings,
      useDefaultMappings: true
    })
    expect(requests).toHaveLength(1)
    expect(requests[0].body).toEqual([ldAlias('anon-1'), ldAlias('anon-2')])
  })
})
