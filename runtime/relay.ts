// The relay (`npm start`; docs/relay.md, design §6), wired: the built source function in
// the Segment Functions sandbox on the paths LaunchDarkly SDKs post to, the destination's
// local tools, the relay's own pages, and the sink that keeps what a 202 acknowledged.
// A request goes socket → router.ts → a handler (handlers/) → the sink (sinks.ts, outbox/);
// every answered request's record goes to the feed's listeners (log line, metrics, inspector).

import { createServer, IncomingMessage, Server, ServerResponse } from 'http'
import { AddressInfo } from 'net'
import { performance } from 'perf_hooks'
import { format } from 'util'
import { redact } from '../shared'
import { ActionsServe } from './actions-serve'
import type { OpenAppendFile } from './append-log'
import { secretsOf, startupRefusal, warningsOf, withVariableNames } from './config/report'
import { DEFAULT_FUNCTION_INSTANCES, DEFAULT_LOG_SUMMARY_SECONDS, RuntimeConfig } from './config/variables'
import { delay } from './delay'
import { DestinationFunction } from './destination-function'
import { DeliveryFeed, DeliveryRecord } from './feed'
import { Forwarder } from './forward'
import { deliveriesHandler } from './handlers/deliveries'
import { localToolHandlers } from './handlers/local-tools'
import { banner, bannerFields, statusHandlers } from './handlers/status'
import { Authenticator } from './http/auth'
import { Answer, clientErrorAnswer, failure, Handler, send } from './http/responses'
import { targetOf } from './http/routes'
import { Inspector } from './inspector'
import { createLog, Log, logFormatOf } from './log'
import { RelayMetrics } from './metrics'
import { MetricsServer } from './metrics-server'
import { requestLog } from './request-log'
import { router } from './router'
import { FunctionPool } from './sandbox/pool'
import { openSink, OutboxTiming, Sink, usesOutbox } from './sinks'
import { listenProblem, PROJECT_ROOT, readBuiltFunction, StartupError } from './startup'
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
export const STOP_BUDGET_MS = { inflight: 15_000, forwards: 2000, outboxFlush: 5000 } as const

