// The BUILT source function, in the project's Segment Functions sandbox, processing one
// delivery just under Segment's 512 KiB body limit: design §8 wants it "well inside" the
// 5 s an invocation may take.

import { loadFunctionFile } from '../../runtime/functions-sandbox'
import { median } from './stats'

const LIMIT_BYTES = 512 * 1024
const RUNS = 7
const SETTINGS = { projectId: 'bench-project', environmentId: 'bench-environment' }

/**
 * Feature events as the Node server SDK sends them (inline contexts, reasons, versions),
 * varied so that no two are identical, filling a JSON array to just under the limit.
 */
export function featureEventsBody(limitBytes = LIMIT_BYTES): { body: string; events: number } {
  const parts: string[] = []
  let bytes = 2 // the brackets
  for (let i = 0; ; i++) {
    const event = {
      kind: 'feature',
      creationDate: 1795654789876 + i,
      context:
        i % 3 === 0
          ? { kind: 'multi', user: { key: `user-${i}`, name: 'Ada' }, org: { key: `org-${i % 97}` } }
          : { kind: 'user', key: `user-${i}`, name: 'Ada', _meta: { redactedAttributes: ['email'] } },
      key: `flag-${i % 53}`,
      value: i % 2 === 0,
      variation: i % 2,
      version: 7,
      reason:
        i % 5 === 0
          ? { kind: 'FALLTHROUGH', inExperiment: true }
          : { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'rule-1' },
      default: false
    }
    const text = JSON.stringify(event)
    const added = Buffer.byteLength(text) + (parts.length ? 1 : 0)
    if (bytes + added >= limitBytes) break
    parts.push(text)
    bytes += added
  }
  return { body: '[' + parts.join(',') + ']', events: parts.length }
}

export interface FunctionResult {
  runs: number
  bodyBytes: number
  events: number
  coldMs: number
  medianMs: number
  maxMs: number
}

export async function benchFunction(builtPath: string): Promise<FunctionResult> {
  const { body, events } = featureEventsBody()
  const fn = loadFunctionFile(builtPath)
  const durations: number[] = []
  // The first invocation is a cold start (module state, JIT); the rest run warm, as most
  // of Segment's invocations do. All are reported; maxBodyMs is the median of all runs.
  for (let run = 0; run < RUNS; run++) {
    const result = await fn.invoke({ body, headers: { 'content-type': 'application/json' }, url: '/bulk' }, SETTINGS)
    if (!result.ok)
      throw new Error(`the built function failed the 512 KiB delivery: ${result.error.name}: ${result.error.message}`)
    if (result.calls.length !== events)
      throw new Error(`the built function emitted ${result.calls.length} of ${events} events`)
    durations.push(result.durationMs)
  }
  return {
    runs: RUNS,
    bodyBytes: Buffer.byteLength(body),
    events,
    coldMs: durations[0],
    medianMs: median(durations),
    maxMs: Math.max(...durations)
  }
}
