// GET /metrics (Prometheus text format through prom-client; docs/relay.md "Metrics"):
// Node's default process metrics, a listener of the delivery feed, the outbox's batch
// outcomes as they happen, the forwards, and the outbox's figures read when scraped.
// Every name starts with `ld_segment_` (never `ld_relay_`, which reads as LaunchDarkly's
// Relay Proxy); every label value comes from a fixed set.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { EXPORT_KINDS, isSkippedKind, SKIPPED_KINDS } from '../shared'
import { DeliveryRecord, pairEvents } from './feed'
import { isProbeOrScrape, routeLabel } from './http/routes'
import type { BatchReport, OutboxStats } from './outbox/outbox'

export const METRIC_PREFIX = 'ld_segment_'

export interface MetricsSources {
  outbox?: () => OutboxStats
}

/** What became of one forward to LaunchDarkly. */
export type ForwardResult = 'sent' | 'failed'

/** LaunchDarkly kinds as labels: the known ones, every diagnostic as one, anything else `other`. */
const KNOWN_KINDS: ReadonlySet<string> = new Set([...EXPORT_KINDS, ...SKIPPED_KINDS, 'alias'])

export function kindLabel(kind: unknown): string {
  if (typeof kind !== 'string') return 'other'
  if (KNOWN_KINDS.has(kind)) return kind
  return kind.startsWith('diagnostic') ? 'diagnostic' : 'other'
}

/** Batch settlements as the metric says them. */
const BATCH_RESULTS = { delivered: 'sent', refused: 'failed', retryable: 'retried' } as const

export class RelayMetrics {
  readonly registry = new Registry()
  private readonly deliveries: Counter<'route' | 'status'>
  private readonly events: Counter<'outcome' | 'kind'>
  private readonly duration: Histogram<'route'>
  private readonly batches: Counter<'result'>
  private readonly deadLetters: Counter
  private readonly forwards: Counter<'result'>

  constructor(sources: MetricsSources) {
    const registers = [this.registry]
    // process_* and nodejs_* under their usual names, so stock Node.js dashboards work.
    collectDefaultMetrics({ register: this.registry })
    const name = (suffix: string): string => METRIC_PREFIX + suffix
    this.deliveries = new Counter({
      name: name('deliveries_total'),
      help: 'Requests answered, by route and HTTP status (probes and scrapes not counted)',
      labelNames: ['route', 'status'],
      registers
    })
    this.events = new Counter({
      name: name('events_total'),
      help: 'LaunchDarkly events by outcome (emitted, skipped, rejected) and kind',
      labelNames: ['outcome', 'kind'],
      registers
    })
    this.duration = new Histogram({
      name: name('delivery_duration_seconds'),
      help: 'Time from a request to its answer (probes and scrapes not counted)',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    })
    this.batches = new Counter({
      name: name('segment_batches_total'),
      help: "Batch requests to Segment's API by result: sent (2xx), retried (to be sent again), failed (refused for good)",
      labelNames: ['result'],
      registers
    })
    this.deadLetters = new Counter({
      name: name('dead_letters_total'),
      help: 'Segment calls moved to the dead-letter file',
      registers
    })
    this.forwards = new Counter({
      name: name('forwards_total'),
      help: 'SDK requests forwarded to LD_FORWARD_EVENTS_TO, by result (sent: 2xx; failed)',
      labelNames: ['result'],
      registers
    })
    // Every label value exists from the start, so a rate() has a series before the first event.
    for (const result of Object.values(BATCH_RESULTS)) this.batches.inc({ result }, 0)
    for (const result of ['sent', 'failed']) this.forwards.inc({ result }, 0)
    if (sources.outbox) this.outboxGauges(sources.outbox)
  }

  /** The feed listener. */
  readonly record = (record: DeliveryRecord): void => {
    if (isProbeOrScrape(record.route)) return
    const route = routeLabel(record.route)
    this.deliveries.inc({ route, status: String(record.status) })
    this.duration.observe({ route }, record.ms / 1000)
    // Counted per kind first: one labelled increment per kind, not per call.
    const emitted = new Map<string, number>()
    for (const call of record.calls) {
      const kind = kindLabel(call.type === 'page' ? 'pageview' : call.type === 'alias' ? 'alias' : call.event)
      emitted.set(kind, (emitted.get(kind) ?? 0) + 1)
    }
    for (const [kind, count] of emitted) this.events.inc({ outcome: 'emitted', kind }, count)
    for (const kind in record.skipped)
      this.events.inc({ outcome: 'skipped', kind: kindLabel(kind) }, record.skipped[kind])
    if (record.rejected.length === 0) return
    // Rare, so the input is read again here (off the request's path) to name the kinds.
    const paired = pairEvents(record, isSkippedKind)
    for (const { index } of record.rejected) {
      const kind = (paired?.[index]?.input as { kind?: unknown } | undefined)?.kind
      this.events.inc({ outcome: 'rejected', kind: kindLabel(kind) })
    }
  }

  /** The outbox's hook: what each batch request to Segment settled. */
  readonly batch = (report: BatchReport): void => {
    this.batches.inc({ result: BATCH_RESULTS[report.settlement] })
    if (report.settlement === 'refused') this.deadLetters.inc(report.calls)
  }

  readonly forward = (result: ForwardResult): void => {
    this.forwards.inc({ result })
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }

  private outboxGauges(outbox: () => OutboxStats): void {
    const registers = [this.registry]
    const gauge = (suffix: string, help: string, read: (stats: OutboxStats) => number): void => {
      new Gauge({
        name: METRIC_PREFIX + suffix,
        help,
        registers,
        collect() {
          this.set(read(outbox()))
        }
      })
    }
    gauge('outbox_records', 'Segment calls in the outbox, not yet accepted by Segment', (s) => s.records)
    gauge('outbox_bytes', 'Bytes of the outbox not yet accepted by Segment', (s) => s.bytes)
    gauge(
      'outbox_oldest_age_seconds',
      'Age of the oldest call in the outbox (0 when empty), precise to a minute',
      (s) => s.oldestAgeMs / 1000
    )
    gauge('outbox_max_bytes', 'LD_OUTBOX_MAX_BYTES: past it, deliveries are refused with 503', (s) => s.maxBytes)
  }
}
