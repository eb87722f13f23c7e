// One declaration, two interpreters (design §5.1): for the same Segment message, the
// Actions destination (its presets run by actions-core, as Segment runs them) and the
// destination function send LaunchDarkly the same events, or both send nothing: with
// every route on (the alias action added as a mapping, sendAliasEvents on), and with
// each as it is when first set up.

import { createTestIntegration, defaultValues } from '@segment/actions-core'
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

const presets = (destination.presets ?? []).map((preset) => {
  if (preset.type !== 'automatic') throw new TypeError('expected automatic presets')
  return {
    name: preset.name,
    subscribe: preset.subscribe,
    partnerAction: preset.partnerAction,
    mapping: preset.mapping
  }
})
/** The alias action has no preset: a user adds it as a mapping, with its default subscription and fields. */
const aliasAction = destination.actions.sendAliasEvent
const aliasMapping = {
  name: 'Alias users',
  subscribe: aliasAction.defaultSubscription as string,
  partnerAction: 'sendAliasEvent',
  mapping: defaultValues(aliasAction.fields)
}
const EVERY_ROUTE = { sendTrackAsCustom: true, sendAliasEvents: true }
const AS_SET_UP = { sendTrackAsCustom: true, sendAliasEvents: false }
const settingsWith = (subscriptions: unknown[]) =>
  ({ clientSideId: CLIENT_SIDE_ID, subscriptions } as unknown as JSONObject)
const everyRoute = settingsWith([...presets, aliasMapping])
const asSetUp = settingsWith(presets)

/** The time of sending in both, for events whose timestamp is missing or unreadable. */
const SENT_AT = 1800000000000

let sentByActions: unknown[] = []
beforeAll(() => {
  jest.spyOn(Date, 'now').mockReturnValue(SENT_AT)
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
  jest.restoreAllMocks()
  nock.cleanAll()
  nock.enableNetConnect()
})

/** What the Actions destination sends for `message`, through its presets. */
async function actions(message: Record<string, unknown>, settings = everyRoute): Promise<unknown[]> {
  sentByActions = []
  await createTestIntegration(destination)
    .onEvent(message as unknown as SegmentEvent, settings)
    .catch(() => undefined)
  return sentByActions
}

/** What the destination function's interpreter and the delivery core send for `message`. */
async function fromFunction(message: unknown, settings = EVERY_ROUTE): Promise<unknown[]> {
  const interpretation = interpret(message, settings)
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
    type: fc.constantFrom('track', 'track', 'track', 'page', 'page', 'identify', 'alias', 'screen'),
    event: fc.constantFrom('feature', 'click', 'custom', 'Order Completed', 'Feature', '', 42),
    messageId: fc.constantFrom('m-1', 'm-2'),
    timestamp: fc.oneof(
      { weight: 4, arbitrary: fc.constant(TIMESTAMP) },
      { weight: 1, arbitrary: fc.constantFrom('2026-11-26', 'yesterday', 1795654789876, true, null) }
    ),
    userId: fc.constantFrom('u-1', 'u-2', null, 7),
    anonymousId: fc.constantFrom('anon-1', null),
    previousId: fc.constantFrom('prev-1', '', null, 3),
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
    { type: 'track', event: 'Order Completed', anonymousId: 'a', properties: { revenue: '19.99', value: 2 } },
    { type: 'identify', userId: 'u', anonymousId: 'a', traits: { plan: 'pro' } },
    { type: 'alias', userId: 'u', previousId: 'p' },
    { type: 'alias', userId: 'u', previousId: 'p', timestamp: 'not a date' },
    { type: 'track', event: 'custom', userId: 'u', timestamp: undefined, properties: { key: 'k' } }
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
    fc.asyncProperty(message, fc.boolean(), fc.boolean(), async (generated, echo, setUp) => {
      const input: Record<string, unknown> = { ...generated }
      if (echo) input.properties = { ...(generated.properties ?? {}), environment: CLIENT_SIDE_ID }
      const sent = await fromFunction(input, setUp ? AS_SET_UP : EVERY_ROUTE)
      expect(sent).toEqual(await actions(input, setUp ? asSetUp : everyRoute))
      if (sent.length) sending++
    }),
    { numRuns: 400 }
  )
  // Not only refusals: a good share of the messages become events.
  expect(sending).toBeGreaterThan(25)
})

test('as first set up, neither sends alias events: identify and alias calls go nowhere', async () => {
  for (const call of [
    { type: 'identify', userId: 'u', anonymousId: 'a' },
    { type: 'alias', userId: 'u', previousId: 'p' }
  ]) {
    const full = { messageId: 'm', timestamp: TIMESTAMP, ...call }
    expect(await fromFunction(full, AS_SET_UP)).toEqual([])
    expect(await actions(full, asSetUp)).toEqual([])
    expect(await fromFunction(full)).toHaveLength(1)
  }
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
    // The function's sandbox has a clock of its own: its time of sending is read as SENT_AT.
    const realNow = () => performance.timeOrigin + performance.now()
    const before = Math.floor(realNow())
    await fn.call('onBatch', [batch, { clientSideId: CLIENT_SIDE_ID, eventsBaseUrl: ld.url, sendAliasEvents: true }])
    const after = Math.ceil(realNow())
    const received = ld.received
      .flatMap((r) => r.body as Array<{ creationDate: number }>)
      .map((e) => (e.creationDate >= before && e.creationDate <= after ? { ...e, creationDate: SENT_AT } : e))
    expect(received).toEqual(expected)
    expect(expected.length).toBeGreaterThan(10)
    expect(expected).toContainEqual(expect.objectContaining({ kind: 'alias' }))
    // 200 messages through actions-core, then the sandbox: past jest's 5 s on a busy machine.
  }, 60_000)
})
