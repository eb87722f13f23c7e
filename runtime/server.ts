// The local runtime (`npm start`, design §6): the built source function in the Segment
// Functions sandbox, plus the destination's actions, on one port on 127.0.0.1.

import { existsSync, readFileSync } from 'fs'
import { createServer, IncomingMessage, Server, ServerResponse } from 'http'
import { AddressInfo } from 'net'
import { join } from 'path'
import { BodyError, readBody } from './body'
import { forwardSdkRequest } from './forward'
import { configFromEnv, RuntimeConfig } from './config'
import { DestinationRoutes } from './destination-routes'
import {
  DESTINATION_FUNCTION_PATH,
  DestinationFunctionOptions,
  DestinationFunctionRoute,
  destinationFunctionSettingsFromEnv
} from './destination-function-route'
import { httpStatusFor, loadFunction, SourceFunction } from './functions-sandbox'
import { NdjsonSink, SegmentSink, Sink } from './sinks'
import destination from '../destinations/launchdarkly-events'

export const PROJECT_ROOT = join(__dirname, '..')
export const BUILT_FUNCTION = join(PROJECT_ROOT, 'dist', 'sources', 'launchdarkly.js')
const DESTINATION_PREFIX = '/destinations/launchdarkly-events/'

/** Paths LaunchDarkly SDKs post events to, so an SDK's events URI can point here. */
const SOURCE_PATHS: Array<{ pattern: RegExp; describe: string; sdk?: true }> = [
  { pattern: /^\/sources\/launchdarkly\/?$/, describe: '/sources/launchdarkly' },
  { pattern: /^\/bulk\/?$/, describe: '/bulk (server-side SDKs)', sdk: true },
  { pattern: /^\/diagnostic\/?$/, describe: '/diagnostic (SDK diagnostics: counted as skipped)', sdk: true },
  { pattern: /^\/mobile(\/events(\/bulk)?)?\/?$/, describe: '/mobile (mobile SDKs)', sdk: true },
  {
    pattern: /^\/events\/(bulk|diagnostic)\/([^/]+)\/?$/,
    describe: '/events/bulk/{environmentId} (client-side SDKs)',
    sdk: true
  }
]

export interface LocalRuntime {
  readonly url: string
  readonly sink: Sink
  close(): Promise<void>
}

export interface RuntimeOptions {
  config: RuntimeConfig
  /** Where log lines go (the default prints to stdout). */
  log?: (line: string) => void
  /** The built function's code; read from dist/ by default. */
  functionCode?: string
  /** The built destination function and its settings (LD_CLIENT_SIDE_ID, ... in `npm start`). */
  destinationFunction?: DestinationFunctionOptions
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    // Browser SDKs post from other origins.
    'Access-Control-Allow-Origin': '*'
  })
  res.end(text)
}

function summaryOf(returned: unknown, emitted: number): unknown {
  return returned && typeof returned === 'object' ? returned : { emitted }
}

