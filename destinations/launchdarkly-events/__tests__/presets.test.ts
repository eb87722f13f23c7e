// The presets and the actions' default subscriptions (design §5): each parsed by Segment's
// own FQL parser and matched against sample calls, and routed end to end: every call
// reaches at most one action.

import { createTestIntegration } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import { parseFql, validate } from '@segment/destination-subscriptions'
import destination from '..'
import {
  CLIENT_SIDE_ID,
  CREATION_DATE,
  exportedPage,
  exportedTrack,
  interceptBulk,
  segmentEvent,
  TIMESTAMP
} from './__helpers__'

const presets = destination.presets ?? []

const SAMPLES: Record<string, SegmentEvent> = {
  'exported feature event': exportedTrack('feature', 'ld-1', {
    key: 'flag',
    value: true,
    variation: 0,
    inExperiment: false,
    default: false
  }),
  'exported click event': exportedTrack('click', 'ld-2', {
    key: 'signup-button',
    url: 'https://example.com/',
    selector: '#signup'
  }),
  'exported custom event': exportedTrack('custom', 'ld-3', { key: 'purchase', metricValue: 3 }),
  'exported page view event': exportedPage('ld-4', { key: 'pricing-page', url: 'https://example.com/pricing' }),
  'ordinary track call': segmentEvent({
    type: 'track',
    event: 'Order Completed',
    messageId: 'm-5',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: { revenue: 10 }
  }),
  'track call named like a kind in another case': segmentEvent({
    type: 'track',
    event: 'Feature',
    messageId: 'm-6',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: {}
  }),
  'page call without a metric key': segmentEvent({
    type: 'page',
    name: 'Home',
    messageId: 'm-7',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: { url: 'https://example.com/' }
  }),
  'page call with a null key': segmentEvent({
    type: 'page',
    messageId: 'm-8',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: { key: null }
  }),
  'identify call': segmentEvent({
    type: 'identify',
    messageId: 'm-9',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    traits: { plan: 'pro' }
  }),
  'screen call': segmentEvent({
    type: 'screen',
    name: 'Home',
    messageId: 'm-10',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: { key: 'home' }
  }),
  'group call': segmentEvent({ type: 'group', groupId: 'g-1', messageId: 'm-11', timestamp: TIMESTAMP, userId: 'u-1' }),
  'alias call': segmentEvent({
    type: 'alias',
    previousId: 'anon-1',
    messageId: 'm-12',
    timestamp: TIMESTAMP,
    userId: 'u-1'
  }),
  'anonymous identify call': segmentEvent({
    type: 'identify',
    messageId: 'm-13',
    timestamp: TIMESTAMP,
    anonymousId: 'anon-1',
    traits: {}
  })
}

/** Which preset each sample should match: exactly one, or none. */
const EXPECTED: Record<keyof typeof SAMPLES, string | null> = {
  'exported feature event': 'Feature events',
  'exported click event': 'Click events',
  'exported custom event': 'Custom events',
  'exported page view event': 'Page view events',
  'ordinary track call': 'Track calls as custom events',
  // FQL compares event names exactly; "Feature" is an ordinary track call.
  'track call named like a kind in another case': 'Track calls as custom events',
  'page call without a metric key': null,
  'page call with a null key': null,
  'identify call': null,
  'screen call': null,
  'group call': null,
  'alias call': null,
  'anonymous identify call': null
}

/** Which samples each action's default subscription takes: its own kind's, and (alias) identify and alias calls with a userId. */
const DEFAULT_TAKES: Record<string, string[]> = {
  sendFeatureEvent: ['exported feature event'],
  sendClickEvent: ['exported click event'],
  sendPageViewEvent: ['exported page view event'],
  sendCustomEvent: ['exported custom event'],
  sendAliasEvent: ['identify call', 'alias call']
}

test('the five presets, each automatic and bound to an existing action', () => {
  expect(presets.map((p) => [p.name, p.type, p.partnerAction])).toEqual([
    ['Feature events', 'automatic', 'sendFeatureEvent'],
    ['Click events', 'automatic', 'sendClickEvent'],
    ['Page view events', 'automatic', 'sendPageViewEvent'],
    ['Custom events', 'automatic', 'sendCustomEvent'],
    ['Track calls as custom events', 'automatic', 'sendCustomEvent']
  ])
})

test.each(presets.map((p) => [p.name, p] as const))('%s: the subscription parses', (_name, preset) => {
  if (preset.type !== 'automatic') throw new Error('expected an automatic preset')
  expect(parseFql(preset.subscribe)).not.toHaveProperty('error')
})

