// The relay (`npm start`, `node dist/runtime/server.js`; docs/relay.md, design §6): the
// built source function in the Segment Functions sandbox on the paths LaunchDarkly SDKs
// post to, the destination's actions on `serve`-compatible routes, and the sink that
// keeps what a 202 acknowledged: the NDJSON file, or the outbox that sends to Segment.

import { existsSync, readFileSync } from 'fs'
import { mkdir } from 'fs/promises'
import { createServer, IncomingMessage, Server, ServerResponse } from 'http'
import { AddressInfo } from 'net'
import { dirname, join } from 'path'
import { performance } from 'perf_hooks'
import { format } from 'util'
import { redact } from '../shared'
import { Answer, clientErrorAnswer, failure, functionFailure, RETRY_AFTER_SECONDS, send, sinkFailure } from './answers'
import type { OpenAppendFile } from './append-log'
import { Authenticator } from './auth'
import { BodyError, readBody } from './body'
import { CORS_HEADERS, preflight, refusedWarning } from './cors'
import {
  ConfigError,
  configFromEnv,
  DEFAULT_FUNCTION_INSTANCES,
  DEFAULT_OUTBOX_MAX_BYTES,
  DEFAULT_SEGMENT_HOST,
  isLoopback,
  isLoopbackHost,
  RuntimeConfig,
  secretsOf,
  settingsInEffect,
  startupRefusal,
  warningsOf,
  withVariableNames
} from './config'
import { DeliveryFeed, DeliveryRecord, INPUT_LIMIT, skippedCount } from './delivery-record'
import { DESTINATION_FUNCTION_PATH, DestinationFunction } from './destination-function'
import { DestinationRoutes } from './destination-routes'
import { Forwarder } from './forward'
import { FunctionPool } from './function-pool'
import { Inspector } from './inspector'
import type { RecordedCall } from './functions-sandbox'
import { RelayMetrics } from './metrics'
import type { OutboxOptions } from './outbox'
import { DESTINATION_PREFIX, RequestTarget, SOURCE_ROUTES, sourceRouteOf, targetOf, withoutToken } from './routes'
import { NdjsonSink, OutboxSink, Sink, SinkError } from './sinks'
import { writeLine } from './stdout-lines'
// `/index`: in dist/, `destinations/launchdarkly-events.js` is the destination function's
// bundle, which Node would load for the bare path instead of this folder.
import destination from '../destinations/launchdarkly-events/index'
import { DEFAULT_EVENTS_BASE_URL, DEFAULT_SDK_BASE_URL } from '../destinations/launchdarkly-events/endpoints'

/** The folder holding package.json: the repository, also when running from dist/runtime/. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return join(from, '..')
  }
}

export const PROJECT_ROOT = projectRoot(__dirname)
export const BUILT_FUNCTION = join(PROJECT_ROOT, 'dist', 'sources', 'launchdarkly.js')

export interface LocalRuntime {
  readonly url: string
  readonly sink: Sink
  /** Every answered request's record; subscribe to watch deliveries. */
  readonly feed: DeliveryFeed
  /** Startup warnings (also in the banner). */
  readonly warnings: readonly string[]
  /** The startup banner: URLs, settings in effect, warnings. */
  banner(): string
  /** Stops accepting, finishes in-flight requests, flushes what it can, closes the sink. */
  close(): Promise<void>
}

export interface RuntimeOptions {
  config: RuntimeConfig
  /** Where log lines go (the default prints to stdout); every line is redacted first. */
  log?: (line: string) => void
  /** The built function's code; read from dist/ by default. */
  functionCode?: string
  /** Test seams: how sink files are opened, and the outbox's retry timing. */
  openFile?: OpenAppendFile
  outbox?: Partial<Pick<OutboxOptions, 'retryBaseMs' | 'retryMaxMs' | 'timeoutMs'>>
  /** How long close() keeps sending the outbox to Segment (default 5 s). */
  flushOnCloseMs?: number
  /** The built destination function's code; read from dist/ by default. */
  destinationFunctionCode?: string
}

