// The destination function in the relay (design §6): `POST
// /destination-functions/launchdarkly-events` with a Segment message runs the built
// function's handler for its type (an array runs onBatch) in the Functions sandbox, with
// settings from the relay's configuration only (a request never chooses where events
// go), and answers with what the handler returned or with the error's class and message.

import { existsSync, readFileSync } from 'fs'
import { join } from 'path'
import type { LaunchDarklyRequest } from './feed'
import { httpStatusFor } from './http/responses'
import { FunctionHandle, HANDLER_OF_TYPE, InvocationResult, loadFunction } from './sandbox/instance'

/** The function's settings, as the relay's configuration gives them (LD_CLIENT_SIDE_ID, ...). */
interface DestinationFunctionSettings {
  clientSideId?: string
  eventsBaseUrl?: string
  sendTrackAsCustom?: boolean
  sendAliasEvents?: boolean
}

interface DestinationFunctionResult {
  status: 200 | 400 | 401 | 503
  body: unknown
  /** The requests the function made to LaunchDarkly. */
  requests: LaunchDarklyRequest[]
}

export class DestinationFunction {
  private readonly fn: FunctionHandle
  /** The requests of the invocation under way (run() lets one run at a time). */
  private requests: LaunchDarklyRequest[] = []
  private tail: Promise<unknown> = Promise.resolve()

  private constructor(code: string, filename: string, private readonly settings: DestinationFunctionSettings) {
    const fetchAndRecord: typeof fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      const response = await fetch(input, init)
      this.requests.push({ method: (init?.method ?? 'GET').toUpperCase(), url, status: response.status })
      return response
    }
    // The function's own log line would repeat the relay's one line per request.
    const quiet = (): undefined => undefined
    this.fn = loadFunction(code, {
      kind: 'destination',
      filename,
      fetch: fetchAndRecord,
      console: { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet }
    })
  }

  /** The built function (dist/destinations/launchdarkly-events.js), or undefined when it is not built. */
  static load(
    projectRoot: string,
    settings: DestinationFunctionSettings,
    code?: string
  ): DestinationFunction | undefined {
    const file = join(projectRoot, 'dist', 'destinations', 'launchdarkly-events.js')
    if (code === undefined && !existsSync(file)) return undefined
    return new DestinationFunction(code ?? readFileSync(file, 'utf8'), file, settings)
  }

  /** One warm instance, like Segment's: runs wait for each other. */
  run(message: unknown): Promise<DestinationFunctionResult> {
    const result = this.tail.then(() => this.runNow(message))
    this.tail = result.catch(() => undefined)
    return result
  }

  private async runNow(message: unknown): Promise<DestinationFunctionResult> {
    const requests: LaunchDarklyRequest[] = []
    this.requests = requests
    const result = await this.invoke(message)
    if (!result.ok) {
      const status = httpStatusFor(result) as 400 | 401 | 503
      return { status, body: { error: result.error.name, message: result.error.message }, requests }
    }
    return { status: 200, body: result.returned ?? null, requests }
  }

  private invoke(message: unknown): Promise<InvocationResult> {
    if (Array.isArray(message)) return this.fn.call('onBatch', [message, this.settings])
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined
    const handler =
      typeof type === 'string' && Object.prototype.hasOwnProperty.call(HANDLER_OF_TYPE, type)
        ? HANDLER_OF_TYPE[type]
        : undefined
    if (handler === undefined) {
      const error = { name: 'InvalidEventPayload', message: 'A Segment message needs a type: track, page, identify, …' }
      return Promise.resolve({ ok: false, error, calls: [], logs: [], durationMs: 0 })
    }
    return this.fn.call(handler, [message, this.settings])
  }
}
