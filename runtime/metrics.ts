// GET /metrics (Prometheus text format through prom-client): a listener of the delivery
// feed, plus the outbox's and the forwarder's figures read when scraped.

import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { AUDIT_ANONYMOUS_ID, EXPORT_KINDS, isSkippedKind, SKIPPED_KINDS } from '../shared'
import { DeliveryRecord, pairEvents } from './feed'
import { DESTINATION_PREFIX, sourceRouteOf } from './http/routes'
import type { OutboxStats } from './outbox/outbox'

export interface MetricsSources {
  outbox?: () => OutboxStats
  forward?: () => OutboxStats
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
      help: 'Requests to LD_FORWARD_EVENTS_TO that did not succeed (each retry counts; the SDK requests stay in the forward outbox)',
      registers
    })
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read())
        }
      })
    }
    const { outbox, forward } = sources
    if (outbox) {
      gauge(
        'ld_relay_outbox_records',
        'Segment calls in the outbox, not yet accepted by Segment',
        () => outbox().records
      )
      gauge('ld_relay_outbox_bytes', 'Bytes of the outbox not yet accepted by Segment', () => outbox().bytes)
      gauge(
        'ld_relay_outbox_oldest_age_seconds',
        'Age of the oldest call in the outbox (0 when empty)',
        () => outbox().oldestAgeMs / 1000
      )
      gauge(
        'ld_relay_outbox_dead_lettered',
        'Calls moved to the dead-letter file since start',
        () => outbox().deadLettered
      )
    }
    if (forward) {
      gauge(
        'ld_relay_forward_outbox_records',
        'SDK requests in the forward outbox, not yet accepted by LaunchDarkly',
        () => forward().records
      )
      gauge(
        'ld_relay_forward_outbox_bytes',
        'Bytes of the forward outbox not yet accepted by LaunchDarkly',
        () => forward().bytes
      )
      gauge(
        'ld_relay_forward_outbox_oldest_age_seconds',
        'Age of the oldest SDK request in the forward outbox (0 when empty)',
        () => forward().oldestAgeMs / 1000
      )
      gauge(
        'ld_relay_forward_outbox_dead_lettered',
        'SDK requests LaunchDarkly refused for good since start, in the forward dead-letter file',
        () => forward().deadLettered
      )
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
      const kind = callKind(call.type, call.event ?? call.message.event, call.message.anonymousId)
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

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

/** Bounded label values: LaunchDarkly's kinds (every `diagnostic…` one as `diagnostic`), then `other`; a client cannot add series. */
const KINDS = new Set<string>([...EXPORT_KINDS, ...SKIPPED_KINDS, 'alias'])

function kindLabel(kind: unknown): string {
  if (typeof kind !== 'string') return 'other'
  if (KINDS.has(kind)) return kind
  return kind.startsWith('diagnostic') ? 'diagnostic' : 'other'
}

/** The kind a Segment call was made from: its event, or `audit` for an audit-log entry. */
function callKind(type: string, event: unknown, anonymousId: unknown): string {
  if (type === 'page') return 'pageview'
  if (type === 'alias') return 'alias'
  if (anonymousId === AUDIT_ANONYMOUS_ID) return 'audit'
  return kindLabel(event)
}

const OWN_ROUTES = new Set(['/', '/healthz', '/metrics'])

/** Bounded label values: the route's pattern, never a path a client chose. */
function routeLabel(path: string): string {
  const source = sourceRouteOf(path)
  if (source) return source.describe.split(' ')[0]
  if (path.startsWith(DESTINATION_PREFIX)) return DESTINATION_PREFIX + '*'
  return OWN_ROUTES.has(path) ? path : 'unknown'
}
