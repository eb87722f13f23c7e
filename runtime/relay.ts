// The relay (`npm start`; docs/relay.md, design §6), wired: the built source function in
// the Segment Functions sandbox on the paths LaunchDarkly SDKs post to, the destination's
// local tools, the relay's own pages, and the sink that keeps what a 202 acknowledged.
// A request goes socket → router.ts → a handler (handlers/) → the sink (sinks.ts, outbox/);
// every answered request's record goes to the feed's listeners (log line, metrics, inspector).

import { format } from 'util'
import { redact } from '../shared'
import { ActionsServe } from './actions-serve'
import type { OpenAppendFile } from './append-log'
import { secretsOf, startupRefusal, warningsOf, withVariableNames } from './config/report'
import { DEFAULT_FUNCTION_INSTANCES, DEFAULT_LOG_SUMMARY_SECONDS, LogFormat, RuntimeConfig } from './config/variables'
import { DataFolder, openDataFolder } from './data-folder'
import { delay } from './delay'
import { DestinationFunction } from './destination-function'
import { DeliveryFeed } from './feed'
import { deliveriesHandler } from './handlers/deliveries'
import { localToolHandlers } from './handlers/local-tools'
import { banner as bannerText, bannerFields, statusHandlers } from './handlers/status'
import { Authenticator } from './http/auth'
import { Inspector } from './inspector'
import { createLog, Log, logFormatOf } from './log'
import { RelayMetrics } from './metrics'
import { MetricsServer } from './metrics-server'
import type { OutboxStats } from './outbox/outbox'
import { RelayServer } from './relay-server'
import { RequestLog, requestLog } from './request-log'
import { router } from './router'
import { FunctionPool } from './sandbox/pool'
import { OutboxTiming, Sink, usesOutbox } from './sinks'
import { PROJECT_ROOT, readBuiltFunction, StartupError, withoutPaths } from './startup'
import { writeLine } from './stdout-lines'
// `/index`: `dist/destinations/launchdarkly-events.js` is the destination function's
// bundle, which Node would load for the bare path instead of this folder.
import destination from '../destinations/launchdarkly-events/index'
import { DEFAULT_EVENTS_BASE_URL, DEFAULT_SDK_BASE_URL } from '../destinations/launchdarkly-events/endpoints'

export interface LocalRuntime {
  readonly url: string
  readonly sink: Sink
  /** Every answered request's record; subscribe to watch deliveries. */
  readonly feed: DeliveryFeed
  /** Startup warnings (also in the banner). */
  readonly warnings: readonly string[]
  /** The relay's log (LOG_LEVEL, LOG_FORMAT), every line redacted. */
  readonly log: Log
  /** Where GET /metrics is served: the relay's URL, or LD_METRICS_PORT's. */
  readonly metricsUrl: string
  /** The startup banner: URLs, settings in effect, warnings. */
  banner(): string
  /** Logs the banner: as text on a terminal, as one JSON line (and a line per warning) otherwise. */
  announce(): void
  /** SIGTERM: /readyz fails at once, requests are served for `drainMs` more, then close(). */
  drain(drainMs: number): Promise<void>
  /** Stops accepting, finishes in-flight requests, flushes what it can, closes the sink. */
  close(): Promise<void>
}

/** How long each step of close() may take at most: a platform's grace period must cover them (deploy/kubernetes). */
export const STOP_BUDGET_MS = { inflight: 15_000, outboxFlush: 5000 } as const

export interface RuntimeOptions {
  config: RuntimeConfig
  /** Where finished log lines go (the default prints to stdout); every line is redacted first. */
  log?: (line: string) => void
  /** The built function's code; read from dist/ by default. */
  functionCode?: string
  /** Test seams: how sink files are opened, and the outbox's retry timing. */
  openFile?: OpenAppendFile
  outbox?: OutboxTiming
  /** How long close() keeps sending the outboxes, at once (default STOP_BUDGET_MS.outboxFlush). */
  flushOnCloseMs?: number
  /** The built destination function's code; read from dist/ by default. */
  destinationFunctionCode?: string
}

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const config = withIngestToken(options.config)
  const refusal = startupRefusal(config)
  if (refusal) throw new StartupError(refusal)
  const relay = await assemble(config, options)
  try {
    relay.state.url = await relay.http.listen(config)
    relay.state.metricsUrl = relay.metricsServer ? await relay.metricsServer.listen(config) : relay.state.url
  } catch (error) {
    await relay.http.close(0)
    await relay.folder.close(0)
    throw error
  }
  return lifecycle(relay, options.flushOnCloseMs ?? STOP_BUDGET_MS.outboxFlush)
}