/** Startup stopped: the message names the variable to change. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StartupError'
  }
}

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const { ingestToken, ...settings } = options.config.settings
  const config: RuntimeConfig = {
    ...options.config,
    settings,
    // A token given as the setting (programmatic use) counts like LD_INGEST_TOKEN.
    ingestTokens: [...(options.config.ingestTokens ?? []), ...(typeof ingestToken === 'string' ? [ingestToken] : [])]
  }
  const refusal = startupRefusal(config)
  if (refusal) throw new StartupError(refusal)
  const secrets = secretsOf(config)
  const print = options.log ?? writeLine
  // Without secrets redact() returns the line as it is, at a cost per character.
  const log = (line: string): void => print(secrets.length ? redact(line, secrets) : line)
  const clean = (text: string): string => redact(withVariableNames(text), secrets)
  const code = options.functionCode ?? readBuiltFunction()
  const pool = new FunctionPool(code, config.functionInstances ?? DEFAULT_FUNCTION_INSTANCES, {
    stopSyncLoops: false,
    // The function's own summary line would repeat the relay's; its warnings are worth a line.
    console: {
      warn: (...args) => log(`function: ${format(...args)}`),
      error: (...args) => log(`function: ${format(...args)}`)
    }
  })
  const sink = await openSink(config, options, log)
  const auth = new Authenticator(config.ingestTokens ?? [], config.clientSideIds ?? [])
  const metrics = new RelayMetrics({ outbox: sink.outbox?.bind(sink) })
  const forwarder = config.forwardEventsTo
    ? new Forwarder(config.forwardEventsTo, log, {}, () => metrics.forwardFailures.inc())
    : undefined
  const routes = new DestinationRoutes(destination, 'launchdarkly-events', {
    eventsBaseUrl: config.eventsBaseUrl ?? DEFAULT_EVENTS_BASE_URL,
    sdkBaseUrl: config.sdkBaseUrl ?? DEFAULT_SDK_BASE_URL
  })
  const destinationFunction = DestinationFunction.load(
    PROJECT_ROOT,
    {
      clientSideId: config.clientSideId,
      eventsBaseUrl: config.eventsBaseUrl,
      sendTrackAsCustom: config.sendTrackAsCustom
    },
    options.destinationFunctionCode
  )
  const feed = new DeliveryFeed((error) => log(`listener failed: ${(error as Error).message}`))
  feed.subscribe(metrics.record)
  feed.subscribe(logLine(log, config.logCalls === true))
  const warnings = warningsOf(config)
  const inspector = new Inspector({ secrets, warnings, host: config.host, auth, log })
  feed.subscribe(inspector.record)
  let stopping = false

  async function onSource(req: IncomingMessage, target: RequestTarget, record: DeliveryRecord): Promise<Answer> {
    const route = sourceRouteOf(target.path)
    if (!route) return failure(404, 'NotFound', `No route for ${target.path}`)
    if (req.method !== 'POST')
      return failure(405, 'MethodNotAllowed', 'LaunchDarkly deliveries are POST requests', { Allow: 'POST' })
    let clientSideId: string | undefined
    if (route.kind === 'client-side') {
      try {
        clientSideId = decodeURIComponent(route.pattern.exec(target.path)?.[2] ?? '')
      } catch {
        return failure(400, 'InvalidPath', 'The client-side ID in the path is not valid percent-encoding')
      }
    }
    // Before the body is read: an unauthenticated caller gets nothing parsed, run or forwarded.
    const verdict = auth.check(route.kind, target.query, req.headers.authorization, clientSideId)
    if (!verdict.ok) return failure(401, 'ValidationError', verdict.message)
    // An outbox at its limit refuses before anything runs; a failing disk is tried again each time.
    const refusal = sink.refusal?.()
    if (refusal) return failure(503, 'OutboxFull', refusal, { 'Retry-After': String(RETRY_AFTER_SECONDS) })

    let body: string
    try {
      body = await readBody(req)
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      return failure(
        error.tooLarge ? 413 : 400,
        error.tooLarge ? 'PayloadTooLarge' : 'InvalidEventPayload',
        error.message
      )
    }
    if (body.length <= INPUT_LIMIT) record.input = body
    const query = withoutToken(target.query)
    // LaunchDarkly gets the SDK's events whatever the function makes of them.
    if (forwarder && route.kind !== 'webhook') forwarder.forward(target.path, query, req.headers, body)

    const invocationSettings = { ...config.settings }
    // A client-side SDK names its environment in the path; LD_ENVIRONMENT_ID is the server-side SDKs'.
    if (clientSideId) invocationSettings.environmentId = clientSideId
    const result = await pool.invoke(
      { body, headers: req.headers, url: target.path + (query ? `?${query}` : '') },
      invocationSettings
    )
    if (!result.ok) {
      // A delivery that exported nothing still tells what became of each event (the record shows it).
      ;({ skipped: record.skipped, rejected: record.rejected } = summaryOf(result.error.summary, [], clean))
      return functionFailure(result, clean)
    }
    const summary = summaryOf(result.returned, result.calls, clean)
    record.skipped = summary.skipped
    record.rejected = summary.rejected
    try {
      // Like Segment, calls count only once the function has succeeded.
      await sink.deliver(result.calls)
    } catch (error) {
      if (!(error instanceof SinkError)) throw error
      return sinkFailure(error)
    }
    record.calls = result.calls
    record.emitted = result.calls.length
    return { status: 202, body: summary }
  }

  /**
   * The destination routes and the destination function are local test tools: a web page
   * the user has open must not be able to drive them. The body of a POST, parsed, or the
   * answer that refuses the request.
   */
  async function localToolRequest(
    req: IncomingMessage,
    target: RequestTarget,
    record: DeliveryRecord
  ): Promise<{ parsed: unknown } | Answer> {
    const verdict = auth.check(undefined, target.query, req.headers.authorization)
    if (!verdict.ok) return failure(401, 'ValidationError', verdict.message)
    if (isLoopback(config.host) && !isLoopbackHost(req.headers.host))
      return failure(400, 'InvalidHost', 'The destination routes answer only requests addressed to a loopback host')
    if (req.method !== 'POST') return { parsed: undefined }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
    if (type !== 'application/json')
      return failure(400, 'UnsupportedMediaType', 'The destination routes take only Content-Type: application/json')
    let text: string
    try {
      text = await readBody(req)
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      return failure(error.tooLarge ? 413 : 400, error.tooLarge ? 'PayloadTooLarge' : 'InvalidRequest', error.message)
    }
    if (text.length <= INPUT_LIMIT) record.input = text
    try {
      return { parsed: text ? JSON.parse(text) : {} }
    } catch {
      return failure(400, 'InvalidJson', 'The request body is not JSON')
    }
  }

  async function onDestinationFunction(
    req: IncomingMessage,
    target: RequestTarget,
    record: DeliveryRecord
  ): Promise<Answer> {
    if (req.method !== 'POST')
      return failure(405, 'MethodNotAllowed', 'POST a Segment message, or an array of them', { Allow: 'POST' })
    const request = await localToolRequest(req, target, record)
    if (!('parsed' in request)) return request
    if (!destinationFunction)
      return failure(503, 'NotBuilt', 'dist/destinations/launchdarkly-events.js is missing: run `npm run build`')
    const result = await destinationFunction.run(request.parsed)
    record.requests = result.requests
    return { status: result.status, body: result.body }
  }

  async function onDestination(req: IncomingMessage, target: RequestTarget, record: DeliveryRecord): Promise<Answer> {
    const request = await localToolRequest(req, target, record)
    if (!('parsed' in request)) return request
    const method = req.method ?? 'GET'
    const parsed = request.parsed
    const result = await routes.handle(method, target.path.slice(DESTINATION_PREFIX.length).replace(/\/$/, ''), parsed)
    record.requests = result.requests
    const status = result.status as Answer['status']
    // Typed failures are the relay's own words; exchanges quote requests and answers, so
    // the relay's secrets are taken out of their text.
    if (status >= 400) return { status, body: result.body }
    return { status, body: redact(JSON.stringify(result.body), secrets), contentType: 'application/json' }
  }

  async function route(req: IncomingMessage, target: RequestTarget, record: DeliveryRecord): Promise<Answer> {
    const { path } = target
    if (stopping) return failure(503, 'ShuttingDown', 'The relay is stopping', { Connection: 'close' })
    if (req.method === 'OPTIONS') {
      // Preflight for browsers' SDKs on the client-side route, and for nothing else.
      if (sourceRouteOf(path)?.kind !== 'client-side')
        return failure(
          405,
          'MethodNotAllowed',
          'Cross-origin requests are accepted on /events/bulk/{clientSideId} only'
        )
      const answer = preflight(req.headers['access-control-request-headers'])
      if (answer.refused.length) record.warning = refusedWarning(answer.refused)
      return { status: 204, body: '', headers: answer.headers }
    }
    if (path.startsWith(DESTINATION_PREFIX)) return onDestination(req, target, record)
    if (path === DESTINATION_FUNCTION_PATH) return onDestinationFunction(req, target, record)
    if (req.method === 'GET' && path === '/') return { status: 200, body: bannerText() }
    if (req.method === 'GET' && path === '/healthz') return health()
    if (req.method === 'GET' && path === '/metrics')
      return { status: 200, body: await metrics.text(), contentType: metrics.contentType }
    const answer = await onSource(req, target, record)
    return sourceRouteOf(path)?.kind === 'client-side'
      ? { ...answer, headers: { ...answer.headers, ...CORS_HEADERS } }
      : answer
  }

  function health(): Answer {
    const outbox = sink.outbox?.()
    const problem = stopping ? 'the relay is stopping' : sink.problem()
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
  }

  const inflight = new Set<Promise<void>>()

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const target = targetOf(req.url)
    if (!stopping && inspector.serves(req, target, res)) return
    const record = newRecord(req.method ?? '', target.path)
    let answer: Answer
    try {
      answer = await route(req, target, record)
    } catch (error) {
      log(`${record.method} ${record.route}: unexpected ${(error as Error).stack ?? String(error)}`)
      answer = failure(503, 'RetryError', 'The relay failed unexpectedly; retry the request')
    }
    if (answer.body && typeof answer.body === 'object' && 'error' in answer.body)
      record.error = answer.body as DeliveryRecord['error']
    if (!res.headersSent)
      send(res, stopping ? { ...answer, headers: { ...answer.headers, Connection: 'close' } } : answer)
    record.status = answer.status
    record.ms = performance.now() - started
    feed.publish(record)
  }

  const server: Server = createServer((req, res) => {
    const handled = onRequest(req, res)
    inflight.add(handled)
    void handled.finally(() => inflight.delete(handled))
  })
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
    const { answer, raw } = clientErrorAnswer(error.code)
    socket.end(raw)
    // A client still sending gets no more reads; the socket must not linger.
    setTimeout(() => socket.destroy(), 1000).unref()
    feed.publish({ ...newRecord('', ''), status: answer.status, error: answer.body as DeliveryRecord['error'] })
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await sink.close()
    throw new StartupError(listenProblem(error as NodeJS.ErrnoException, config))
  }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${
    (server.address() as AddressInfo).port
  }`

  function bannerText(): string {
    return banner(url, sink, routes, config, warnings)
  }

  let closing: Promise<void> | undefined
  return {
    url,
    sink,
    feed,
    warnings,
    banner: bannerText,
    close() {
      closing ??= (async () => {
        stopping = true
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        // In-flight deliveries finish (their calls reach the sink) before the sink closes.
        await Promise.race([Promise.allSettled([...inflight]), delay(15_000)])
        server.closeAllConnections()
        await closed
        await forwarder?.drain(2000)
        await (sink instanceof OutboxSink ? sink.close(options.flushOnCloseMs) : sink.close())
      })()
      return closing
    }
  }
}

function newRecord(method: string, route: string): DeliveryRecord {
  const time = new Date().toISOString()
  return { time, method, route, status: 0, ms: 0, emitted: 0, skipped: {}, rejected: [], calls: [] }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref())

async function openSink(config: RuntimeConfig, options: RuntimeOptions, log: (line: string) => void): Promise<Sink> {
  try {
    await mkdir(config.dataDir, { recursive: true })
  } catch (error) {
    throw new StartupError(
      `LD_SEGMENT_DATA_DIR: the folder ${config.dataDir} cannot be created (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); set LD_SEGMENT_DATA_DIR to a folder this process can write`
    )
  }
  try {
    if (!config.segmentWriteKey) return await NdjsonSink.open(config.dataDir, options.openFile)
    return await OutboxSink.open(config.dataDir, {
      writeKey: config.segmentWriteKey,
      host: config.segmentHost ?? DEFAULT_SEGMENT_HOST,
      maxBytes: config.outboxMaxBytes ?? DEFAULT_OUTBOX_MAX_BYTES,
      log,
      openFile: options.openFile,
      ...options.outbox
    })
  } catch (error) {
    throw new StartupError(
      `LD_SEGMENT_DATA_DIR: the files in ${config.dataDir} cannot be opened (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); set LD_SEGMENT_DATA_DIR to a folder this process can write`
    )
  }
}

function listenProblem(error: NodeJS.ErrnoException, config: RuntimeConfig): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `PORT ${config.port} is in use on ${config.host} (EADDRINUSE): stop the other process or set PORT to a free port`
    case 'EACCES':
      return `PORT ${config.port} needs privileges this process lacks (EACCES): set PORT to 1024 or above`
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `HOST ${config.host} is not an address of this machine (${error.code}): set HOST to one, such as 127.0.0.1 or 0.0.0.0`
    default:
      return `the relay cannot listen on ${config.host}:${config.port} (${
        error.code ?? error.message
      }): check HOST and PORT`
  }
}

/** The feed listener that writes one line per request (and each call with LD_LOG_CALLS). */
function logLine(log: (line: string) => void, logCalls: boolean): (record: DeliveryRecord) => void {
  return (record) => {
    const parts = [record.time, record.method || '-', record.route || '-', String(record.status)]
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
    log(parts.join(' '))
    if (logCalls) for (const call of record.calls) log(JSON.stringify({ type: call.type, ...call.message }))
  }
}

interface Summary {
  emitted: number
  skipped: Record<string, number>
  rejected: Array<{ index: number; reason: string }>
}

/** The function's summary, its reasons naming variables beside settings. */
function summaryOf(returned: unknown, calls: readonly RecordedCall[], clean: (text: string) => string): Summary {
  const value = (returned ?? {}) as Partial<Summary>
  return {
    emitted: calls.length,
    skipped: value.skipped && typeof value.skipped === 'object' ? value.skipped : {},
    rejected: Array.isArray(value.rejected)
      ? value.rejected.map((r) => ({ index: r.index, reason: clean(String(r.reason)) }))
      : []
  }
}

export function readBuiltFunction(): string {
  if (!existsSync(BUILT_FUNCTION)) throw new StartupError(`${BUILT_FUNCTION} is missing: run \`npm run build\` first`)
  return readFileSync(BUILT_FUNCTION, 'utf8')
}

