// The relay's own pages (docs/relay.md "Probes, logs and metrics"): the banner at `GET /`
// (what to point things at, the settings in effect, the warnings), the probes
// (`/livez`: the process answers; `/readyz`: this replica takes deliveries; `/healthz`,
// as before both), and `GET /metrics`.

import { access, constants } from 'fs/promises'
import { settingsInEffect } from '../config/report'
import type { RuntimeConfig } from '../config/variables'
import { Answer } from '../http/responses'
import { DESTINATION_FUNCTION_PATH, DESTINATION_PREFIX, SOURCE_ROUTES } from '../http/routes'
import type { RelayMetrics } from '../metrics'
import type { Sink } from '../sinks'

interface StatusOptions {
  sink: Sink
  metrics: RelayMetrics
  /** The data folder, whose writability /readyz checks. */
  dataDir: string
  /** Whether the relay is stopping (health then says so). */
  stopping(): boolean
  /** Whether SIGTERM has come: /readyz fails while requests are still served. */
  draining(): boolean
}

export function statusHandlers({ sink, metrics, dataDir, stopping, draining }: StatusOptions) {
  return {
    /** Alive: it answers. Never fails for Segment, the outbox or a drain, so it never restarts a pod that only waits. */
    live(): Answer {
      return { status: 200, body: { status: 'ok' } }
    },
    /** Takes deliveries: the data folder writable, the sink writing, the outbox under its limit, not draining. */
    async ready(): Promise<Answer> {
      const problem = draining()
        ? 'the relay is draining before it stops (SIGTERM)'
        : stopping()
        ? 'the relay is stopping'
        : sink.problem() ?? (await folderProblem(dataDir))
      return problem
        ? { status: 503, body: { error: 'NotReady', message: problem } }
        : { status: 200, body: { status: 'ready' } }
    },
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

/** Why the data folder cannot take writes now (read-only, removed, no permission), naming its variable, not its path. */
async function folderProblem(dataDir: string): Promise<string | undefined> {
  try {
    await access(dataDir, constants.W_OK)
    return undefined
  } catch (error) {
    return `the data folder (LD_SEGMENT_DATA_DIR) cannot be written (${
      (error as NodeJS.ErrnoException).code ?? 'error'
    })`
  }
}

/** What the banner names beside the relay's address. */
interface BannerFacts {
  sink: Sink
  actionSlugs: readonly string[]
  config: RuntimeConfig
  warnings: readonly string[]
  /** The relay's URL, or LD_METRICS_PORT's. */
  metricsUrl: string
}

/** What to point things at; printed at startup and served at GET /. */
export function banner(url: string, { sink, actionSlugs, config, warnings, metricsUrl }: BannerFacts): string {
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
    `Probes: GET ${url}/livez, ${url}/readyz, ${url}/healthz   Metrics: GET ${metricsUrl}/metrics`,
    `Inspector (every delivery, live): open ${url}/${config.ingestTokens?.length ? '?token=<token>' : ''} in a browser`,
    '',
    'Settings in effect:',
    ...settingsInEffect(config).map((line) => `  ${line}`),
    ...(warnings.length ? ['', ...warnings.map((w) => `warning: ${w}`)] : []),
    ''
  ].join('\n')
}

/** The banner's facts as fields of one JSON line (LOG_FORMAT=json). */
export function bannerFields(
  url: string,
  { sink, config, metricsUrl }: Pick<BannerFacts, 'sink' | 'config' | 'metricsUrl'>
): Record<string, unknown> {
  return {
    url,
    metrics: `${metricsUrl}/metrics`,
    sink: sink.description,
    settings: Object.fromEntries(settingsInEffect(config).map((line) => line.split(/\s{2,}/)))
  }
}