test.each(presets.map((p) => [p.name, p] as const))('%s: every mapped field exists on its action', (_name, preset) => {
  const fields = Object.keys(destination.actions[preset.partnerAction].fields)
  expect(Object.keys(preset.mapping ?? {}).filter((key) => !fields.includes(key))).toEqual([])
})

test.each(Object.keys(SAMPLES))('%s matches exactly the expected preset', (sample) => {
  const matched = presets
    .filter((preset) => preset.type === 'automatic' && validate(parseFql(preset.subscribe), SAMPLES[sample]))
    .map((p) => p.name)
  const expected = EXPECTED[sample]
  expect(matched).toEqual(expected ? [expected] : [])
})

test.each(Object.keys(destination.actions))(
  '%s: its default subscription parses and takes exactly the expected calls',
  (slug) => {
    const fql = destination.actions[slug].defaultSubscription as string
    const parsed = parseFql(fql)
    expect(parsed).not.toHaveProperty('error')
    const taken = Object.keys(SAMPLES).filter((sample) => validate(parsed, SAMPLES[sample]))
    expect(taken).toEqual(DEFAULT_TAKES[slug])
  }
)

test('the catch-all preset does not take a track call the kind presets take', () => {
  const catchAll = presets.find((p) => p.name === 'Track calls as custom events')
  if (catchAll?.type !== 'automatic') throw new Error('no catch-all preset')
  for (const event of ['feature', 'click', 'custom']) {
    expect(validate(parseFql(catchAll.subscribe), segmentEvent({ type: 'track', event }))).toBe(false)
  }
})

describe('routing through the presets as Segment runs them', () => {
  const subscriptions = presets.map((preset) => {
    if (preset.type !== 'automatic') throw new Error('expected an automatic preset')
    return {
      name: preset.name,
      subscribe: preset.subscribe,
      partnerAction: preset.partnerAction,
      mapping: preset.mapping
    } as JSONObject
  })
  const settingsWithPresets = { clientSideId: CLIENT_SIDE_ID, subscriptions } as unknown as JSONObject

  test.each([
    [
      'exported feature event',
      {
        kind: 'feature',
        creationDate: CREATION_DATE,
        key: 'flag',
        contextKeys: { user: 'user-123' },
        value: true,
        variation: 0
      }
    ],
    [
      'exported click event',
      {
        kind: 'click',
        creationDate: CREATION_DATE,
        key: 'signup-button',
        contextKeys: { user: 'user-123' },
        url: 'https://example.com/',
        selector: '#signup'
      }
    ],
    [
      'exported custom event',
      {
        kind: 'custom',
        creationDate: CREATION_DATE,
        key: 'purchase',
        contextKeys: { user: 'user-123' },
        metricValue: 3
      }
    ],
    [
      'exported page view event',
      {
        kind: 'pageview',
        creationDate: CREATION_DATE,
        key: 'pricing-page',
        contextKeys: { user: 'user-123' },
        url: 'https://example.com/pricing'
      }
    ],
    [
      'ordinary track call',
      {
        kind: 'custom',
        creationDate: CREATION_DATE,
        key: 'Order Completed',
        contextKeys: { user: 'u-1' },
        metricValue: 10,
        data: { revenue: 10 }
      }
    ]
  ])('%s: one request, from the expected action', async (sample, sent) => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).onEvent(SAMPLES[sample], settingsWithPresets)
    expect(requests.map((r) => r.body)).toEqual([[sent]])
  })

  test.each(Object.keys(SAMPLES).filter((sample) => EXPECTED[sample] === null))('%s: no request', async (sample) => {
    const results = await createTestIntegration(destination).onEvent(SAMPLES[sample], settingsWithPresets)
    expect(results).toEqual(presets.map(() => ({ output: 'not subscribed' })))
  })

  test('a batch of mixed calls: each kind preset sends only its own', async () => {
    const requests = interceptBulk([202, 202, 202, 202, 202])
    const batch = Object.values(SAMPLES)
    const results = await createTestIntegration(destination).onBatch(batch, settingsWithPresets)
    const kinds = requests
      .map((r) => (r.body as Array<{ kind: string; key: string }>).map((e) => `${e.kind}:${e.key}`))
      .sort()
    expect(kinds).toEqual([
      ['click:signup-button'],
      ['custom:Order Completed', 'custom:Feature'],
      ['custom:purchase'],
      ['feature:flag'],
      ['pageview:pricing-page']
    ])
    // One multistatus per preset, each with a status for every call of the batch.
    expect(results).toHaveLength(presets.length)
    for (const result of results) expect(result.multistatus).toHaveLength(batch.length)
  })
})
