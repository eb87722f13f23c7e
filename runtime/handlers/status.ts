// The relay's own pages (docs/relay.md "Logs, health and metrics"): the banner at `GET /`
// (what to point things at, the settings in effect, the warnings), `GET /healthz` and
// `GET /metrics`.

import { settingsInEffect } from '../config/report'
import type { RuntimeConfig } from '../config/variables'
import { Answer } from '../http/responses'
import { DESTINATION_FUNCTION_PATH, DESTINATION_PREFIX, SOURCE_ROUTES } from '../http/routes'
import type { RelayMetrics } from '../metrics'
import type { Sink } from '../sinks'

interface StatusOptions {
  sink: Sink
  metrics: RelayMetrics
  /** Whether the relay is stopping (health then says so). */
  stopping(): boolean
}

export function statusHandlers({ sink, metrics, stopping }: StatusOptions) {
  return {
    health(): Answer {
      const outbox = sink.outbox?.()
      const problem = stopping() ? 'the relay is stopping' : sink.problem()
      const figures = outbox
        ? {
            outbox: {
              records: outbox.records,
              bytes: outbox.bytes,
              oldestAgeSeconds: Math.round(outbox.oldestAgeMs / 1000),
              deadLettered: outbox.deadLettered,
              ...(outbox.failing ? { segmentFailing: outbox.failing } : {})
            }
          }
        : {}
      if (problem) return { status: 503, body: { error: 'Unavailable', message: problem, ...figures } }
      return { status: 200, body: { status: 'ok', ...figures } }
    },
    async metrics(): Promise<Answer> {
      return { status: 200, body: await metrics.text(), contentType: metrics.contentType }
    }
  }
}

/** What the banner names beside the relay's address. */
interface BannerFacts {
  sink: Sink
  actionSlugs: readonly string[]
  config: RuntimeConfig
  warnings: readonly string[]
}

/** What to point things at; printed at startup and served at GET /. */
export function banner(url: string, { sink, actionSlugs, config, warnings }: BannerFacts): string {
  return [
    `LaunchDarkly ⇄ Segment relay on ${url}`,
    '',
    'Source function (POST LaunchDarkly payloads here):',
    ...SOURCE_ROUTES.map((p) => `  ${url}${p.describe}`),
    `  emitted calls go to the ${sink.description}`,
    ...(config.forwardEventsTo ? [`  SDK requests are also forwarded to ${config.forwardEventsTo}`] : []),
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