/** What to point things at; printed at startup and served at GET /. */
export function banner(
  url: string,
  sink: Sink,
  routes: DestinationRoutes,
  config: RuntimeConfig,
  warnings: readonly string[]
): string {
  return [
    `LaunchDarkly ⇄ Segment relay on ${url}`,
    '',
    'Source function (POST LaunchDarkly payloads here):',
    ...SOURCE_ROUTES.map((p) => `  ${url}${p.describe}`),
    `  emitted calls go to the ${sink.description}`,
    ...(config.forwardEventsTo ? [`  SDK requests are also forwarded to ${config.forwardEventsTo}`] : []),
    '',
    'Destination (actions CLI `serve` routes):',
    ...routes.actionSlugs.map((slug) => `  POST ${url}${DESTINATION_PREFIX}${slug}`),
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

async function main(): Promise<void> {
  let runtime: LocalRuntime
  try {
    runtime = await startRuntime({ config: configFromEnv(process.env, PROJECT_ROOT) })
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof StartupError)) throw error
    console.error(`relay: cannot start:\n${error.message.replace(/^/gm, '  ')}`)
    process.exit(1)
  }
  // Through the same queue as the log lines, so that lines logged while starting follow it.
  writeLine(runtime.banner())
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      // A second signal: stop now. Accepted calls are on disk already.
      console.error(`${signal} again: stopping without waiting`)
      process.exit(1)
    }
    stopping = true
    writeLine(`${signal}: finishing in-flight requests, flushing, stopping`)
    runtime.close().then(
      () => process.exit(0),
      (error) => {
        console.error(`relay: shutdown failed: ${(error as Error).message}`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`relay: ${(error as Error).message}`)
    process.exit(1)
  })
}