/** The relay's parts, wired, before it listens. */
interface Relay {
  config: RuntimeConfig
  log: Log
  format: LogFormat
  warnings: readonly string[]
  folder: DataFolder
  feed: DeliveryFeed
  requests: RequestLog
  http: RelayServer
  metricsServer?: MetricsServer
  /** What changes as the relay runs: its URLs once it listens, and whether it drains or stops. */
  state: { stopping: boolean; draining: boolean; url: string; metricsUrl: string }
  banner(): string
}

async function assemble(config: RuntimeConfig, options: RuntimeOptions): Promise<Relay> {
  const secrets = secretsOf(config)
  const format = logFormatOf(config)
  // No line shows an absolute path of this machine: the data folder by its variable.
  const output = options.log ?? writeLine
  const log = createLog({
    level: config.logLevel,
    format,
    secrets,
    output: (line) => output(withoutPaths(line, config.dataDir))
  })
  const pool = functionPool(options.functionCode ?? readBuiltFunction(), config, log)
  // The outboxes' gauges read them once opened (only when scraped); their requests' outcomes are counted as they settle.
  const opened: { folder?: DataFolder } = {}
  const metrics = new RelayMetrics({
    outbox: usesOutbox(config) ? () => opened.folder?.sink.outbox?.() ?? noStats : undefined,
    forward: config.forwardEventsTo ? () => opened.folder?.forwards?.stats() ?? noStats : undefined
  })
  // Before anything in the folder is read: a second relay on it stops here.
  const folder = await openDataFolder(config, secrets, (line, level) => log[level ?? 'warn'](line), {
    openFile: options.openFile,
    outbox: options.outbox,
    onBatch: metrics.batch,
    onForward: metrics.forward
  })
  opened.folder = folder
  const warnings = warningsOf(config)
  const auth = new Authenticator(config.ingestTokens ?? [], config.clientSideIds ?? [])
  const inspector = new Inspector({
    secrets,
    warnings,
    host: config.host,
    auth,
    log: log.warn,
    projectRoot: PROJECT_ROOT
  })
  const feed = new DeliveryFeed((error) => log.error(`listener failed: ${(error as Error).message}`))
  const requests = requestLog(log, {
    logCalls: config.logCalls === true,
    outbox: folder.sink.outbox?.bind(folder.sink)
  })
  for (const listener of [metrics.record, requests.listener, inspector.record]) feed.subscribe(listener)

  const state = { stopping: false, draining: false, url: '', metricsUrl: '' }
  const metricsServer = config.metricsPort === undefined ? undefined : new MetricsServer(metrics)
  const serve = actionsServe(config)
  const banner = (): string =>
    bannerText(state.url, { ...folder, actionSlugs: serve.actionSlugs, config, warnings, metricsUrl: state.metricsUrl })
  const status = statusHandlers({
    ...folder,
    metrics,
    dataDir: config.dataDir,
    stopping: () => state.stopping,
    draining: () => state.draining
  })
  const tools = localToolHandlers({
    host: config.host,
    auth,
    serve,
    destinationFunction: destinationFunction(config, options.destinationFunctionCode),
    secrets
  })
  const deliveries = deliveriesHandler({ settings: config.settings, auth, pool, ...folder, clean: cleaner(secrets) })
  const route = router(
    { deliveries, ...tools, ...status, metrics: metricsServer ? undefined : status.metrics, banner },
    () => state.stopping
  )
  const http = new RelayServer(
    route,
    inspector,
    feed,
    log,
    { stopping: () => state.stopping, draining: () => state.draining },
    config
  )
  return { config, log, format, warnings, folder, feed, requests, http, metricsServer, state, banner }
}

