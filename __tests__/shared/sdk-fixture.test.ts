// Every event of a real Node server SDK /bulk request, converted with the exact Segment
// call written out: user, anonymous, multi-kind, org-only and legacy contexts;
// prerequisite, experiment, rule, off and debug evaluations; custom events with and
// without metricValue; skipped kinds.

import { convertDelivery, readDelivery, JsonObject, SegmentCall } from '../../shared'
import fixture from '../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_CALLS, SDK_FIXTURE_SETTINGS, SDK_FIXTURE_SUMMARY } from '../fixtures/node-server-sdk-bulk.expected'

const props = (c: SegmentCall) => (c.message as { properties?: JsonObject }).properties

const SETTINGS = SDK_FIXTURE_SETTINGS

function convert(settings: Parameters<typeof readDelivery>[1] = SETTINGS) {
  return convertDelivery(readDelivery(JSON.stringify(fixture.body), settings))
}

test('the SDK payload becomes exactly the Segment calls written out in the fixture', () => {
  expect(convert().calls).toEqual(SDK_FIXTURE_CALLS)
})

test('index, identify, summary and debug events are counted as skipped, never rejected', () => {
  expect(convert().summary).toEqual(SDK_FIXTURE_SUMMARY)
})

test("includeCustomData exports custom events' data", () => {
  const custom = convert({ ...SETTINGS, includeCustomData: true }).calls.filter(
    (c) => c.type === 'track' && c.message.event === 'custom'
  )
  expect(custom.map((c) => props(c)?.data)).toEqual([
    { sku: 'ABC-1', price: 19.99 },
    undefined,
    { from: 'silver' },
    undefined
  ])
  expect(custom.map((c) => c.message.messageId)).toEqual([
    'ld-9176208c7ef7b23f32adfc9f9a98b12d',
    'ld-d072dc6e0c352daa7031fbe105f95404',
    'ld-dac48cb79e43c0b57c4b9279bee5d660',
    'ld-93d433812f06e558200de8c14ee144df'
  ])
})

test('feature events with a variation ask for its name, once per flag', () => {
  const delivery = readDelivery(JSON.stringify(fixture.body), SETTINGS)
  expect(delivery.flags).toEqual(
    [
      'bool-tracked',
      'exp-flag',
      'rule-tracked',
      'fallthrough-tracked',
      'prereq-child',
      'prereq-parent',
      'off-flag',
      'excluded-flag'
    ].map((flagKey) => ({ project: 'proj-1', flagKey }))
  )
  const { calls } = convertDelivery(delivery, (project, flagKey, variation) =>
    flagKey === 'exp-flag' ? `${project}/${flagKey}/${variation}` : undefined
  )
  const exp = calls[2]
  expect(exp.type === 'track' && Object.keys(exp.message.properties)).toEqual([
    'environment',
    'project',
    'key',
    'contextKeys',
    'version',
    'value',
    'flagVersion',
    'variation',
    'variationName',
    'reasonKind',
    'inExperiment',
    'default'
  ])
  expect(exp.type === 'track' && exp.message.properties.variationName).toBe('proj-1/exp-flag/0')
  expect(calls.filter((c) => c.type === 'track' && 'variationName' in (props(c) ?? {}))).toHaveLength(1)
})
