// The adversarial corpus (./cases) through the BUILT source function, in the Segment
// Functions sandbox. Besides each case's own expectation, every case must: fail only with
// one of Segment's typed errors (design §3.8), with a short message that never holds the
// body or a secret; log no secret; emit messages Segment accepts; and leave the
// prototypes of both realms (the function's and the host's) as they were.

import { readFileSync } from 'node:fs'
import nock from 'nock'
import { InvocationResult, loadFunction, FunctionHandle } from '../../runtime/sandbox/instance'
import { SEGMENT_ERROR_NAMES } from '../../shared'
import { BUILT, ensureBuilt } from '../sources/launchdarkly/helpers'
import {
  bodyOf,
  Case,
  CLASSES,
  DEFAULT_SETTINGS,
  echoedSecrets,
  loadCases,
  prototypeFingerprint,
  secretsOf,
  SourcePart
} from './corpus'

const cases = loadCases()
const sourceCases = cases.filter((c): c is Case & { source: SourcePart } => c.source !== undefined)

/**
 * Appended to the built script, test-only: asked with this setting, the function reports
 * on its own realm's prototypes instead of handling a delivery. The vm context keeps the
 * function's realm out of the host's reach otherwise.
 */
const PROBE_SETTING = '__adversarialProbe'
const PROBE = `
;(() => {
  const fingerprint = () => [Object, Array, Function, String, Number, Boolean, Promise, Error]
    .map((C) => C.name + ':' + Reflect.ownKeys(C.prototype).map(String).sort().join(','))
    .join('|')
  const before = fingerprint()
  const handle = onRequest
  onRequest = async function (request, settings) {
    if (settings && settings[${JSON.stringify(PROBE_SETTING)}]) {
      Segment.track({ event: 'probe', anonymousId: 'probe', properties: { polluted: typeof ({}).polluted, untouched: fingerprint() === before } })
      return
    }
    return handle(request, settings)
  }
})();
`

let code = ''
const hostPrototypes = prototypeFingerprint()

beforeAll(async () => {
  await ensureBuilt()
  code = readFileSync(BUILT, 'utf8') + PROBE
  // No case may reach the network: lookups only ever go to 127.0.0.1 stand-ins.
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
})

afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
})

test('the corpus has at least 40 cases and covers every class of bad input', () => {
  expect(cases.length).toBeGreaterThanOrEqual(40)
  const covered = new Set(cases.map((c) => c.class))
  expect(CLASSES.filter((c) => !covered.has(c))).toEqual([])
})

/**
 * Where a secret could leak: every log line and the error. (What was emitted is the
 * caller's own data: a body that carries a secret as data may see it emitted.)
 */
function leaks(result: InvocationResult, secrets: readonly string[]): string[] {
  return echoedSecrets([...result.logs, result.ok ? '' : `${result.error.name}: ${result.error.message}`], secrets)
}

async function probe(fn: FunctionHandle): Promise<Record<string, unknown>> {
  const result = await fn.invoke({ body: '{}' }, { [PROBE_SETTING]: true })
  if (!result.ok || result.calls.length !== 1) throw new Error(`probe failed: ${JSON.stringify(result)}`)
  return result.calls[0].message.properties as Record<string, unknown>
}

describe.each(sourceCases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
  const { request, expect: expected, repeat = 1 } = testCase.source
  const settings = testCase.source.settings ?? DEFAULT_SETTINGS
  const body = bodyOf(request)

  test(testCase.description.slice(0, 100), async () => {
    const fn = loadFunction(code, { filename: 'launchdarkly.js' })
    const results: InvocationResult[] = []
    for (let i = 0; i < repeat; i++) {
      results.push(await fn.invoke({ body, headers: request.headers ?? {}, url: request.url ?? '/' }, settings))
    }

    for (const result of results) {
      // Nothing but Segment's typed errors; a message that says what was found, not the body.
      if (!result.ok) {
        expect(SEGMENT_ERROR_NAMES).toContain(result.error.name)
        expect(result.error.message.length).toBeLessThan(3000)
        if (body.length > 200) expect(result.error.message).not.toContain(body.slice(0, 200))
      }
      expect(leaks(result, secretsOf(settings))).toEqual([])
      for (const call of result.calls) {
        expect(String(call.message.messageId)).toMatch(/^ld-[0-9a-f]{32}$/)
      }
    }

    const [first] = results
    if ('error' in expected) {
      expect(first.ok ? 'ok' : first.error.name).toBe(expected.error)
      const message = first.ok ? '' : first.error.message
      for (const part of expected.messageIncludes) expect(message).toContain(part)
    } else {
      expect(first.ok ? 'ok' : `${first.error.name}: ${first.error.message}`).toBe('ok')
      expect(first.calls).toHaveLength(expected.calls)
      if (expected.emittedKeys) {
        expect(
          first.calls.map((call) => (call.message.properties as Record<string, unknown> | undefined)?.key ?? null)
        ).toEqual(expected.emittedKeys)
      }
      if (expected.emittedContextKeys) {
        expect(
          first.calls.map((call) => (call.message.properties as Record<string, unknown> | undefined)?.contextKeys)
        ).toEqual(expected.emittedContextKeys)
      }
      const log = first.logs.join('\n')
      for (const part of expected.logIncludes ?? []) expect(log).toContain(part)
      // Distinct events never share a messageId, except the pairs the case names.
      // Grouped by id (linear: bodies hold thousands of events), then listed as pairs.
      const byId = new Map<unknown, number[]>()
      first.calls.forEach((call, i) =>
        byId.set(call.message.messageId, [...(byId.get(call.message.messageId) ?? []), i])
      )
      const sharing = [...byId.values()].flatMap((group) =>
        group.flatMap((a, i) => group.slice(i + 1).map((b) => [a, b]))
      )
      expect(sharing).toEqual(expected.sameMessageIds ?? [])
    }

    // A retried delivery produces exactly the same messages: Segment drops the repeats.
    for (const again of results.slice(1)) {
      expect(again.ok).toBe(first.ok)
      expect(again.calls).toEqual(first.calls)
    }

    // No realm's prototypes were touched: neither the function's nor the host's.
    expect(await probe(fn)).toEqual({ polluted: 'undefined', untouched: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(prototypeFingerprint()).toBe(hostPrototypes)
  })
})