export interface RuntimeOptions {
  config: RuntimeConfig
  /** Where finished log lines go (the default prints to stdout); every line is redacted first. */
  log?: (line: string) => void
  /** The built function's code; read from dist/ by default. */
  functionCode?: string
  /** Test seams: how sink files are opened, and the outbox's retry timing. */
  openFile?: OpenAppendFile
  outbox?: OutboxTiming
  /** How long close() keeps sending the outbox to Segment (default STOP_BUDGET_MS.outboxFlush). */
  flushOnCloseMs?: number
  /** The built destination function's code; read from dist/ by default. */
  destinationFunctionCode?: string
}

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const config = withIngestToken(options.config)
  const refusal = startupRefusal(config)
  if (refusal) throw new StartupError(refusal)
  const secrets = secretsOf(config)
  const format = logFormatOf(config)
  const log = createLog({ level: config.logLevel, format, secrets, output: options.log })
  const clean = (text: string): string => redact(withVariableNames(text), secrets)
  const pool = functionPool(options.functionCode ?? readBuiltFunction(), config, log)
  // The outbox's gauges read the sink, opened next (they are read only when scraped); its
  // batch outcomes are counted as they settle.
  const metrics = new RelayMetrics({ outbox: usesOutbox(config) ? () => sink.outbox?.() ?? noStats : undefined })
  const outboxLog = (line: string, level?: 'info' | 'error'): void => log[level ?? 'warn'](line)
  const sink = await openSink(config, outboxLog, {
    openFile: options.openFile,
    outbox: options.outbox,
    onBatch: metrics.batch
  })
  const auth = new Authenticator(config.ingestTokens ?? [], config.clientSideIds ?? [])
  const forwarder = config.forwardEventsTo
    ? new Forwarder(config.forwardEventsTo, log.warn, {}, metrics.forward)
    : undefined
  const serve = new ActionsServe(destination, 'launchdarkly-events', {
    eventsBaseUrl: config.eventsBaseUrl ?? DEFAULT_EVENTS_BASE_URL,
    sdkBaseUrl: config.sdkBaseUrl ?? DEFAULT_SDK_BASE_URL
  })
  const destinationFunction = DestinationFunction.load(
    PROJECT_ROOT,
    {
      clientSideId: config.clientSideId,
      eventsBaseUrl: config.eventsBaseUrl,
      sendTrackAsCustom: config.sendTrackAsCustom,
      sendAliasEvents: config.sendAliasEvents
    },
    options.destinationFunctionCode
  )
  const feed = new DeliveryFeed((error) => log.error(`listener failed: ${(error as Error).message}`))
  feed.subscribe(metrics.record)
  const requests = requestLog(log, { logCalls: config.logCalls === true, outbox: sink.outbox?.bind(sink) })
  feed.subscribe(requests.listener)
  const warnings = warningsOf(config)
  const inspector = new Inspector({
    secrets,
    warnings,
    host: config.host,
    auth,
    log: log.warn,
    projectRoot: PROJECT_ROOT
  })
  feed.subscribe(inspector.record)

  let stopping = false
  let draining = false
  let url = ''
  let metricsUrl = ''
  const metricsServer = config.metricsPort === undefined ? undefined : new MetricsServer(metrics)
  const bannerText = (): string => banner(url, { sink, actionSlugs: serve.actionSlugs, config, warnings, metricsUrl })
  const status = statusHandlers({
    sink,
    metrics,
    dataDir: config.dataDir,
    stopping: () => stopping,
    draining: () => draining
  })
  const route = router(
    {
      deliveries: deliveriesHandler({ settings: config.settings, auth, pool, sink, forwarder, clean }),
      ...localToolHandlers({ host: config.host, auth, serve, destinationFunction, secrets }),
      ...status,
      metrics: metricsServer ? undefined : status.metrics,
      banner: bannerText
    },
    () => stopping
  )
  const http = new RelayServer(route, inspector, feed, log, { stopping: () => stopping, draining: () => draining })
  try {
    url = await http.listen(config)
    metricsUrl = metricsServer ? await metricsServer.listen(config) : url
  } catch (error) {
    await http.close()
    await sink.close()
    throw error
  }
  const summaryEveryMs = (config.logSummarySeconds ?? DEFAULT_LOG_SUMMARY_SECONDS) * 1000
  const stopSummaries = summaryEveryMs > 0 ? requests.start(summaryEveryMs) : undefined

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping = true
      stopSummaries?.()
      // In-flight deliveries finish (their calls reach the sink) before the sink closes.
      await http.close()
      await forwarder?.drain(STOP_BUDGET_MS.forwards)
      await sink.close(options.flushOnCloseMs ?? STOP_BUDGET_MS.outboxFlush)
      requests.summarize()
      await metricsServer?.close()
    })()
    return closing
  }
  return {
    url,
    sink,
    feed,
    warnings,
    log,
    metricsUrl,
    banner: bannerText,
    announce() {
      // On a terminal the banner as it reads (its warnings in it), unless LOG_LEVEL hides it.
      if (format === 'text' && log.enabled('info')) return log.info(bannerText())
      if (format === 'json')
        log.info(`LaunchDarkly ⇄ Segment relay on ${url}`, bannerFields(url, { sink, config, metricsUrl }))
      for (const warning of warnings) log.warn(`warning: ${warning}`)
    },
    async drain(drainMs) {
      if (drainMs > 0 && !closing) {
        draining = true
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

const noStats = { records: 0, bytes: 0, oldestAgeMs: 0, deadLettered: 0, maxBytes: 0 }

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

function newRecord(method: string, route: string): DeliveryRecord {
  const time = new Date().toISOString()
  return { time, method, route, status: 0, ms: 0, emitted: 0, skipped: {}, rejected: [], calls: [] }
}

/** The HTTP server: every request answered through the router, its record published; in-flight requests tracked for close(). */
class RelayServer {
  private readonly server: Server
  private readonly inflight = new Set<Promise<void>>()

  constructor(
    private readonly route: Handler,
    private readonly inspector: Inspector,
    private readonly feed: DeliveryFeed,
    private readonly log: Log,
    /** Draining or stopping: answers ask the client to close its connection, so it reconnects elsewhere. */
    private readonly state: { stopping(): boolean; draining(): boolean }
  ) {
    this.server = createServer((req, res) => {
      const handled = this.onRequest(req, res)
      this.inflight.add(handled)
      void handled.finally(() => this.inflight.delete(handled))
    })
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
      const { answer, raw } = clientErrorAnswer(error.code)
      socket.end(raw)
      // A client still sending gets no more reads; the socket must not linger.
      setTimeout(() => socket.destroy(), 1000).unref()
      feed.publish({ ...newRecord('', ''), status: answer.status, error: answer.body as DeliveryRecord['error'] })
    })
  }

  /** Listens as configured; resolves with the relay's URL, or throws a StartupError naming HOST or PORT. */
  async listen(config: RuntimeConfig): Promise<string> {
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject)
        this.server.listen(config.port, config.host, () => {
          this.server.off('error', reject)
          resolve()
        })
      })
    } catch (error) {
      throw new StartupError(listenProblem(error as NodeJS.ErrnoException, config))
    }
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    return `http://${host}:${(this.server.address() as AddressInfo).port}`
  }

  /** Stops accepting; in-flight requests finish (up to 15 s), then every connection closes. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeIdleConnections()
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      delay(STOP_BUDGET_MS.inflight, undefined, { unref: true })
    ])
    this.server.closeAllConnections()
    await closed
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const target = targetOf(req.url)
    if (!this.state.stopping() && this.inspector.serves(req, target, res)) return
    const record = newRecord(req.method ?? '', target.path)
    let answer: Answer
    try {
      answer = await this.route(req, target, record)
    } catch (error) {
      this.log.error(`${record.method} ${record.route}: unexpected ${(error as Error).stack ?? String(error)}`)
      answer = failure(503, 'RetryError', 'The relay failed unexpectedly; retry the request')
    }
    if (answer.body && typeof answer.body === 'object' && 'error' in answer.body)
      record.error = answer.body as DeliveryRecord['error']
    if (!res.headersSent) {
      const closing = this.state.stopping() || this.state.draining()
      send(res, closing ? { ...answer, headers: { ...answer.headers, Connection: 'close' } } : answer)
    }
    record.status = answer.status
    record.ms = performance.now() - started
    this.feed.publish(record)
  }
}
