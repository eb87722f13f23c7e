// The bench's worst-case bodies (scripts/bench/worst-cases.ts, where maxBodyMs is timed)
// through the BUILT source function: each ends as expected, and however many events a
// body rejects, the answer and every log line stay under 64 KB (design §3.8).

import { readFileSync } from 'node:fs'
import { loadFunction } from '../../runtime/sandbox/instance'
import { MAX_COUNTED_REASONS, MAX_LISTED_REJECTIONS } from '../../shared'
import type { DeliverySummary } from '../../shared'
import { worstCases } from '../../scripts/bench/worst-cases'
import { BUILT, ensureBuilt } from '../sources/launchdarkly/helpers'

const LIMIT = 64 * 1024
const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

let code = ''
beforeAll(async () => {
  await ensureBuilt()
  code = readFileSync(BUILT, 'utf8')
})

describe.each(worstCases().map((c) => [c.name, c] as const))('%s', (_name, { body, expect: expected }) => {
  test('ends as expected, with a short answer and short log lines', async () => {
    expect(bytes(body)).toBeLessThanOrEqual(512 * 1024)
    const result = await loadFunction(code).invoke({ body }, SETTINGS)
    const outcome = result.ok ? { calls: result.calls.length } : { error: result.error.name }
    expect(outcome).toEqual(expected)
    const answer = result.ok ? JSON.stringify(result.returned) : result.error.message
    expect(bytes(answer)).toBeLessThan(LIMIT)
    for (const line of result.logs) expect(bytes(line)).toBeLessThan(LIMIT)
    if (result.ok) {
      const summary = result.returned as DeliverySummary
      expect(summary.rejected.length).toBeLessThanOrEqual(MAX_LISTED_REJECTIONS)
      expect(summary.moreRejected?.byReason.length ?? 0).toBeLessThanOrEqual(MAX_COUNTED_REASONS)
    }
  })
})

test('a good event then {} elements: 100 listed, the rest counted under one reason', async () => {
  const { body } = worstCases().find((c) => c.name === 'a good event, then {}') ?? { body: '' }
  const elements = (JSON.parse(body) as unknown[]).length
  const result = await loadFunction(code).invoke({ body }, SETTINGS)
  expect(result.ok && result.returned).toEqual({
    emitted: 1,
    skipped: {},
    rejected: Array.from({ length: 100 }, (_, i) => ({
      index: i + 1,
      reason: `element ${i + 1} has no kind: found an empty object`
    })),
    moreRejected: {
      count: elements - 101,
      byReason: [{ reason: 'has no kind: found an empty object', count: elements - 101 }]
    }
  })
  expect(result.logs).toEqual([
    `launchdarkly: emitted 1, skipped 0, rejected ${elements - 1} (` +
      Array.from({ length: 20 }, (_, i) => `event ${i + 1}: element ${i + 1} has no kind: found an empty object`).join(
        '; '
      ) +
      `; and ${elements - 21} more)`
  ])
})
