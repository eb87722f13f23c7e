// design §3.8: a delivery's summary is bounded whatever the body. The first 100 rejected
// events are listed exactly; the rest are counted per reason; reasons and kind names are
// short; the summary and its log line stay under 64 KB.

import {
  convertDelivery,
  DeliverySummary,
  MAX_COUNTED_REASONS,
  MAX_LISTED_REJECTIONS,
  MAX_REASON_LENGTH,
  MAX_SKIPPED_KINDS,
  OTHER_SKIPPED_KINDS,
  PayloadError,
  readDelivery,
  redactSummary,
  summaryLine
} from '../../shared'

const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }
const GOOD = { kind: 'custom', key: 'good', creationDate: 1700000000000, contextKeys: { user: 'u1' } }

function run(elements: unknown[]): DeliverySummary {
  return convertDelivery(readDelivery(JSON.stringify(elements), SETTINGS)).summary
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

test('the caps', () => {
  expect([MAX_LISTED_REJECTIONS, MAX_COUNTED_REASONS, MAX_REASON_LENGTH, MAX_SKIPPED_KINDS]).toEqual([100, 20, 120, 16])
})

test('the first 100 rejections are listed with index and reason, the rest counted per reason', () => {
  const summary = run([GOOD, ...new Array(250).fill({})])
  expect(summary.emitted).toBe(1)
  expect(summary.rejected).toEqual(
    Array.from({ length: 100 }, (_, i) => ({
      index: i + 1,
      reason: `element ${i + 1} has no kind: found an empty object`
    }))
  )
  expect(summary.moreRejected).toEqual({
    count: 150,
    byReason: [{ reason: 'has no kind: found an empty object', count: 150 }]
  })
  expect(summaryLine(summary)).toBe(
    'launchdarkly: emitted 1, skipped 0, rejected 250 (' +
      Array.from({ length: 20 }, (_, i) => `event ${i + 1}: element ${i + 1} has no kind: found an empty object`).join(
        '; '
      ) +
      '; and 230 more)'
  )
})

test('up to 100 rejections, the summary has no moreRejected', () => {
  const summary = run([GOOD, ...new Array(100).fill(0)])
  expect(summary.rejected).toHaveLength(100)
  expect(summary).not.toHaveProperty('moreRejected')
})

test('rejections past the 100th are counted for the first 20 reasons met; the rest only in the count', () => {
  const kinds = Array.from({ length: 30 }, (_, i) => ({ kind: `k${i}` }))
  const summary = run([GOOD, ...new Array(100).fill(0), ...kinds, ...kinds])
  expect(summary.rejected[99]).toEqual({
    index: 100,
    reason: 'element 100 is not a LaunchDarkly event or Data Export record: found a JSON number'
  })
  expect(summary.moreRejected).toEqual({
    count: 60,
    byReason: Array.from({ length: 20 }, (_, i) => ({ reason: `unknown kind "k${i}"`, count: 2 }))
  })
  expect(summaryLine(summary)).toMatch(/, rejected 160 \(.*; and 140 more\)$/)
})

test('NDJSON rejections are listed with their line, counted without it', () => {
  const lines = [JSON.stringify(GOOD), ...new Array(120).fill('{')]
  const { summary } = convertDelivery(readDelivery(lines.join('\n'), SETTINGS))
  expect(summary.rejected[0]).toEqual({ index: 1, reason: 'line 2 is not valid JSON' })
  expect(summary.rejected[99]).toEqual({ index: 100, reason: 'line 101 is not valid JSON' })
  expect(summary.moreRejected).toEqual({ count: 20, byReason: [{ reason: 'is not valid JSON', count: 20 }] })
})

test('a reason over 120 characters is cut, never inside a surrogate pair', () => {
  // The kind is quoted twice: 'contextKeys key "<kind>" is not a valid context kind ("<kind>")'.
  const kind = 'abcde😀' + 'x'.repeat(59)
  const quoted = JSON.stringify(kind.slice(0, 64))
  const full = `contextKeys key ${quoted} is not a valid context kind (${quoted})`
  // Character 118 is the first half of the second 😀: the cut falls before it.
  expect(full.charCodeAt(118)).toBe('😀'.charCodeAt(0))
  const plain = '!' + 'y'.repeat(65)
  const summary = run([
    GOOD,
    { kind: 'custom', key: 'k', creationDate: 1, contextKeys: { [kind]: 'v' } },
    { kind: 'custom', key: 'k', creationDate: 1, contextKeys: { [plain]: 'v' } }
  ])
  expect(summary.rejected.map((r) => r.reason)).toEqual([
    full.slice(0, 118) + '…',
    `contextKeys key "!${'y'.repeat(63)}" is not a valid context kind ("!${'y'.repeat(63)}")`.slice(0, 119) + '…'
  ])
})

test('at most 16 skipped kinds are named; further diagnostic kinds, and long ones, are counted together', () => {
  const events = [
    { kind: 'index' },
    ...Array.from({ length: 20 }, (_, i) => ({ kind: `diagnostic-${i}` })),
    { kind: 'diagnostic-0' },
    { kind: 'diagnostic' + 'x'.repeat(60) }
  ]
  const summary = run(events)
  const named = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`diagnostic-${i}`, i === 0 ? 2 : 1]))
  expect(summary).toEqual({ emitted: 0, skipped: { index: 1, ...named, [OTHER_SKIPPED_KINDS]: 6 }, rejected: [] })
})