export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const { config } = options
  const log = options.log ?? ((line: string) => console.log(line))
  const code = options.functionCode ?? readBuiltFunction()
  const fn: SourceFunction = loadFunction(code, {
    console: { log, info: log, warn: log, error: log, debug: () => undefined }
  })
  const sink: Sink = config.segmentWriteKey
    ? new SegmentSink(config.segmentWriteKey, config.segmentHost, log)
    : new NdjsonSink(config.dataDir, log)
  const routes = new DestinationRoutes(destination, 'launchdarkly-events')
  const destinationFunction = new DestinationFunctionRoute({ log, ...options.destinationFunction })

  async function onSource(
    req: IncomingMessage,
    res: ServerResponse,
    environmentFromPath: string | undefined,
    fromSdk: boolean
  ): Promise<void> {
    let body: string
    try {
      body = await readBody(req)
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      return send(res, 400, { error: 'InvalidEventPayload', message: error.message })
    }
    const settings = { ...config.settings }
    // A client-side SDK names its environment in the path.
    if (!settings.environmentId && environmentFromPath) settings.environmentId = decodeURIComponent(environmentFromPath)
    // LaunchDarkly gets the SDK's events whatever the function makes of them.
    const forwarded =
      fromSdk && config.forwardEventsTo
        ? forwardSdkRequest(config.forwardEventsTo, req.url ?? '/', req.headers, body)
        : undefined
    const result = await fn.invoke({ body, headers: req.headers, url: req.url }, settings)
    const relay = await forwarded
    if (relay && relay.status !== 202 && relay.status !== 200) {
      log(
        `runtime: forwarding ${req.url} to ${config.forwardEventsTo} failed: ${relay.error ?? `HTTP ${relay.status}`}`
      )
    }
    const status = httpStatusFor(result)
    if (!result.ok) return send(res, status, { error: result.error.name, message: result.error.message })
    // Like Segment, calls count only once the function has succeeded.
    await sink.deliver(result.calls)
    send(res, status, summaryOf(result.returned, result.calls.length))
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (path === DESTINATION_FUNCTION_PATH) return destinationFunction.handle(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
        'Access-Control-Allow-Headers':
          'Content-Type, Authorization, X-LaunchDarkly-Event-Schema, X-LaunchDarkly-Payload-ID, X-LaunchDarkly-User-Agent, X-LaunchDarkly-Wrapper'
      })
      return void res.end()
    }
    if (path.startsWith(DESTINATION_PREFIX)) {
      const text = req.method === 'POST' ? await readBody(req) : ''
      let parsed: unknown
      try {
        parsed = text ? JSON.parse(text) : {}
      } catch {
        return send(res, 400, { error: 'the request body must be JSON' })
      }
      const result = await routes.handle(
        req.method ?? 'GET',
        path.slice(DESTINATION_PREFIX.length).replace(/\/$/, ''),
        parsed
      )
      return send(res, result.status, result.body)
    }
    if (path === '/' && req.method === 'GET') return send(res, 200, banner(url, sink, routes, config.forwardEventsTo))
    const route = SOURCE_PATHS.find((p) => p.pattern.test(path))
    if (!route) return send(res, 404, { error: `no route for ${req.method} ${path}` })
    if (req.method !== 'POST') return send(res, 405, { error: 'LaunchDarkly deliveries are POST requests' })
    return onSource(req, res, route.pattern.exec(path)?.[2], route.sdk === true)
  }

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch((error) => {
      log(`runtime: ${req.method} ${req.url}: ${(error as Error).message}`)
      if (!res.headersSent) send(res, 500, { error: 'internal error', message: (error as Error).message })
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, resolve)
  })
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`
  return {
    url,
    sink,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await sink.close()
    }
  }
}

export function readBuiltFunction(): string {
  if (!existsSync(BUILT_FUNCTION)) throw new Error(`${BUILT_FUNCTION} is missing: run \`npm run build\` first`)
  return readFileSync(BUILT_FUNCTION, 'utf8')
}

/** What to point things at; printed at startup and served at GET /. */
export function banner(url: string, sink: Sink, routes: DestinationRoutes, forwardTo?: string): string {
  return [
    `LaunchDarkly ⇄ Segment local runtime on ${url}`,
    '',
    'Source function (POST LaunchDarkly payloads here):',
    ...SOURCE_PATHS.map((p) => `  ${url}${p.describe}`),
    `  emitted calls go to the ${sink.description}`,
    ...(forwardTo ? [`  SDK requests are also forwarded to ${forwardTo}`] : []),
    '',
    'Destination (actions CLI `serve` routes):',
    ...routes.actionSlugs.map((slug) => `  POST ${url}${DESTINATION_PREFIX}${slug}`),
    `  POST ${url}${DESTINATION_PREFIX}authenticate`,
    `  GET  ${url}${DESTINATION_PREFIX}manifest`,
    '',
    'Destination function (POST a Segment message, or an array of them for onBatch):',
    `  POST ${url}${DESTINATION_FUNCTION_PATH}`,
    ''
  ].join('\n')
}

async function main(): Promise<void> {
  const config = configFromEnv(process.env, PROJECT_ROOT)
  const runtime = await startRuntime({
    config,
    destinationFunction: { settings: destinationFunctionSettingsFromEnv(process.env) }
  })
  console.log(
    banner(runtime.url, runtime.sink, new DestinationRoutes(destination, 'launchdarkly-events'), config.forwardEventsTo)
  )
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: flushing and stopping`)
    runtime.close().then(
      () => process.exit(0),
      (error) => {
        console.error(`runtime: shutdown failed: ${(error as Error).message}`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`runtime: ${(error as Error).message}`)
    process.exit(1)
  })
}