/** The listening relay as its callers hold it: the banner, drain and close. */
function lifecycle(relay: Relay, flushMs: number): LocalRuntime {
  const { config, log, format, warnings, folder, requests, http, metricsServer, state } = relay
  const summaryEveryMs = (config.logSummarySeconds ?? DEFAULT_LOG_SUMMARY_SECONDS) * 1000
  const stopSummaries = summaryEveryMs > 0 ? requests.start(summaryEveryMs) : undefined
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state.stopping = true
      stopSummaries?.()
      // In-flight deliveries finish (their calls reach the sink) before the sink closes.
      await http.close(STOP_BUDGET_MS.inflight)
      // Both outboxes send what they can at once, then stay on disk; the folder is released.
      await folder.close(flushMs)
      requests.summarize()
      await metricsServer?.close()
    })()
    return closing
  }
  return {
    url: state.url,
    sink: folder.sink,
    feed: relay.feed,
    warnings,
    log,
    metricsUrl: state.metricsUrl,
    banner: relay.banner,
    announce() {
      // On a terminal the banner as it reads (its warnings in it), unless LOG_LEVEL hides it.
      if (format === 'text' && log.enabled('info')) return log.info(relay.banner())
      if (format === 'json')
        log.info(
          `LaunchDarkly ⇄ Segment relay on ${state.url}`,
          bannerFields(state.url, { sink: folder.sink, config, metricsUrl: state.metricsUrl })
        )
      for (const warning of warnings) log.warn(`warning: ${warning}`)
    },
    async drain(drainMs) {
      if (drainMs > 0 && !closing) {
        state.draining = true
        log.info(
          `draining: /readyz answers 503 for ${drainMs / 1000} s while requests are still served, then the relay stops`
        )
        await delay(drainMs)
      }
      await close()
    },
    close
  }
}

/** A reason or message as the relay shows it: source settings named with their variables, secrets redacted. */
function cleaner(secrets: readonly string[]): (text: string) => string {
  return (text) => redact(withVariableNames(text), secrets)
}

/** The actions CLI `serve` stand-in, sending only where the relay's variables say. */
function actionsServe(config: RuntimeConfig): ActionsServe {
  return new ActionsServe(destination, 'launchdarkly-events', {
    eventsBaseUrl: config.eventsBaseUrl ?? DEFAULT_EVENTS_BASE_URL,
    sdkBaseUrl: config.sdkBaseUrl ?? DEFAULT_SDK_BASE_URL
  })
}

/** The built destination function with the relay's settings, or undefined when dist/ has none. */
function destinationFunction(config: RuntimeConfig, code: string | undefined): DestinationFunction | undefined {
  const { clientSideId, eventsBaseUrl, sendTrackAsCustom, sendAliasEvents } = config
  return DestinationFunction.load(
    PROJECT_ROOT,
    { clientSideId, eventsBaseUrl, sendTrackAsCustom, sendAliasEvents },
    code
  )
}

const noStats: OutboxStats = { records: 0, bytes: 0, oldestAgeMs: 0, deadLettered: 0, maxBytes: 0 }

/** The warm instances of the built source function. */
function functionPool(code: string, config: RuntimeConfig, log: Log): FunctionPool {
  return new FunctionPool(code, config.functionInstances ?? DEFAULT_FUNCTION_INSTANCES, {
    stopSyncLoops: false,
    // The function's own summary line would repeat the relay's; its warnings are worth a line.
    console: {
      warn: (...args) => log.warn(`function: ${format(...args)}`),
      error: (...args) => log.error(`function: ${format(...args)}`)
    }
  })
}

/** A token given as the `ingestToken` setting (programmatic use) counts like LD_INGEST_TOKEN. */
function withIngestToken(given: RuntimeConfig): RuntimeConfig {
  const { ingestToken, ...settings } = given.settings
  const tokens = [...(given.ingestTokens ?? []), ...(typeof ingestToken === 'string' ? [ingestToken] : [])]
  return { ...given, settings, ingestTokens: tokens }
}