test('a delivery whose every event is rejected fails with the first 20 reasons and the count of the rest', () => {
  let message = ''
  try {
    run(new Array(300).fill({}))
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError)
    message = (error as Error).message
  }
  expect(message).toBe(
    'Every event of the delivery was rejected: ' +
      Array.from({ length: 20 }, (_, i) => `event ${i}: element ${i} has no kind: found an empty object`).join('; ') +
      '; and 280 more'
  )
})

test('redactSummary takes secrets out of listed and counted reasons', () => {
  const secret = 'sekrit-token-1234'
  const summary = run([GOOD, ...new Array(101).fill({ kind: secret })])
  expect(summary.moreRejected?.byReason).toEqual([{ reason: `unknown kind "${secret}"`, count: 1 }])
  const redacted = redactSummary(summary, [secret])
  expect(redacted.rejected[0]).toEqual({ index: 1, reason: 'unknown kind "[redacted]"' })
  expect(redacted.moreRejected).toEqual({ count: 1, byReason: [{ reason: 'unknown kind "[redacted]"', count: 1 }] })
  expect(JSON.stringify(redacted)).not.toContain('sekrit')
  expect(redactSummary(summary, [])).toBe(summary)
})

test('the summary and its log line stay under 64 KB for the longest reasons and kind names', () => {
  // Invalid context kinds of 64 three-byte characters: the longest reasons a body can ask for.
  const wide = (i: number) => String.fromCharCode(0x4e00 + i).repeat(64)
  const events = [
    GOOD,
    ...Array.from({ length: 200 }, (_, i) => ({ kind: 'custom', key: 'k', contextKeys: { [wide(i)]: 'v' } })),
    ...Array.from({ length: 40 }, (_, i) => ({ kind: `diagnostic${wide(i).slice(0, 54)}` }))
  ]
  const summary = run(events)
  expect(summary.rejected).toHaveLength(100)
  expect(summary.moreRejected?.byReason).toHaveLength(20)
  expect(summary.rejected.every((r) => r.reason.length === MAX_REASON_LENGTH)).toBe(true)
  expect(Object.keys(summary.skipped)).toHaveLength(MAX_SKIPPED_KINDS + 1)
  expect(bytes(JSON.stringify(summary))).toBeLessThan(64 * 1024)
  expect(bytes(summaryLine(summary))).toBeLessThan(64 * 1024)
})
