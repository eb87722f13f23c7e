// The destination function in the local runtime (design §6): `POST
// /destination-functions/launchdarkly-events` with a Segment message runs the built
// function's handler for its type (an array runs onBatch), in the Functions sandbox, with
// settings from LD_* environment variables, and answers with what the handler returned or
// with the error's class and message. A request never chooses where events go: the
// settings come from the environment only.

import { existsSync, readFileSync } from 'fs'
import type { IncomingMessage, ServerResponse } from 'http'
import { join } from 'path'
import { SETTINGS } from '../destinations/launchdarkly-events-function/settings'
import { BodyError, readBody } from './body'
import { variableOf } from './config'
import { httpStatusFor, InvocationResult, loadFunction, SourceFunction } from './functions-sandbox'

export const DESTINATION_FUNCTION_PATH = '/destination-functions/launchdarkly-events'
export const BUILT_DESTINATION_FUNCTION = join(__dirname, '..', 'dist', 'destinations', 'launchdarkly-events.js')

/** The handler Segment calls for each message type; the built function defines some of them. */
const HANDLER_OF_TYPE: Readonly<Record<string, string>> = {
  track: 'onTrack',
  page: 'onPage',
  identify: 'onIdentify',
  screen: 'onScreen',
  group: 'onGroup',
  alias: 'onAlias',
  delete: 'onDelete'
}

export type DestinationFunctionSettings = Record<string, string>

/** The function's settings from LD_CLIENT_SIDE_ID, LD_EVENTS_BASE_URL and LD_SEND_TRACK_AS_CUSTOM. */
export function destinationFunctionSettingsFromEnv(env: NodeJS.ProcessEnv): DestinationFunctionSettings {
  const settings: DestinationFunctionSettings = {}
  for (const { name } of SETTINGS) {
    const value = env[variableOf(name)]?.trim()
    if (value) settings[name] = value
  }
  return settings
}

export interface DestinationFunctionOptions {
  /** The built function's code; read from dist/ by default. */
  code?: string
  settings?: DestinationFunctionSettings
  log?: (line: string) => void
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

export class DestinationFunctionRoute {
  private readonly fn: SourceFunction | undefined
  private readonly settings: DestinationFunctionSettings

  constructor(options: DestinationFunctionOptions = {}) {
    const log = options.log ?? ((line: string) => console.log(line))
    const code =
      options.code ??
      (existsSync(BUILT_DESTINATION_FUNCTION) ? readFileSync(BUILT_DESTINATION_FUNCTION, 'utf8') : undefined)
    this.fn =
      code === undefined
        ? undefined
        : loadFunction(code, {
            kind: 'destination',
            filename: BUILT_DESTINATION_FUNCTION,
            console: { log, info: log, warn: log, error: log, debug: () => undefined }
          })
    this.settings = options.settings ?? {}
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Browsers send Origin with every POST: a web page must not post events into the
    // user's LaunchDarkly environment through this route. Command-line clients send none.
    if (req.headers.origin !== undefined) {
      return send(res, 403, { error: 'Forbidden', message: 'requests from web pages are refused here' })
    }
    if (req.method !== 'POST') {
      return send(res, 405, { error: 'MethodNotAllowed', message: 'POST a Segment message, or an array of them' })
    }
    if (!this.fn) {
      return send(res, 503, {
        error: 'NotBuilt',
        message: `${BUILT_DESTINATION_FUNCTION} is missing: run \`npm run build\``
      })
    }
    let message: unknown
    try {
      message = JSON.parse(await readBody(req))
    } catch (error) {
      const why =
        error instanceof BodyError ? error.message : 'the body must be JSON: a Segment message or an array of them'
      return send(res, 400, { error: 'InvalidEventPayload', message: why })
    }
    const result = await this.invoke(message)
    if (!result.ok) return send(res, httpStatusFor(result), { error: result.error.name, message: result.error.message })
    send(res, 200, result.returned ?? null)
  }

  private invoke(message: unknown): Promise<InvocationResult> {
    const fn = this.fn as SourceFunction
    if (Array.isArray(message)) return fn.call('onBatch', [message, this.settings])
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined
    const handler =
      typeof type === 'string' && Object.prototype.hasOwnProperty.call(HANDLER_OF_TYPE, type)
        ? HANDLER_OF_TYPE[type]
        : undefined
    if (handler === undefined) {
      const error = { name: 'InvalidEventPayload', message: 'a Segment message needs a type: track, page, identify, …' }
      return Promise.resolve({ ok: false, error, calls: [], logs: [], durationMs: 0 })
    }
    return fn.call(handler, [message, this.settings])
  }
}
