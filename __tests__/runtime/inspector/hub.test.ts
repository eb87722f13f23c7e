// The inspector's server side (docs/inspector.md "Limits"): a bounded history, views
// bounded per record and redacted, nothing done per delivery while no page watches, and a
// page that cannot keep up disconnected without holding anything up.

import { EventEmitter } from 'events'
import { readFileSync } from 'fs'
import { join } from 'path'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_CALLS } from '../../fixtures/node-server-sdk-bulk.expected'
import { redact } from '../../../shared'
import type { DeliveryRecord } from '../../../runtime/feed'
import type { RecordedCall } from '../../../runtime/sandbox/calls'
import { EventStream, HubLimits, InspectorHub, LIMITS } from '../../../runtime/inspector/hub'
import * as view from '../../../runtime/inspector/view'
import { waitFor } from '../helpers'
import { RecordView, RECORD_TEXT_CHARS, TEXT_CHARS } from '../../../runtime/inspector/view'

const BODY = JSON.stringify(fixture.body)
const TOKEN = 'tok-s3cret-ingest-value'

/** A page's response: records what is written; `accepting` false plays a page that reads nothing. */
class Page extends EventEmitter implements EventStream {
  written = ''
  accepting = true
  destroyed = false
  write(chunk: string): boolean {
    this.written += chunk
    return this.accepting
  }
  destroy(): void {
    this.destroyed = true
    this.emit('close')
  }
  /** The server-sent events so far, parsed. */
  events(): Array<{ id?: string; event?: string; data: any }> {
    return this.written
      .split('\n\n')
      .filter((frame) => frame && !frame.startsWith(':'))
      .map((frame) => {
        const fields = Object.fromEntries(
          frame.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])
        )
        return { id: fields.id, event: fields.event, data: JSON.parse(fields.data) }
      })
  }
  records(): RecordView[] {
    return this.events()
      .filter((e) => e.event === 'record')
      .map((e) => e.data as RecordView)
  }
}

function delivery(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    time: '2026-11-26T00:59:49.890Z',
    method: 'POST',
    route: '/bulk',
    status: 202,
    ms: 4.25,
    emitted: 15,
    skipped: { index: 5, debug: 1, identify: 2, summary: 1 },
    rejected: [],
    input: BODY,
    calls: SDK_FIXTURE_CALLS as RecordedCall[],
    ...overrides
  }
}

const logs: string[] = []
function hub(limits: Partial<HubLimits> = {}, secrets: string[] = [], now = () => 0): InspectorHub {
  return new InspectorHub({ secrets, warnings: ['LD_PROJECT_ID is not set: …'], log: (l) => logs.push(l), limits, now })
}
/** The history is viewed over a few turns of the event loop before the page is welcomed. */
const welcomed = (...pages: Page[]) =>
  waitFor(() => pages.every((page) => page.written.includes('event: hello')), 'the hello frame')

afterEach(() => {
  logs.length = 0
  jest.restoreAllMocks()
})

test('docs/inspector.md states the limits in force', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'inspector.md'), 'utf8')
  const MiB = 1024 * 1024
  for (const phrase of [
    `the last ${LIMITS.records} requests, and at most ${LIMITS.chars / MiB} MiB of text`,
    `at most ${RECORD_TEXT_CHARS / 1024} KiB of JSON; each event or call at most ${TEXT_CHARS / 1024} KiB`,
    `over ${LIMITS.chars / 8 / 1024} KiB of input`,
    `at most ${LIMITS.clientBufferChars / MiB} MiB of frames waiting`,
    `| pages watching at once | ${LIMITS.watchers}; the ninth`,
    `${LIMITS.detailedPerSecond} requests a second get their events`,
    `A \`: keep-alive\` comment every ${LIMITS.heartbeatMs / 1000} s`
  ])
    expect(doc).toContain(phrase)
})

test('a page gets the warnings, then the history, then each record as it comes', async () => {
  const inspector = hub({ records: 3 })
  for (let i = 1; i <= 5; i++) inspector.record(delivery({ route: `/bulk`, ms: i }))
  const page = new Page()
  expect(inspector.watch(page)).toBe(true)
  await welcomed(page)
  inspector.record(delivery({ ms: 6 }))
  const events = page.events()
  expect(events[0]).toEqual({
    id: undefined,
    event: 'hello',
    data: {
      boot: expect.stringMatching(/^[0-9a-f]{12}$/),
      warnings: ['LD_PROJECT_ID is not set: …'],
      limits: { records: 3, chars: LIMITS.chars }
    }
  })
  expect(page.written.startsWith('retry: 2000\n')).toBe(true)
  // The last three of five kept, then the live one.
  expect(page.records().map((r) => [r.id, r.ms])).toEqual([
    [3, 3],
    [4, 4],
    [5, 5],
    [6, 6]
  ])
  expect(events[1].id).toBe(`${events[0].data.boot}-3`)
})

