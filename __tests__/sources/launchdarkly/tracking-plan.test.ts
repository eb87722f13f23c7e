// The tracking plan (shared/tracking-plan.ts) against what the BUILT function emits: every
// track and page call it makes for the fixtures, the adversarial corpus and one event of
// each kind with every property must pass its rule, checked with a JSON Schema validator
// (ajv, as Segment Protocols checks it), so the plan and the converter cannot drift.

import { readFileSync } from 'node:fs'
import Ajv from 'ajv'
import type { ValidateFunction } from 'ajv'
import { ruleFor, trackingPlan } from '../../../shared'
import type { TrackingPlanRule } from '../../../shared'
import { buildTrackingPlan } from '../../../scripts/build'
import type { RecordedCall } from '../../../runtime/sandbox/calls'
import { callsOf, corpusInputs, Input } from './corpus-inputs'
import { SETTINGS, useLocalNetworkOnly } from './helpers'

useLocalNetworkOnly()
jest.setTimeout(120_000)

const plan = trackingPlan()
const ajv = new Ajv({ strict: true, allErrors: true, validateFormats: false })
const validators = new Map<TrackingPlanRule, ValidateFunction>(plan.rules.map((r) => [r, ajv.compile(r.jsonSchema)]))

/** One event of each kind with every property it can have, records and settings included. */
const FULL: Input = {
  name: 'every property of every kind',
  delivery: {
    body: JSON.stringify([
      {
        project: 'proj-rec',
        environment: 'env-rec',
        version: 1,
        event: {
          kind: 'feature',
          id: 'evt-1',
          creationDate: 1795654789876,
          context: { kind: 'multi', user: { key: 'u-1' }, org: { key: 'o-1' } },
          key: 'exp-flag',
          value: { layout: 'b' },
          variation: 1,
          variationName: 'Treatment',
          version: 12,
          reason: { kind: 'RULE_MATCH', inExperiment: true },
          prereqOf: 'parent'
        }
      },
      { kind: 'feature', creationDate: 1795654789877, contextKeys: { device: 'd-1' }, key: 'fallback', value: null },
      {
        kind: 'click',
        creationDate: 1795654789878,
        contextKeys: { user: 'u-1' },
        key: 'buy',
        url: 'https://shop.example/p/1',
        selector: '#buy'
      },
      { kind: 'pageview', creationDate: 1795654789879, contextKeys: { user: 'u-1' }, key: 'pdp', url: 'https://x/' },
      {
        kind: 'custom',
        creationDate: 1795654789880,
        userKey: 'a-1',
        contextKind: 'anonymousUser',
        key: 'purchase',
        metricValue: 0,
        data: [1, 'two', { three: null }]
      }
    ])
  },
  settings: { ...SETTINGS, includeCustomData: true }
}

let emitted: Map<string, readonly RecordedCall[]>
beforeAll(async () => {
  emitted = await callsOf([FULL, ...corpusInputs()])
})

function validate(call: RecordedCall): { rule: TrackingPlanRule | undefined; errors: string[] } {
  const rule = ruleFor(plan, call.type, call.message.event as string | undefined)
  if (!rule) return { rule, errors: [] }
  const validator = validators.get(rule) as ValidateFunction
  const ok = validator(call.message)
  return { rule, errors: ok ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`) }
}

test('the build writes the plan the schema declares: one rule per exported event, in the Public API format', async () => {
  const file = await buildTrackingPlan()
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(plan)
  expect(plan.rules.map((r) => [r.type, r.key, r.version])).toEqual([
    ['TRACK', 'feature', 1],
    ['TRACK', 'click', 1],
    ['PAGE', undefined, 1],
    ['TRACK', 'custom', 1]
  ])
  const custom = plan.rules[3].jsonSchema.properties as Record<string, Record<string, unknown>>
  expect(custom.properties).toMatchObject({
    type: 'object',
    required: ['environment', 'project', 'key', 'contextKeys', 'version'],
    additionalProperties: false
  })
  expect(Object.keys(custom.properties.properties as object)).toEqual([
    'environment',
    'project',
    'key',
    'contextKeys',
    'eventId',
    'version',
    'metricValue',
    'data'
  ])
})

test('every track and page call of the fixtures, the corpus and every kind passes its rule', () => {
  const failures: string[] = []
  const checked = new Map<string, number>()
  const unplanned = new Set<string>()
  for (const [name, calls] of emitted) {
    for (const call of calls) {
      const { rule, errors } = validate(call)
      if (!rule) {
        unplanned.add(call.type === 'alias' ? 'alias' : `${call.type} ${String(call.message.event)}`)
        continue
      }
      const label = `${rule.type} ${rule.key ?? ''}`.trim()
      checked.set(label, (checked.get(label) ?? 0) + 1)
      if (errors.length) failures.push(`${name}: ${JSON.stringify(call.message).slice(0, 300)}: ${errors.join('; ')}`)
    }
  }
  expect(failures).toEqual([])
  // Every rule was exercised; the plan leaves out legacy alias calls and the audit-log webhook's.
  expect([...checked.keys()].sort()).toEqual(['PAGE', 'TRACK click', 'TRACK custom', 'TRACK feature'])
  expect([...checked.values()].reduce((a, b) => a + b)).toBeGreaterThan(3000)
  expect([...unplanned].sort()).toEqual(['alias', 'track Flag Changed'])
})

test('the plan refuses what the export never sends: a wrong type, a missing property, one it does not declare', () => {
  const [call] = emitted.get(FULL.name) as readonly RecordedCall[]
  const withProperties = (change: (p: Record<string, unknown>) => void) => {
    const message = JSON.parse(JSON.stringify(call.message)) as Record<string, unknown>
    change(message.properties as Record<string, unknown>)
    return validate({ type: call.type, message } as RecordedCall).errors
  }
  expect(validate(call).errors).toEqual([])
  expect(withProperties((p) => (p.version = '1'))).toEqual(['/properties/version must be integer'])
  expect(withProperties((p) => delete p.contextKeys)).toEqual(["/properties must have required property 'contextKeys'"])
  expect(withProperties((p) => (p.contextKeys = { user: '' }))).toEqual([
    '/properties/contextKeys/user must NOT have fewer than 1 characters'
  ])
  expect(withProperties((p) => (p.userName = 'Ada'))).toEqual(['/properties must NOT have additional properties'])
})
