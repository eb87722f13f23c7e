// Every event of a real Node server SDK /bulk request, converted with the exact Segment
// call written out: user, anonymous, multi-kind, org-only and legacy contexts;
// prerequisite, experiment, rule, off and debug evaluations; custom events with and
// without metricValue; skipped kinds.

import { finishDelivery, flagsToName, readDelivery , JsonObject, SegmentCall } from '../../shared'
import fixture from '../fixtures/node-server-sdk-bulk.json'

const props = (c: SegmentCall) => (c.message as { properties?: JsonObject }).properties

const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }
const ORIGIN = { environment: 'env-1', project: 'proj-1' }
const ADA = { user: 'user-123' }

function convert(settings: Parameters<typeof readDelivery>[1] = SETTINGS) {
  return finishDelivery(readDelivery(JSON.stringify(fixture.body), settings))
}

test('the SDK payload becomes exactly these Segment calls', () => {
  const { calls } = convert()
  expect(calls).toEqual([
    {
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'bool-tracked', contextKeys: ADA, value: true, flagVersion: 7, variation: 0, inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.876Z',
        messageId: 'ld-d5dfdb71cee77f70d8a1fad54355a558'
      }
    },
    {
      // The same evaluation a millisecond later is a distinct event with its own id.
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'bool-tracked', contextKeys: ADA, value: true, flagVersion: 7, variation: 0, inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.877Z',
        messageId: 'ld-8b6eeb0b8c946a55784f24d9e88b8c3b'
      }
    },
    {
      // Experiment traffic.
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'exp-flag', contextKeys: ADA, value: 'control', flagVersion: 12, variation: 0, reasonKind: 'FALLTHROUGH', inExperiment: true, default: false },
        timestamp: '2026-11-26T00:59:49.877Z',
        messageId: 'ld-b6273086531865d5aac7c0d76240df05'
      }
    },
    {
      // Rule match: ruleId and ruleIndex are not part of the export.
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'rule-tracked', contextKeys: ADA, value: 2, flagVersion: 5, variation: 1, reasonKind: 'RULE_MATCH', inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.878Z',
        messageId: 'ld-c3f69ece4bc81983035dff1f1f133788'
      }
    },
    {
      // Multi-kind context: the user kind gives the userId; every kind is in contextKeys.
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: {
          ...ORIGIN,
          key: 'fallthrough-tracked',
          contextKeys: { user: 'user-123', org: 'org-9' },
          value: { a: 2 },
          flagVersion: 2,
          variation: 1,
          reasonKind: 'FALLTHROUGH',
          inExperiment: false,
          default: false
        },
        timestamp: '2026-11-26T00:59:49.878Z',
        messageId: 'ld-ad091d5de95d94f0fdb37bdc173bc868'
      }
    },
    {
      // Prerequisite evaluation.
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'prereq-child', contextKeys: ADA, value: true, flagVersion: 4, variation: 0, inExperiment: false, prereqOf: 'prereq-parent', default: false },
        timestamp: '2026-11-26T00:59:49.878Z',
        messageId: 'ld-72f2ba2e1ede42126167eb77c88ea447'
      }
    },
    {
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'prereq-parent', contextKeys: ADA, value: 'on-value', flagVersion: 9, variation: 0, inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.878Z',
        messageId: 'ld-e77212ae3781ce8b33d0c5a2831afb33'
      }
    },
    // (the debug event in between is skipped)
    {
      // Org-only context: no user kind, so the canonical key becomes the anonymousId.
      type: 'track',
      message: {
        event: 'feature',
        anonymousId: 'org:org-only-1',
        properties: { ...ORIGIN, key: 'off-flag', contextKeys: { org: 'org-only-1' }, value: 'b', flagVersion: 6, variation: 1, inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.879Z',
        messageId: 'ld-43dc9abda2fa336dc9c59c7f7f606b34'
      }
    },
    {
      type: 'track',
      message: {
        event: 'feature',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'excluded-flag', contextKeys: ADA, value: true, flagVersion: 1, variation: 0, inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.879Z',
        messageId: 'ld-451ccca9fa006d7345d9f117edb18a19'
      }
    },
    {
      // Legacy-shaped user (custom attributes such as groups are never exported).
      type: 'track',
      message: {
        event: 'feature',
        userId: 'legacy-user-1',
        properties: { ...ORIGIN, key: 'bool-tracked', contextKeys: { user: 'legacy-user-1' }, value: true, flagVersion: 7, variation: 0, inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.879Z',
        messageId: 'ld-a49d213e53ac250fe9546485ad9699bf'
      }
    },
    {
      // An anonymous *user* context is still of kind user: its key is the userId.
      type: 'track',
      message: {
        event: 'feature',
        userId: 'anon-456',
        properties: { ...ORIGIN, key: 'bool-tracked', contextKeys: { user: 'anon-456' }, value: true, flagVersion: 7, variation: 0, reasonKind: 'FALLTHROUGH', inExperiment: false, default: false },
        timestamp: '2026-11-26T00:59:49.879Z',
        messageId: 'ld-c828bf7312a31e88c9d9f2baa741d11d'
      }
    },
    {
      // Custom event: data is dropped by default, as LaunchDarkly's own export does.
      type: 'track',
      message: {
        event: 'custom',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'purchase-completed', contextKeys: ADA, metricValue: 42.5 },
        timestamp: '2026-11-26T00:59:49.879Z',
        messageId: 'ld-9176208c7ef7b23f32adfc9f9a98b12d'
      }
    },
    {
      // Without metricValue.
      type: 'track',
      message: {
        event: 'custom',
        userId: 'anon-456',
        properties: { ...ORIGIN, key: 'signup', contextKeys: { user: 'anon-456' } },
        timestamp: '2026-11-26T00:59:49.880Z',
        messageId: 'ld-d072dc6e0c352daa7031fbe105f95404'
      }
    },
    {
      type: 'track',
      message: {
        event: 'custom',
        userId: 'user-123',
        properties: { ...ORIGIN, key: 'org-upgraded', contextKeys: { user: 'user-123', org: 'org-9' } },
        timestamp: '2026-11-26T00:59:49.880Z',
        messageId: 'ld-dac48cb79e43c0b57c4b9279bee5d660'
      }
    },
    {
      // metricValue 0 is a value, not an absence.
      type: 'track',
      message: {
        event: 'custom',
        anonymousId: 'org:org-only-1',
        properties: { ...ORIGIN, key: 'metric-only', contextKeys: { org: 'org-only-1' }, metricValue: 0 },
        timestamp: '2026-11-26T00:59:49.880Z',
        messageId: 'ld-93d433812f06e558200de8c14ee144df'
      }
    }
  ])
})

