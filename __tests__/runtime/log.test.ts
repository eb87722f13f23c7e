// The relay's log (docs/relay.md "Logs"): JSON or text lines at LOG_LEVEL, every line
// redacted; a line per request at debug, failures rate-limited at warn and error, an info
// summary; probes never logged.

import { createLog, logFormatOf } from '../../runtime/log'
import { requestLog } from '../../runtime/request-log'
import type { DeliveryRecord } from '../../runtime/feed'
import type { LogLevel } from '../../runtime/config/variables'

function captured(level: LogLevel = 'debug', format: 'json' | 'text' = 'json', secrets: string[] = []) {
  const lines: string[] = []
  const log = createLog({ level, format, secrets, output: (line) => lines.push(line) })
  return { log, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) }
}

const record = (over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  time: '2026-11-29T15:40:18.150Z',
  method: 'POST',
  route: '/bulk',
  status: 202,
  ms: 4.24,
  emitted: 15,
  skipped: { index: 5, summary: 1 },
  rejected: [],
  calls: [],
  ...over
})

test('a JSON line: level, ISO time, message, fields; nothing below LOG_LEVEL', () => {
  const { log, lines, parsed } = captured('info')
  log.debug('not shown')
  log.info('outbox: 3 calls from an earlier run are being sent', { records: 3 })
  log.warn('100% of %s is literal')
  expect(lines).toHaveLength(2)
  expect(parsed()).toEqual([
    {
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      records: 3,
      msg: 'outbox: 3 calls from an earlier run are being sent'
    },
    { level: 'warn', time: expect.any(String), msg: '100% of %s is literal' }
  ])
  expect(log.enabled('debug')).toBe(false)
  expect(log.enabled('warn')).toBe(true)
})

test('a text line: time, level, message', () => {
  const { log, lines } = captured('debug', 'text')
  log.error('outbox: Segment refused a batch')
  expect(lines).toEqual([expect.stringMatching(/^\d{4}-\S+Z ERROR outbox: Segment refused a batch$/)])
})

test('every line is redacted, in the message and in the fields, plain and JSON-escaped', () => {
  const secrets = ['tok-s3cret-value', 'quote"d-secret\\value']
  const json = captured('debug', 'json', secrets)
  json.log.warn(`POST /bulk 401 tok-s3cret-value`, { echoed: 'quote"d-secret\\value', part: 's3cret-va' })
  const text = captured('debug', 'text', secrets)
  text.log.warn(`quote"d-secret\\value and tok-s3cret`)
  for (const line of [...json.lines, ...text.lines]) {
    expect(line).not.toContain('s3cret')
    expect(line).not.toContain('d-secret')
    expect(line).toContain('[redacted]')
  }
  expect(json.parsed()[0]).toMatchObject({ msg: 'POST /bulk 401 [redacted]' })
})

test('LOG_FORMAT, else text on a terminal and JSON otherwise', () => {
  expect(logFormatOf({}, true)).toBe('text')
  expect(logFormatOf({}, false)).toBe('json')
  expect(logFormatOf({ logFormat: 'json' }, true)).toBe('json')
  expect(logFormatOf({ logFormat: 'text' }, false)).toBe('text')
})

describe('what the log says about requests', () => {
  test('at debug, one line per request with its fields; at info, none for successes', () => {
    const debug = captured('debug')
    requestLog(debug.log, { logCalls: false }).listener(record())
    expect(debug.parsed()).toEqual([
      {
        level: 'debug',
        time: expect.any(String),
        method: 'POST',
        route: '/bulk',
        status: 202,
        ms: 4.2,
        emitted: 15,
        skipped: 6,
        rejected: 0,
        msg: 'POST /bulk 202 emitted=15 skipped=6 rejected=0 4.2ms'
      }
    ])
    const info = captured('info')
    const requests = requestLog(info.log, { logCalls: false })
    for (let n = 0; n < 1000; n++) requests.listener(record())
    expect(info.lines).toEqual([])
  })

  test('probes and scrapes are never logged, not even at debug', () => {
    const { log, lines } = captured('debug')
    const requests = requestLog(log, { logCalls: false })
    for (const route of ['/healthz', '/livez', '/readyz', '/metrics'])
      requests.listener(record({ method: 'GET', route, status: 503, emitted: 0 }))
    requests.summarize()
    expect(lines).toEqual([])
  })

  test('a failure at warn (error when a delivery could not be kept): the first at once, then one a minute with the count', () => {
    let now = 0
    const { log, parsed } = captured('info')
    const requests = requestLog(log, { logCalls: false, now: () => now })
    const refused = record({
      status: 400,
      emitted: 0,
      error: { error: 'InvalidEventPayload', message: 'Every event of the delivery was rejected' }
    })
    const unkept = record({ status: 503, emitted: 0, error: { error: 'SinkWriteFailed', message: 'ENOSPC' } })
    for (let n = 0; n < 5; n++) requests.listener(refused)
    requests.listener(unkept)
    now = 59_999
    requests.listener(refused)
    now = 60_000
    requests.listener(refused)
    expect(parsed().map(({ level, msg, similar }) => ({ level, msg, similar }))).toEqual([
      {
        level: 'warn',
        msg: 'POST /bulk 400 emitted=0 skipped=6 rejected=0 4.2ms InvalidEventPayload: Every event of the delivery was rejected',
        similar: 0
      },
      {
        level: 'error',
        msg: 'POST /bulk 503 emitted=0 skipped=6 rejected=0 4.2ms SinkWriteFailed: ENOSPC',
        similar: 0
      },
      {
        level: 'warn',
        msg: 'POST /bulk 400 emitted=0 skipped=6 rejected=0 4.2ms InvalidEventPayload: Every event of the delivery was rejected (and 5 more like it since the last line)',
        similar: 5
      }
    ])
  })

  test('the summary at info: requests by status, events, the outbox; nothing when nothing happened', () => {
    const { log, parsed } = captured('info')
    const outbox = { records: 30, bytes: 4096, oldestAgeMs: 61_000, deadLettered: 0, maxBytes: 1, failing: 'HTTP 503' }
    const requests = requestLog(log, { logCalls: false, outbox: () => outbox })
    requests.listener(record())
    requests.listener(record())
    requests.listener(record({ status: 400, emitted: 0, skipped: {}, rejected: [{ index: 0, reason: 'no context' }] }))
    requests.summarize()
    outbox.records = 0
    requests.summarize()
    expect(parsed()).toEqual([
      expect.objectContaining({ level: 'warn' }),
      {
        level: 'info',
        time: expect.any(String),
        summary: true,
        requests: 3,
        emitted: 30,
        skipped: 12,
        rejected: 1,
        outboxRecords: 30,
        outboxBytes: 4096,
        outboxOldestSeconds: 61,
        msg: 'summary: 3 requests (2 × 202, 1 × 400); events emitted=30 skipped=12 rejected=1; outbox: 30 calls (4096 bytes) waiting, the oldest 61 s old, Segment failing (HTTP 503)'
      }
    ])
  })
})
