// The relay's own pages (docs/relay.md "Logs, health and metrics"): the banner at `GET /`
// (what to point things at, the settings in effect, the warnings), `GET /healthz` and
// `GET /metrics`.

import { settingsInEffect } from '../config/report'
import type { RuntimeConfig } from '../config/variables'
import { Answer } from '../http/responses'
import { DESTINATION_FUNCTION_PATH, DESTINATION_PREFIX, SOURCE_ROUTES } from '../http/routes'
import type { RelayMetrics } from '../metrics'
import type { Forwarding } from '../forward'
import type { OutboxStats } from '../outbox/outbox'
import type { Sink } from '../sinks'

interface StatusOptions {
  sink: Sink
  forwards?: Forwarding
  metrics: RelayMetrics
  /** Whether the relay is stopping (health then says so). */
  stopping(): boolean
}

export function statusHandlers({ sink, forwards, metrics, stopping }: StatusOptions) {
  return {
    health(): Answer {
      const outbox = sink.outbox?.()
      const problems = [sink.problem(), forwards?.problem()]
      // What stops deliveries first, then what has stalled.
      const problem = stopping()
        ? { message: 'the relay is stopping' }
        : problems.find((p) => p && !p.stalled) ?? problems.find(Boolean)
      const figures = {
        ...(outbox ? { outbox: outboxFigures(outbox) } : {}),
        ...(forwards ? { forward: outboxFigures(forwards.stats()) } : {})
      }
      if (problem) {
        const status = problem.stalled ? 'stalled' : 'unavailable'
        return { status: 503, body: { error: 'Unavailable', status, message: problem.message, ...figures } }
      }
      return { status: 200, body: { status: 'ok', ...figures } }
    },
    async metrics(): Promise<Answer> {
      return { status: 200, body: await metrics.text(), contentType: metrics.contentType }
    }
  }
}

/** An outbox as /healthz shows it. */
function outboxFigures(stats: OutboxStats) {
  const faults = stats.faults.filter((f) => f.kind !== 'send').map(({ kind, count, last }) => ({ kind, count, last }))
  return {
    records: stats.records,
    bytes: stats.bytes,
    oldestAgeSeconds: Math.round(stats.oldestAgeMs / 1000),
    deadLettered: stats.deadLettered,
    corrupt: stats.corrupt,
    ...(stats.failing ? { failing: stats.failing } : {}),
    ...(stats.stalledMs !== undefined ? { stalledSeconds: Math.round(stats.stalledMs / 1000) } : {}),
    ...(faults.length ? { faults } : {})
  }
}

/** What the banner names beside the relay's address. */
interface BannerFacts {
  sink: Sink
  forwards?: Forwarding
  actionSlugs: readonly string[]
  config: RuntimeConfig
  warnings: readonly string[]
}

/** What to point things at; printed at startup and served at GET /. */
export function banner(url: string, { sink, forwards, actionSlugs, config, warnings }: BannerFacts): string {
  return [
    `LaunchDarkly ⇄ Segment relay on ${url}`,
    '',
    'Source function (POST LaunchDarkly payloads here):',
    ...SOURCE_ROUTES.map((p) => `  ${url}${p.describe}`),
    `  emitted calls go to the ${sink.description}`,
    ...(forwards
      ? [`  SDK requests it accepts are also forwarded to ${forwards.url}, through the forward outbox`]
      : []),
    '',
    'Destination (actions CLI `serve` routes):',
    ...actionSlugs.map((slug) => `  POST ${url}${DESTINATION_PREFIX}${slug}`),
    `  POST ${url}${DESTINATION_PREFIX}authenticate`,
    `  GET  ${url}${DESTINATION_PREFIX}manifest`,
    '',
    'Destination function (POST a Segment message, or an array of them for onBatch):',
    `  POST ${url}${DESTINATION_FUNCTION_PATH}`,
    '',
    `Health: GET ${url}/healthz   Metrics: GET ${url}/metrics`,
    `Inspector (every delivery, live): open ${url}/${config.ingestTokens?.length ? '?token=<token>' : ''} in a browser`,
    '',
    'Settings in effect:',
    ...settingsInEffect(config).map((line) => `  ${line}`),
    ...(warnings.length ? ['', ...warnings.map((w) => `warning: ${w}`)] : []),
    ''
  ].join('\n')
}
