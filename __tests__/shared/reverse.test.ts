// Segment → LaunchDarkly (design §5): mapped fields to native LaunchDarkly events.

import { isEcho, MappingError, toLaunchDarklyEvent } from '../../shared'

const common = {
  timestamp: '2026-11-26T00:59:49.876Z',
  key: 'k',
  contextKeys: { user: 'u1' },
  environment: 'env-x',
  project: 'p'
}

test('feature: every field, with reason and the export-only fields left out', () => {
  expect(
    toLaunchDarklyEvent('feature', {
      ...common,
      eventId: 'e1',
      value: { a: 1 },
      flagVersion: 3,
      variation: 1,
      variationName: 'B',
      reasonKind: 'RULE_MATCH',
      inExperiment: true,
      prereqOf: 'parent',
      default: false
    })
  ).toEqual({
    kind: 'feature',
    creationDate: 1795654789876,
    key: 'k',
    contextKeys: { user: 'u1' },
    value: { a: 1 },
    version: 3,
    variation: 1,
    reason: { kind: 'RULE_MATCH', inExperiment: true },
    prereqOf: 'parent'
  })
})

test("feature served the fallback: LaunchDarkly's default is the served value", () => {
  expect(toLaunchDarklyEvent('feature', { ...common, value: 'fb', default: true, inExperiment: false })).toEqual({
    kind: 'feature',
    creationDate: 1795654789876,
    key: 'k',
    contextKeys: { user: 'u1' },
    value: 'fb',
    default: 'fb'
  })
})

test('feature: default true with a variation is ignored; inExperiment false adds nothing; no value is null', () => {
  expect(
    toLaunchDarklyEvent('feature', { ...common, variation: 0, default: true, reasonKind: 'OFF', inExperiment: false })
  ).toEqual({
    kind: 'feature',
    creationDate: 1795654789876,
    key: 'k',
    contextKeys: { user: 'u1' },
    value: null,
    variation: 0,
    reason: { kind: 'OFF' }
  })
})

test('click, pageview and custom', () => {
  const base = { creationDate: 1795654789876, key: 'k', contextKeys: { user: 'u1' } }
  expect(toLaunchDarklyEvent('click', { ...common, url: 'https://x/', selector: '#buy' })).toEqual({
    kind: 'click',
    ...base,
    url: 'https://x/',
    selector: '#buy'
  })
  expect(toLaunchDarklyEvent('pageview', { ...common, url: 'https://x/' })).toEqual({
    kind: 'pageview',
    ...base,
    url: 'https://x/'
  })
  expect(toLaunchDarklyEvent('custom', { ...common, metricValue: 0, data: { sku: 'A' } })).toEqual({
    kind: 'custom',
    ...base,
    metricValue: 0,
    data: { sku: 'A' }
  })
  expect(toLaunchDarklyEvent('custom', { ...common, metricValue: 'NaN' })).toEqual({ kind: 'custom', ...base })
})

test('a numeric timestamp is taken as epoch milliseconds', () => {
  expect(toLaunchDarklyEvent('custom', { ...common, timestamp: 1700000000000 }).creationDate).toBe(1700000000000)
})

test.each([
  [{ ...common, key: '' }, 'key (flag or metric key) must be a non-empty string, found empty string'],
  [{ ...common, key: undefined }, 'key (flag or metric key) must be a non-empty string, found undefined'],
  [{ ...common, timestamp: 'not a date' }, 'timestamp must be an ISO-8601 date, found "not a date"'],
  [{ ...common, timestamp: undefined }, 'timestamp must be an ISO-8601 date, found undefined'],
  [{ ...common, contextKeys: undefined }, 'contextKeys must be an object, found undefined'],
  [{ ...common, contextKeys: { user: 5 } }, 'contextKeys key for kind "user" must be a non-empty string, found number'],
  [{ ...common, variation: 1.5 }, 'variation must be a non-negative integer, found number'],
  [{ ...common, reasonKind: 4 }, 'reason.kind must be a string, found number']
])('rejects %j', (fields, message) => {
  expect(() => toLaunchDarklyEvent('feature', fields)).toThrow(new MappingError(message))
})

test('echo guard: an event exported from the target environment', () => {
  expect(isEcho({ environment: 'client-side-id' }, 'client-side-id')).toBe(true)
  expect(isEcho({ environment: 'other' }, 'client-side-id')).toBe(false)
  expect(isEcho({}, 'client-side-id')).toBe(false)
})
