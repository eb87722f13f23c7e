// Segment → LaunchDarkly (design §5): mapped fields to native LaunchDarkly events.

import { isEcho, JsonObject, LaunchDarklyKind, MappingError, toLaunchDarklyEvent as build } from '../../shared'

/** The time of sending the tests pass: what a missing or unreadable timestamp becomes. */
const SENT_AT = 1800000000000
const toLaunchDarklyEvent = (kind: LaunchDarklyKind, fields: JsonObject) => build(kind, fields, SENT_AT)

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

test('a numeric timestamp is taken as epoch milliseconds, as are its digits as text', () => {
  expect(toLaunchDarklyEvent('custom', { ...common, timestamp: 1700000000000 }).creationDate).toBe(1700000000000)
  expect(toLaunchDarklyEvent('custom', { ...common, timestamp: '1700000000000' }).creationDate).toBe(1700000000000)
})

test.each([
  ['missing', undefined],
  ['null', null],
  ['empty', ''],
  ['not a date', 'not a date'],
  ['a boolean', true],
  ['an object', { at: 1 }],
  ['out of range', 8.65e15],
  ['too many digits', '12345678901234567']
])('a timestamp that is %s becomes the time of sending', (_name, timestamp) => {
  expect(toLaunchDarklyEvent('feature', { ...common, timestamp }).creationDate).toBe(SENT_AT)
})

test('alias: the legacy event that links an anonymous user to a known one', () => {
  expect(
    toLaunchDarklyEvent('alias', { userId: 'user-1', previousId: 'anon-1', timestamp: '2026-11-26T00:59:49.876Z' })
  ).toEqual({
    kind: 'alias',
    key: 'user-1',
    contextKind: 'user',
    previousKey: 'anon-1',
    previousContextKind: 'anonymousUser',
    creationDate: 1795654789876
  })
  expect(toLaunchDarklyEvent('alias', { userId: 'user-1', previousId: 'anon-1' }).creationDate).toBe(SENT_AT)
})

test.each([
  [{ previousId: 'anon-1' }, 'userId (user key) must be a non-empty string, found undefined'],
  [{ userId: 'user-1', previousId: '' }, 'previousId (previous key) must be a non-empty string, found empty string'],
  [{ userId: 7, previousId: 'anon-1' }, 'userId (user key) must be a non-empty string, found number']
])('alias rejects %j', (fields, message) => {
  expect(() => toLaunchDarklyEvent('alias', fields)).toThrow(new MappingError(message))
})

test.each([
  [{ ...common, key: '' }, 'key (flag or metric key) must be a non-empty string, found empty string'],
  [{ ...common, key: undefined }, 'key (flag or metric key) must be a non-empty string, found undefined'],
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