test("the relay's own pages are not deliveries", async () => {
  const inspector = hub()
  inspector.record(delivery({ method: 'GET', route: '/', input: undefined, calls: [] }))
  inspector.record(delivery({ method: 'GET', route: '/healthz', input: undefined, calls: [] }))
  inspector.record(delivery({ method: 'GET', route: '/nope', status: 404, input: undefined, calls: [] }))
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  expect(page.records().map((r) => [r.id, r.route, r.status])).toEqual([[1, '/nope', 404]])
})

test('each record is paired: the LaunchDarkly event beside the call it became, its rejection, or skipped', async () => {
  const inspector = hub()
  const bad = { kind: 'feature', key: 'no-context', creationDate: 1 }
  const input = JSON.stringify([fixture.body[0], fixture.body[1], bad])
  inspector.record(
    delivery({
      input,
      emitted: 1,
      skipped: { index: 1 },
      rejected: [{ index: 2, reason: 'event has no context' }],
      calls: [SDK_FIXTURE_CALLS[0] as RecordedCall]
    })
  )
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  const [record] = page.records()
  expect(record).toEqual({
    id: 1,
    time: '2026-11-26T00:59:49.890Z',
    method: 'POST',
    route: '/bulk',
    kind: 'sdk',
    status: 202,
    ms: 4.3,
    emitted: 1,
    skipped: { index: 1 },
    rejected: [{ index: 2, reason: 'event has no context' }],
    events: [
      {
        index: 0,
        outcome: 'skipped',
        kind: 'index',
        context: 'user:user-123',
        input: JSON.stringify(fixture.body[0])
      },
      {
        index: 1,
        outcome: 'call',
        kind: 'feature',
        key: 'bool-tracked',
        context: 'user:user-123',
        input: JSON.stringify(fixture.body[1]),
        type: 'track',
        name: 'feature',
        user: 'user-123',
        call: JSON.stringify({ type: 'track', ...SDK_FIXTURE_CALLS[0].message })
      },
      {
        index: 2,
        outcome: 'rejected',
        kind: 'feature',
        key: 'no-context',
        reason: 'event has no context',
        input: JSON.stringify(bad)
      }
    ]
  })
})

test('a destination request shows its body and the LaunchDarkly requests it made', async () => {
  const inspector = hub()
  const body = '{"payload":{"type":"track","event":"Signed Up"}}'
  const requests = [{ method: 'POST', url: 'https://events.launchdarkly.com/events/bulk/cs-9', status: 202 }]
  inspector.record(
    delivery({
      route: '/destinations/launchdarkly-events/sendCustomEvent',
      status: 200,
      emitted: 0,
      skipped: {},
      input: body,
      calls: [],
      requests
    })
  )
  inspector.record(
    delivery({
      route: '/destination-functions/launchdarkly-events',
      status: 200,
      emitted: 0,
      skipped: {},
      input: '[]',
      calls: [],
      requests
    })
  )
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  expect(page.records().map((r) => [r.kind, r.input, r.requests, r.events, r.calls])).toEqual([
    ['destination', body, requests, undefined, undefined],
    ['destination-function', '[]', requests, undefined, undefined]
  ])
})

test('a record shows at most 64 KiB of JSON text; each text at most 16 KiB; the rest is counted', async () => {
  const inspector = hub()
  const big = {
    kind: 'custom',
    key: 'big',
    creationDate: 1,
    context: { kind: 'user', key: 'u' },
    data: 'x'.repeat(40_000)
  }
  const events = Array.from({ length: 500 }, (_, i) => (i === 0 ? big : { ...fixture.body[17], creationDate: i }))
  inspector.record(delivery({ input: JSON.stringify(events), emitted: 0, skipped: {}, calls: [] }))
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  const [record] = page.records()
  const listed = record.events ?? []
  const chars = listed.reduce((n, e) => n + (e.input?.length ?? 0) + (e.call?.length ?? 0), 0)
  expect(chars).toBeLessThanOrEqual(RECORD_TEXT_CHARS + 1)
  expect(listed[0].input).toHaveLength(TEXT_CHARS + 1)
  expect(listed[0].input?.endsWith('…')).toBe(true)
  expect(listed.length + (record.omitted ?? 0)).toBe(500)
  expect(record.omitted).toBeGreaterThan(200)
})

test('history is bounded in characters too; a record too large to keep keeps its counts only', async () => {
  const inspector = hub({ chars: 200_000 })
  const input = JSON.stringify(Array.from({ length: 50 }, () => fixture.body[17]))
  for (let i = 0; i < 30; i++) inspector.record(delivery({ input, calls: [], ms: i }))
  // Over an eighth of the history: kept as counts and rejections only.
  inspector.record(delivery({ input: 'x'.repeat(30_000), calls: [], rejected: [{ index: 0, reason: 'r' }], ms: 99 }))
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  const records = page.records()
  expect(records.length).toBeLessThan(31)
  expect(page.written.length).toBeLessThan(200_000 + 1000)
  expect(records[records.length - 1]).toMatchObject({ ms: 99, rejected: [{ index: 0, reason: 'r' }] })
  expect(records[records.length - 1].events).toBeUndefined()
  expect(records[records.length - 1].note).toMatch(/^details not kept: the record was too large/)
})

