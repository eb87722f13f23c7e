// What the log says about answered requests (docs/relay.md "Logs"), a listener of the
// delivery feed: one line per request at `debug`; a failure at `warn` (`error` when the
// relay could not keep a delivery), the first of its kind at once and then one line a
// minute with the count; an `info` summary every LOG_SUMMARY_SECONDS; with LD_LOG_CALLS
// each Segment call. Probes and scrapes are never logged.

import { DeliveryRecord, skippedCount } from './feed'
import { isProbeOrScrape, routeLabel } from './http/routes'
import type { Log, LogFields } from './log'
import type { OutboxStats } from './outbox/outbox'

/** How often a run of the same failure is logged, with its count. */
export const FAILURE_LOG_EVERY_MS = 60_000

/** Errors that mean the relay did not keep a delivery it should have: the operator's problem, not the client's. */
const RELAY_ERRORS = new Set(['RetryError', 'Timeout', 'SinkWriteFailed'])

export interface RequestLogOptions {
  logCalls: boolean
  /** The outbox's figures, for the summary. */
  outbox?: () => OutboxStats
  now?: () => number
}

export interface RequestLog {
  readonly listener: (record: DeliveryRecord) => void
  /** Logs the summary since the last one at info, unless nothing happened and nothing waits. */
  summarize(): void
  /** Summarizes every `everyMs`; the function returned stops it. */
  start(everyMs: number): () => void
}

export function requestLog(log: Log, { logCalls, outbox, now = Date.now }: RequestLogOptions): RequestLog {
  const failures = new Map<string, { lastLogged: number; unlogged: number }>()
  let tally = newTally()

  const listener = (record: DeliveryRecord): void => {
    if (isProbeOrScrape(record.route)) return
    count(tally, record)
    // A warning (a preflight asking for a header the relay refuses) says events will be lost: as a failure.
    const failed = record.status >= 400 || record.warning !== undefined
    if (!failed) {
      if (log.enabled('debug')) log.debug(lineOf(record), fieldsOf(record))
    } else {
      const level = record.status >= 500 && RELAY_ERRORS.has(record.error?.error ?? '') ? 'error' : 'warn'
      const key = `${level} ${record.status} ${record.error?.error ?? ''} ${routeLabel(record.route)}`
      const seen = failures.get(key)
      const at = now()
      if (!seen || at - seen.lastLogged >= FAILURE_LOG_EVERY_MS || log.enabled('debug')) {
        const more = seen?.unlogged ? ` (and ${seen.unlogged} more like it since the last line)` : ''
        log[level](lineOf(record) + more, { ...fieldsOf(record), similar: seen?.unlogged ?? 0 })
        failures.set(key, { lastLogged: at, unlogged: 0 })
      } else seen.unlogged++
    }
    if (logCalls)
      for (const call of record.calls) log.info(JSON.stringify({ type: call.type, ...call.message }), { call: true })
  }

  const summarize = (): void => {
    const stats = outbox?.()
    const { requests, emitted, skipped, rejected } = tally
    if (requests > 0 || (stats && stats.records > 0)) {
      const fields = { summary: true, requests, emitted, skipped, rejected, ...(stats ? outboxFields(stats) : {}) }
      log.info(summaryText(tally, stats), fields)
    }
    tally = newTally()
  }
  return {
    listener,
    summarize,
    start(everyMs) {
      const timer = setInterval(summarize, everyMs)
      timer.unref()
      return () => clearInterval(timer)
    }
  }
}

/** `POST /bulk 202 emitted=15 skipped=9 rejected=0 4.2ms`, then the error or the first rejection. */
function lineOf(record: DeliveryRecord): string {
  const parts = [record.method || '-', record.route || '-', String(record.status)]
  parts.push(`emitted=${record.emitted}`, `skipped=${skippedCount(record)}`, `rejected=${record.rejected.length}`)
  parts.push(`${record.ms.toFixed(1)}ms`)
  if (record.error) parts.push(`${record.error.error}: ${record.error.message}`)
  if (record.warning) parts.push(`warning: ${record.warning}`)
  // A failed delivery's error lists its rejections already.
  if (record.rejected.length && !record.error)
    parts.push(
      `first rejection: #${record.rejected[0].index} ${record.rejected[0].reason}${
        record.rejected.length > 1 ? ` (+${record.rejected.length - 1} more)` : ''
      }`
    )
  if (record.requests?.length)
    parts.push(`LaunchDarkly: ${record.requests.map((r) => `${r.method} ${r.url} ${r.status}`).join(', ')}`)
  return parts.join(' ')
}

function fieldsOf(record: DeliveryRecord): LogFields {
  return {
    method: record.method,
    route: record.route,
    status: record.status,
    ms: Math.round(record.ms * 10) / 10,
    emitted: record.emitted,
    skipped: skippedCount(record),
    rejected: record.rejected.length,
    ...(record.error ? { error: record.error.error } : {})
  }
}

interface Tally {
  requests: number
  byStatus: Map<number, number>
  emitted: number
  skipped: number
  rejected: number
}

function newTally(): Tally {
  return { requests: 0, byStatus: new Map(), emitted: 0, skipped: 0, rejected: 0 }
}

function count(tally: Tally, record: DeliveryRecord): void {
  tally.requests++
  tally.byStatus.set(record.status, (tally.byStatus.get(record.status) ?? 0) + 1)
  tally.emitted += record.emitted
  tally.skipped += skippedCount(record)
  tally.rejected += record.rejected.length
}

/** `summary: 1200 requests (1190 × 202, 10 × 400); events emitted=… skipped=… rejected=…; outbox: …`. */
function summaryText(tally: Tally, stats: OutboxStats | undefined): string {
  const statuses = [...tally.byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ')
  const parts = [
    `summary: ${tally.requests} request${tally.requests === 1 ? '' : 's'}${statuses ? ` (${statuses})` : ''}`,
    `events emitted=${tally.emitted} skipped=${tally.skipped} rejected=${tally.rejected}`
  ]
  if (stats)
    parts.push(
      `outbox: ${stats.records} calls (${stats.bytes} bytes) waiting, the oldest ${Math.round(
        stats.oldestAgeMs / 1000
      )} s old${stats.failing ? `, Segment failing (${stats.failing})` : ''}`
    )
  return parts.join('; ')
}

function outboxFields(stats: OutboxStats): LogFields {
  return {
    outboxRecords: stats.records,
    outboxBytes: stats.bytes,
    outboxOldestSeconds: Math.round(stats.oldestAgeMs / 1000)
  }
}
