// One declaration, two interpreters (design §5.1): for the same Segment message, the
// Actions destination (its presets run by actions-core, as Segment runs them) and the
// destination function send LaunchDarkly the same events, or both send nothing.

import { createTestIntegration } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import fc from 'fast-check'
import nock from 'nock'
import destination from '../../../destinations/launchdarkly-events'
import { deliver } from '../../../destinations/launchdarkly-events/delivery'
import { interpret } from '../../../destinations/launchdarkly-events-function/interpreter'
import type { FunctionHandle } from '../../../runtime/sandbox/instance'
import { LaunchDarklyStandIn, launchDarklyStandIn, loadDestination } from './helpers'

const CLIENT_SIDE_ID = 'dest-env-0001'
const BASE = 'https://events.launchdarkly.com'

const subscriptions = (destination.presets ?? []).map((preset) => {
  if (preset.type !== 'automatic') throw new TypeError('expected automatic presets')
  return {
    name: preset.name,
    subscribe: preset.subscribe,
    partnerAction: preset.partnerAction,
    mapping: preset.mapping
  }
})
const actionsSettings = { clientSideId: CLIENT_SIDE_ID, subscriptions } as unknown as JSONObject

let sentByActions: unknown[] = []
beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
  nock(BASE)
    .persist()
    .post(`/events/bulk/${CLIENT_SIDE_ID}`)
    .reply((_uri, body) => {
      sentByActions.push(...(body as unknown[]))
      return [202, '']
    })
})
afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
})

/** What the Actions destination sends for `message`, through its presets. */
async function actions(message: Record<string, unknown>): Promise<unknown[]> {
  sentByActions = []
  await createTestIntegration(destination)
    .onEvent(message as unknown as SegmentEvent, actionsSettings)
    .catch(() => undefined)
  return sentByActions
}

/** What the destination function's interpreter and the delivery core send for `message`. */
async function fromFunction(message: unknown, sendTrackAsCustom = true): Promise<unknown[]> {
  const interpretation = interpret(message, { sendTrackAsCustom })
  if (!interpretation.ok) return []
  const sent: unknown[] = []
  await deliver({ clientSideId: CLIENT_SIDE_ID }, [interpretation.item], {
    userAgent: 'test',
    post: async ({ body }) => {
      sent.push(...(JSON.parse(body) as unknown[]))
      return { status: 202, body: '' }
    }
  })
  return sent
}

const TIMESTAMP = '2026-11-26T00:59:49.876Z'

/** Values of every kind a property may carry, Segment's conversions included (numbers as text, one-element arrays). */
const value = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -3, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.boolean(),
  fc.constantFrom(null, '', 'true', 'false', '12.5', '7', ' 3 ', 'Infinity', '0x10'),
  fc.constantFrom([], ['k'], [3], [null], [true], ['a', 'b'], { user: 'u-1' }, { user: '' }, { org: 'o', user: 'u' })
)
/** Mostly what the property should hold, sometimes anything. */
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: value as fc.Arbitrary<unknown> })
const properties = fc.record(
  {
    key: mostly(fc.constantFrom('flag-a', 'metric-b', 'page-c')),
    contextKeys: mostly(fc.constantFrom({ user: 'u-1' }, { org: 'o-1', user: 'u-2' }, { device: 'd' })),
    environment: mostly(fc.constantFrom('elsewhere', 'env-x')),
    value: value,
    flagVersion: mostly(fc.nat(50)),
    variation: mostly(fc.nat(3)),
    reasonKind: mostly(fc.constantFrom('OFF', 'RULE_MATCH')),
    inExperiment: mostly(fc.boolean()),
    prereqOf: mostly(fc.constantFrom('parent')),
    default: mostly(fc.boolean()),
    url: mostly(fc.constantFrom('https://e.com/a')),
    selector: mostly(fc.constantFrom('#b')),
    metricValue: mostly(fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 })),
    data: value,
    revenue: mostly(fc.constantFrom(1, 19.99, '5')),
    eventId: mostly(fc.constantFrom('e-1'))
  },
  { requiredKeys: [] }
)
const message = fc.record(
  {
    type: fc.constantFrom('track', 'track', 'track', 'page', 'page', 'identify', 'screen'),
    event: fc.constantFrom('feature', 'click', 'custom', 'Order Completed', 'Feature', '', 42),
    messageId: fc.constantFrom('m-1', 'm-2'),
    timestamp: fc.oneof(
      { weight: 4, arbitrary: fc.constant(TIMESTAMP) },
      { weight: 1, arbitrary: fc.constantFrom('2026-11-26', 'yesterday', 1795654789876, true, null) }
    ),
    userId: fc.constantFrom('u-1', 'u-2', null, 7),
    anonymousId: fc.constantFrom('anon-1', null),
    properties
  },
  { requiredKeys: ['type', 'messageId', 'timestamp'] }
)

test('well-formed messages of every route: the same events', async () => {
  const samples = [
    {
      type: 'track',
      event: 'feature',
      userId: 'u',
      properties: {
        key: 'f',
        value: false,
        variation: 0,
        flagVersion: 3,
        reasonKind: 'OFF',
        contextKeys: { user: 'u', org: 'o' }
      }
    },
    {
      type: 'track',
      event: 'feature',
      anonymousId: 'a',
      properties: { key: 'f', default: true, value: { x: [1] }, inExperiment: true }
    },
    { type: 'track', event: 'click', userId: 'u', properties: { key: 'c', url: 'https://e.com', selector: '#b' } },
    { type: 'page', userId: 'u', properties: { key: 'p', url: 'https://e.com/p', environment: 'elsewhere' } },
    { type: 'track', event: 'custom', userId: 'u', properties: { key: 'k', metricValue: 0, data: null } },
    { type: 'track', event: 'Signed Up', userId: 'u', properties: { value: 3, plan: 'pro' } },
    { type: 'track', event: 'Order Completed', anonymousId: 'a', properties: { revenue: '19.99', value: 2 } }
  ]
  for (const sample of samples) {
    const full = { messageId: 'm', timestamp: TIMESTAMP, ...sample }
    const sent = await fromFunction(full)
    expect(sent).toHaveLength(1)
    expect(await actions(full)).toEqual(sent)
  }
})

test('any message: the Actions destination and the function send the same LaunchDarkly events', async () => {
  let sending = 0
  await fc.assert(
    fc.asyncProperty(message, fc.boolean(), async (generated, echo) => {
      const input: Record<string, unknown> = { ...generated }
      if (echo) input.properties = { ...(generated.properties ?? {}), environment: CLIENT_SIDE_ID }
      const sent = await fromFunction(input)
      expect(sent).toEqual(await actions(input))
      if (sent.length) sending++
    }),
    { numRuns: 400 }
  )
  // Not only refusals: a good share of the messages become events.
  expect(sending).toBeGreaterThan(25)
})

describe('the built function agrees too', () => {
  let ld: LaunchDarklyStandIn
  let fn: FunctionHandle
  beforeAll(async () => {
    ld = await launchDarklyStandIn()
    fn = await loadDestination()
  })
  afterAll(() => ld.close())

  test('on a sample of generated messages, through onBatch', async () => {
    const batch = fc.sample(message, { numRuns: 200, seed: 11 }).map((m) => ({ ...m }))
    const expected: unknown[] = []
    for (const m of batch) expected.push(...(await actions(m)))
    await fn.call('onBatch', [batch, { clientSideId: CLIENT_SIDE_ID, eventsBaseUrl: ld.url }])
    expect(ld.received.flatMap((r) => r.body as unknown[])).toEqual(expected)
    expect(expected.length).toBeGreaterThan(10)
  })
})
