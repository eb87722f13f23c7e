// Property-based tests (fast-check): round trips keep every exported field, arbitrary
// input only ever fails with the typed errors, and message ids behave as design §3.9 says.

import fc from 'fast-check'
import {
  EXPORT_KINDS,
  ExportKind,
  convertDelivery,
  JsonObject,
  PayloadError,
  propertiesOf,
  readDelivery,
  SegmentCall,
  toLaunchDarklyEvent
} from '../../shared'
import fixture from '../fixtures/node-server-sdk-bulk.json'

const SETTINGS = { projectId: 'proj', environmentId: 'env', includeCustomData: true }

const key = fc.string({ minLength: 1, maxLength: 12 })
const kindName = fc.oneof(
  fc.constant('user'),
  fc.constant('org'),
  fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/).filter((k) => k !== 'kind' && k !== 'multi')
)
const contextKeys = fc.dictionary(kindName, key, { minKeys: 1, maxKeys: 3 })

/** The same context, written in each of the forms design §3.5 accepts. */
const withContext = contextKeys.chain((keys) => {
  const kinds = Object.keys(keys)
  const forms: Array<fc.Arbitrary<JsonObject>> = [fc.constant({ contextKeys: keys })]
  if (kinds.length === 1) forms.push(fc.constant({ context: { kind: kinds[0], key: keys[kinds[0]], name: 'n' } }))
  else
    forms.push(
      fc.constant({
        context: { kind: 'multi', ...Object.fromEntries(kinds.map((k) => [k, { key: keys[k], attr: 1 }])) }
      })
    )
  if (kinds.length === 1 && kinds[0] === 'user')
    forms.push(fc.constant({ user: { key: keys.user } }), fc.constant({ userKey: keys.user }))
  return fc.oneof(...forms).map((form) => ({ form, keys }))
})

const creationDate = fc.integer({ min: 0, max: 4102444800000 })
const jsonValue = fc.jsonValue({ maxDepth: 3 })
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

const fieldsByKind: Record<ExportKind, fc.Arbitrary<JsonObject>> = {
  feature: fc.record({
    value: optional(jsonValue),
    variation: optional(fc.nat(5)),
    version: optional(fc.nat(1000)),
    reason: optional(
      fc.record({
        kind: fc.constantFrom('OFF', 'FALLTHROUGH', 'RULE_MATCH', 'TARGET_MATCH'),
        inExperiment: optional(fc.boolean())
      })
    ),
    prereqOf: optional(key)
  }),
  click: fc.record({ url: optional(fc.webUrl()), selector: optional(fc.string()) }),
  pageview: fc.record({ url: optional(fc.webUrl()) }),
  custom: fc.record({
    metricValue: optional(fc.double({ noNaN: true, noDefaultInfinity: true })),
    data: optional(jsonValue)
  })
}

const ldEvent = fc.constantFrom(...EXPORT_KINDS).chain((kind) =>
  fc
    .tuple(fc.constant(kind), key, creationDate, withContext, fieldsByKind[kind])
    .map(([kind, k, date, ctx, fields]) => ({
      event: { kind, key: k, creationDate: date, ...ctx.form, ...stripUndefined(fields) } as JsonObject,
      keys: ctx.keys
    }))
)

function stripUndefined(obj: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(obj))
}

/** What the destination's default mappings read: each schema property from its Segment path. */
function mappedFields(kind: ExportKind, call: SegmentCall): JsonObject {
  const message = call.message as JsonObject & { properties: JsonObject }
  return Object.fromEntries(
    propertiesOf(kind).map((p) => [p.name, p.segment === 'timestamp' ? message.timestamp : message.properties[p.name]])
  )
}

