// GET /metrics (Prometheus text format through prom-client): a listener of the delivery
// feed, plus the outbox's and the forwarder's figures read when scraped.

import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { isSkippedKind } from '../shared'
import { DeliveryRecord, pairEvents } from './feed'
import { DESTINATION_PREFIX, sourceRouteOf } from './http/routes'
import type { OutboxStats } from './outbox/outbox'

export interface MetricsSources {
  outbox?: () => OutboxStats
}

export class RelayMetrics {
  readonly registry = new Registry()
  readonly forwardFailures: Counter
  private readonly deliveries: Counter<'route' | 'status'>
  private readonly events: Counter<'outcome' | 'kind'>
  private readonly duration: Histogram<'route'>

  constructor(sources: MetricsSources) {
    const registers = [this.registry]
    this.deliveries = new Counter({
      name: 'ld_relay_deliveries_total',
      help: 'Requests answered, by route and HTTP status',
      labelNames: ['route', 'status'],
      registers
    })
    this.events = new Counter({
      name: 'ld_relay_events_total',
      help: 'LaunchDarkly events by outcome (emitted, skipped, rejected) and kind',
      labelNames: ['outcome', 'kind'],
      registers
    })
    this.duration = new Histogram({
      name: 'ld_relay_delivery_duration_seconds',
      help: 'Time from a request to its answer',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    })
    this.forwardFailures = new Counter({
      name: 'ld_relay_forward_failures_total',
      help: 'SDK requests that could not be forwarded to LD_FORWARD_EVENTS_TO',
      registers
    })
    const outbox = sources.outbox
    if (outbox) {
      const gauge = (name: string, help: string, read: (stats: OutboxStats) => number): void => {
        new Gauge({
          name,
          help,
          registers,
          collect() {
            this.set(read(outbox()))
          }
        })
      }
      gauge('ld_relay_outbox_records', 'Segment calls in the outbox, not yet accepted by Segment', (s) => s.records)
      gauge('ld_relay_outbox_bytes', 'Bytes of the outbox not yet accepted by Segment', (s) => s.bytes)
      gauge(
        'ld_relay_outbox_oldest_age_seconds',
        'Age of the oldest call in the outbox (0 when empty)',
        (s) => s.oldestAgeMs / 1000
      )
      gauge('ld_relay_outbox_dead_lettered', 'Calls moved to the dead-letter file since start', (s) => s.deadLettered)
    }
  }

  /** The feed listener. */
  readonly record = (record: DeliveryRecord): void => {
    const route = routeLabel(record.route)
    this.deliveries.inc({ route, status: String(record.status) })
    this.duration.observe({ route }, record.ms / 1000)
    // Counted per kind first: one labelled increment per kind, not per call.
    const emitted = new Map<string, number>()
    for (const call of record.calls) {
      const kind = call.type === 'page' ? 'pageview' : call.event ?? String(call.message.event)
      emitted.set(kind, (emitted.get(kind) ?? 0) + 1)
    }
    for (const [kind, count] of emitted) this.events.inc({ outcome: 'emitted', kind }, count)
    for (const kind in record.skipped) this.events.inc({ outcome: 'skipped', kind }, record.skipped[kind])
    if (record.rejected.length === 0) return
    // Rare, so the input is read again here (off the request's path) to name the kinds.
    const paired = pairEvents(record, isSkippedKind)
    for (const { index } of record.rejected) {
      const kind = (paired?.[index]?.input as { kind?: unknown } | undefined)?.kind
      this.events.inc({ outcome: 'rejected', kind: typeof kind === 'string' && kind.length <= 40 ? kind : 'unknown' })
    }
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

const OWN_ROUTES = new Set(['/', '/healthz', '/metrics'])

/** Bounded label values: the route's pattern, never a path a client chose. */
function routeLabel(path: string): string {
  const source = sourceRouteOf(path)
  if (source) return source.describe.split(' ')[0]
  if (path.startsWith(DESTINATION_PREFIX)) return DESTINATION_PREFIX + '*'
  return OWN_ROUTES.has(path) ? path : 'unknown'
}
