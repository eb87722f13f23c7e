// What the outbox tells a caller that follows its own calls (the replay): where each append
// went, and what each batch request did to which lines.

import { mkdtempSync, readFileSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { BatchReport, Outbox } from '../../../runtime/outbox/outbox'
import { standIn, waitFor } from '../helpers'

let dir: string
const closers: Array<() => Promise<void>> = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ld-outbox-reports-'))
})
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  rmSync(dir, { recursive: true, force: true })
})

const line = (id: string): string => JSON.stringify({ type: 'track', event: 'e', userId: 'u', messageId: id })

async function outboxFor(respond: Parameters<typeof standIn>[0]) {
  const api = await standIn(respond)
  const reports: BatchReport[] = []
  const outbox = await Outbox.open({
    dir,
    writeKey: 'wk',
    host: api.url,
    maxBytes: 1024 * 1024,
    log: () => undefined,
    retryBaseMs: 10,
    retryMaxMs: 20,
    onBatch: (report) => reports.push(report)
  })
  closers.push(() => outbox.close(0), api.close)
  return { api, outbox, reports }
}

test('appends written together get the ranges their lines have in the file, one after another', async () => {
  const { outbox, reports } = await outboxFor(() => ({ status: 200, body: {} }))
  const appends = [['a-1', 'a-2'], ['b-1'], ['c-1', 'c-2', 'c-3']].map((ids) => ids.map(line))
  const ranges = await Promise.all(appends.map((lines) => outbox.append(lines)))
  const segment = ranges[0]?.segment as string
  const text = readFileSync(join(dir, segment), 'utf8')
  ranges.forEach((range, i) => {
    expect(range?.segment).toBe(segment)
    expect(text.slice(range?.from, range?.to)).toBe(appends[i].join('\n') + '\n')
  })
  expect(ranges.map((r) => [r?.from, r?.to])).toEqual([
    [0, ranges[0]?.to],
    [ranges[0]?.to, ranges[1]?.to],
    [ranges[1]?.to, text.length]
  ])
  await waitFor(() => reports.length > 0 && reports[reports.length - 1].to === text.length, 'the reports')
  expect(reports.every((r) => r.settlement === 'delivered' && r.segment === segment && r.failures === 0)).toBe(true)
  expect(reports[0].from).toBe(0)
  expect(await outbox.append([])).toBeUndefined()
})

test('a failed request is reported as retrying with its status and count, a refused call as dead-lettered alone', async () => {
  let n = 0
  const { outbox, reports } = await outboxFor((req) => {
    n++
    if (n === 1) return { status: 503, body: { error: 'down' } }
    return req.body.includes('bad') ? { status: 400, body: { error: 'no' } } : { status: 200, body: {} }
  })
  const range = await outbox.append(['ok-1', 'bad', 'ok-2'].map(line))
  // The report of the last batch follows its acknowledgement on disk.
  const settled = (r: { to: number; settlement: string } | undefined) =>
    r?.to === range?.to && r?.settlement !== 'retryable'
  await waitFor(() => settled(reports[reports.length - 1]), 'the last report')
  const segment = range?.segment as string
  const [first, second] = [line('ok-1').length + 1, line('bad').length + 1]
  expect(reports).toEqual([
    {
      segment,
      from: 0,
      to: range?.to,
      settlement: 'retryable',
      status: 503,
      reason: 'HTTP 503 {"error":"down"}',
      failures: 1,
      calls: 3
    },
    // Halving: ok-1 and bad, refused; then ok-1 alone, delivered; then bad alone, dead-lettered; then ok-2.
    { segment, from: 0, to: first, settlement: 'delivered', failures: 0, calls: 1 },
    {
      segment,
      from: first,
      to: first + second,
      settlement: 'refused',
      status: 400,
      reason: 'HTTP 400 {"error":"no"}',
      failures: 0,
      calls: 1
    },
    { segment, from: first + second, to: range?.to, settlement: 'delivered', failures: 0, calls: 1 }
  ])
})