test('no page watching: a delivery is kept as it is, never turned into a view', async () => {
  const viewOf = jest.spyOn(view, 'viewOf')
  const inspector = hub({ records: 10 })
  for (let i = 0; i < 100; i++) inspector.record(delivery())
  expect(viewOf).not.toHaveBeenCalled()
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  // Only what the history holds is viewed, once, when a page asks; then each new record.
  expect(viewOf).toHaveBeenCalledTimes(10)
  inspector.record(delivery())
  expect(viewOf).toHaveBeenCalledTimes(11)
  page.destroy()
  expect(inspector.watching).toBe(0)
  inspector.record(delivery())
  expect(viewOf).toHaveBeenCalledTimes(11)
})

test("the relay's secrets are redacted from everything a page is sent", async () => {
  const inspector = hub({}, [TOKEN])
  const secretEvent = { ...fixture.body[17], key: `event-${TOKEN}`, data: { note: `x${TOKEN.slice(2, 12)}y` } }
  const call = { type: 'track', message: { event: 'custom', properties: { key: TOKEN } } } as RecordedCall
  inspector.record(
    delivery({
      route: `/nowhere/${TOKEN}`,
      input: JSON.stringify([secretEvent]),
      emitted: 1,
      skipped: {},
      calls: [call],
      error: { error: 'X', message: `about ${TOKEN}` },
      rejected: [{ index: 3, reason: TOKEN }]
    })
  )
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  expect(page.records()).toHaveLength(1)
  expect(redact(page.written, [TOKEN])).toBe(page.written)
  expect(page.written).toContain('event-[redacted]')
})

test('a page that reads nothing is disconnected once it is too far behind; the others and the feed go on', async () => {
  const inspector = hub({ clientBufferChars: 200_000 })
  const slow = new Page()
  const fast = new Page()
  inspector.watch(slow)
  inspector.watch(fast)
  await welcomed(slow, fast)
  slow.accepting = false
  const started = process.hrtime.bigint()
  for (let i = 0; i < 40; i++) inspector.record(delivery({ ms: i }))
  expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000)
  expect(slow.destroyed).toBe(true)
  // What it was handed before its socket stopped taking more: one frame; then its bound.
  expect(slow.records().length).toBeLessThan(15)
  expect(fast.records()).toHaveLength(40)
  expect(inspector.watching).toBe(1)
  expect(logs).toEqual([
    'inspector: a page fell more than 195 KiB behind and was disconnected (it reconnects and catches up from the history)'
  ])
})

test('a page that reads slowly gets every frame, in order, as its socket drains', async () => {
  const inspector = hub()
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  page.accepting = false
  for (let i = 0; i < 5; i++) inspector.record(delivery({ ms: i }))
  expect(page.records()).toHaveLength(1)
  page.accepting = true
  page.emit('drain')
  expect(page.records().map((r) => r.ms)).toEqual([0, 1, 2, 3, 4])
})

test('a reconnecting page gets only what it has not seen, when it names this run of the relay', async () => {
  const inspector = hub()
  for (let i = 0; i < 5; i++) inspector.record(delivery({ ms: i }))
  const first = new Page()
  inspector.watch(first)
  await welcomed(first)
  const boot = first.events()[0].data.boot as string
  const again = new Page()
  inspector.watch(again, `${boot}-3`)
  const other = new Page()
  inspector.watch(other, 'abcdef012345-3')
  await welcomed(again, other)
  expect(again.records().map((r) => r.id)).toEqual([4, 5])
  expect(other.records().map((r) => r.id)).toEqual([1, 2, 3, 4, 5])
})

test('while pages watch, at most detailedPerSecond records a second are detailed; the rest show their counts', async () => {
  let now = 10_000
  const inspector = hub({ detailedPerSecond: 2 }, [], () => now)
  const page = new Page()
  inspector.watch(page)
  await welcomed(page)
  for (let i = 0; i < 3; i++) inspector.record(delivery())
  now += 1000
  inspector.record(delivery())
  const records = page.records()
  expect(records.map((r) => r.events?.length)).toEqual([24, 24, undefined, 24])
  expect(records[2]).toMatchObject({ emitted: 15, skipped: { index: 5 } })
  expect(records[2].note).toMatch(/^details not kept: more deliveries a second/)
})

test('at most `watchers` pages; a keep-alive comment goes to each while any watch', async () => {
  const inspector = hub({ watchers: 2, heartbeatMs: 10 })
  const pages = [new Page(), new Page()]
  expect(pages.map((p) => inspector.watch(p))).toEqual([true, true])
  expect(inspector.full).toBe(true)
  expect(inspector.watch(new Page())).toBe(false)
  await new Promise((resolve) => setTimeout(resolve, 60))
  expect(pages[0].written).toContain('\n\n: keep-alive\n\n')
  pages.forEach((p) => p.destroy())
  expect(inspector.full).toBe(false)
})