test('index, identify, summary and debug events are counted as skipped, never rejected', () => {
  expect(convert().summary).toEqual({ emitted: 15, skipped: { index: 5, debug: 1, identify: 2, summary: 1 }, rejected: [] })
})

test('includeCustomData exports custom events\' data', () => {
  const custom = convert({ ...SETTINGS, includeCustomData: true }).calls.filter((c) => c.type === 'track' && c.message.event === 'custom')
  expect(custom.map((c) => props(c)?.data)).toEqual([{ sku: 'ABC-1', price: 19.99 }, undefined, { from: 'silver' }, undefined])
  expect(custom.map((c) => c.message.messageId)).toEqual([
    'ld-9176208c7ef7b23f32adfc9f9a98b12d',
    'ld-d072dc6e0c352daa7031fbe105f95404',
    'ld-dac48cb79e43c0b57c4b9279bee5d660',
    'ld-93d433812f06e558200de8c14ee144df'
  ])
})

test('feature events with a variation ask for its name, once per flag', () => {
  const delivery = readDelivery(JSON.stringify(fixture.body), SETTINGS)
  expect(flagsToName(delivery)).toEqual(
    ['bool-tracked', 'exp-flag', 'rule-tracked', 'fallthrough-tracked', 'prereq-child', 'prereq-parent', 'off-flag', 'excluded-flag'].map((flagKey) => ({ project: 'proj-1', flagKey }))
  )
  const { calls } = finishDelivery(delivery, (project, flagKey, variation) => (flagKey === 'exp-flag' ? `${project}/${flagKey}/${variation}` : undefined))
  const exp = calls[2]
  expect(exp.type === 'track' && Object.keys(exp.message.properties)).toEqual([
    'environment', 'project', 'key', 'contextKeys', 'value', 'flagVersion', 'variation', 'variationName', 'reasonKind', 'inExperiment', 'default'
  ])
  expect(exp.type === 'track' && exp.message.properties.variationName).toBe('proj-1/exp-flag/0')
  expect(calls.filter((c) => c.type === 'track' && 'variationName' in (props(c) ?? {}))).toHaveLength(1)
})