test('LaunchDarkly → Segment → LaunchDarkly keeps every exported field', () => {
  fc.assert(
    fc.property(ldEvent, ({ event, keys }) => {
      const kind = event.kind as ExportKind
      const [call] = convertDelivery(readDelivery(JSON.stringify(event), SETTINGS)).calls
      const back = toLaunchDarklyEvent(kind, mappedFields(kind, call), 0)

      expect(back).toMatchObject({ kind, key: event.key, creationDate: event.creationDate, contextKeys: keys })
      const reason = event.reason as JsonObject | undefined
      const expected: JsonObject = {
        feature: {
          value: event.value === undefined ? null : event.value,
          variation: event.variation,
          version: event.version,
          reason: reason
            ? { kind: reason.kind, ...(reason.inExperiment === true ? { inExperiment: true } : {}) }
            : undefined,
          prereqOf: event.prereqOf,
          default: event.variation === undefined ? (event.value === undefined ? null : event.value) : undefined
        },
        click: { url: event.url, selector: event.selector },
        pageview: { url: event.url },
        custom: { metricValue: event.metricValue, data: event.data }
      }[kind] as JsonObject
      for (const [field, value] of Object.entries(expected)) expect(back[field]).toEqual(value)

      // And the event that comes back exports to exactly the same Segment call.
      const [again] = convertDelivery(readDelivery(JSON.stringify(back), SETTINGS)).calls
      expect({ ...again.message, messageId: '' }).toEqual({ ...call.message, messageId: '' })
    }),
    { numRuns: 400 }
  )
})

function expectOnlyTypedErrors(body: string): void {
  try {
    convertDelivery(readDelivery(body, SETTINGS))
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error
    expect(error.message.length).toBeLessThan(2000)
  }
}

test('arbitrary JSON never fails with anything but PayloadError', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => expectOnlyTypedErrors(JSON.stringify(value))),
    { numRuns: 500 }
  )
})

test('arbitrary text never fails with anything but PayloadError', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), expectOnlyTypedErrors), { numRuns: 500 })
})

test('events with fields of arbitrary types never fail with anything but PayloadError', () => {
  const field = fc.constantFrom(
    'kind',
    'key',
    'creationDate',
    'context',
    'contextKeys',
    'user',
    'userKey',
    'contextKind',
    'value',
    'variation',
    'version',
    'reason',
    'url',
    'metricValue',
    'data',
    'id',
    '__proto__',
    'constructor'
  )
  const mutated = fc
    .tuple(fc.constantFrom(...fixture.body), fc.dictionary(field, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }))
    .map(([event, changes]) => ({ ...event, ...changes }))
  fc.assert(
    fc.property(fc.array(mutated, { maxLength: 5 }), (events) => expectOnlyTypedErrors(JSON.stringify(events))),
    { numRuns: 500 }
  )
  expect(({} as JsonObject).polluted).toBeUndefined()
})

/** The same JSON with object keys in another order, at every depth. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, seed))
  if (value === null || typeof value !== 'object') return value
  const keys = Object.keys(value)
  const rotated = keys
    .slice(seed % Math.max(keys.length, 1))
    .concat(keys.slice(0, seed % Math.max(keys.length, 1)))
    .reverse()
  return Object.fromEntries(rotated.map((k) => [k, reorder((value as JsonObject)[k], seed)]))
}

const idsOf = (events: unknown[]) =>
  convertDelivery(readDelivery(JSON.stringify(events), SETTINGS)).calls.map((c) => c.message.messageId)

test('message ids do not depend on key order', () => {
  fc.assert(
    fc.property(fc.array(ldEvent, { minLength: 1, maxLength: 6 }), fc.nat(10), (events, seed) => {
      const raw = events.map((e) => e.event)
      expect(idsOf(raw.map((e) => reorder(e, seed)))).toEqual(idsOf(raw))
    }),
    { numRuns: 200 }
  )
})

test('distinct events in a delivery, repeats included, never share a message id', () => {
  fc.assert(
    fc.property(
      fc.array(ldEvent, { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(5), { maxLength: 6 }),
      (events, repeats) => {
        const raw = events.map((e) => e.event)
        const withRepeats = raw.concat(repeats.map((i) => raw[i % raw.length]))
        const ids = idsOf(withRepeats)
        expect(new Set(ids).size).toBe(withRepeats.length)
        // A replay of the same delivery yields the same ids.
        expect(idsOf(withRepeats)).toEqual(ids)
      }
    ),
    { numRuns: 200 }
  )
})
