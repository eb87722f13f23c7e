// A stand-in for the Segment actions CLI `serve` command, for the destination:
// POST /{actionSlug} with {payload, settings, mapping, auth} (an array payload runs the
// batch path), POST /authenticate with the settings as the body, GET /manifest.
// A local test tool: where events go is the relay's configuration (LD_EVENTS_BASE_URL,
// LD_SDK_BASE_URL), never the request's; a request naming another URL is refused.

import { Destination, DestinationDefinition, JSONObject } from '@segment/actions-core'
import type { Settings } from '../destinations/launchdarkly-events/generated-types'
import type { LaunchDarklyRequest } from './feed'

interface RouteResult {
  status: number
  body: unknown
  /** What was asked of LaunchDarkly, for the delivery record. */
  requests: LaunchDarklyRequest[]
}

/** Where the routes may send requests: the relay's settings, not the caller's. */
interface DestinationOrigins {
  eventsBaseUrl: string
  sdkBaseUrl: string
}

/** The settings the relay pins, with the variable that sets each. */
const PINNED = [
  ['eventsBaseUrl', 'LD_EVENTS_BASE_URL'],
  ['sdkBaseUrl', 'LD_SDK_BASE_URL']
] as const

/** LaunchDarkly's answers are short; a longer one is cut. */
const MAX_ANSWER_CHARS = 2000

/** Headers that must not be echoed back in a summary of the exchange. */
const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key'])

interface Exchange {
  request: { url: string; method: string; headers: Record<string, string>; body: string }
  response: { statusCode: number; statusMessage: string; body: unknown }
}

type RecordedResponse = {
  request: Request
  status: number
  statusText: string
  data?: unknown
  content?: string
}

async function summarize(response: RecordedResponse): Promise<Exchange> {
  const request = response.request.clone()
  const headers: Record<string, string> = {}
  request.headers.forEach((value, key) => {
    headers[key] = SENSITIVE_HEADERS.has(key.toLowerCase()) ? '<redacted>' : value
  })
  return {
    request: { url: request.url, method: request.method, headers, body: await request.text() },
    response: {
      statusCode: response.status,
      statusMessage: response.statusText,
      body: bounded(response.data ?? response.content ?? '')
    }
  }
}

function bounded(body: unknown): unknown {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return text.length <= MAX_ANSWER_CHARS ? body : text.slice(0, MAX_ANSWER_CHARS) + '…'
}

const typed = (status: number, error: string, message: string): RouteResult => ({
  status,
  body: { error, message },
  requests: []
})

function errorOutput(error: unknown): Array<{ statusCode: number; message: string; requestError: true }> {
  const err = error as { status?: number; message?: string; response?: { status?: number } }
  return [
    { statusCode: err.response?.status ?? err.status ?? 500, message: err.message ?? String(error), requestError: true }
  ]
}

export class ActionsServe {
  constructor(
    private readonly definition: DestinationDefinition<Settings>,
    readonly directoryName: string,
    private readonly origins: DestinationOrigins
  ) {}

  get actionSlugs(): string[] {
    return Object.keys(this.definition.actions)
  }

  async handle(method: string, route: string, body: unknown): Promise<RouteResult> {
    if (route === 'manifest') {
      if (method !== 'GET') return typed(405, 'MethodNotAllowed', 'GET the manifest')
      return { status: 200, body: { ...this.definition, directoryName: this.directoryName }, requests: [] }
    }
    const isAction = Object.prototype.hasOwnProperty.call(this.definition.actions, route)
    if (route !== 'authenticate' && !isAction)
      return typed(404, 'NotFound', `${this.definition.name} action '${route}' is invalid or not found`)
    if (method !== 'POST') return typed(405, 'MethodNotAllowed', `${method} is not supported here: POST`)
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return typed(400, 'InvalidRequest', 'The body must be a JSON object')
    const input = body as JSONObject
    // A fresh Destination per request: actions-core keeps every response it sees, and
    // requests must not see each other's exchanges.
    const destination = new Destination(this.definition)
    if (route === 'authenticate') {
      const settings = this.pinned(input)
      if ('error' in settings) return settings.error
      try {
        await destination.testAuthentication(settings.value)
        return { status: 200, body: { ok: true }, requests: await this.requests(destination) }
      } catch (error) {
        const requests = await this.requests(destination)
        return { status: 200, body: { ok: false, error: (error as Error).message, fields: {} }, requests }
      }
    }
    const action = destination.actions[route]
    const settings = this.pinned(input.settings)
    if ('error' in settings) return settings.error

    // As `serve` does: the fields' defaults, overridden by the mapping given.
    const defaults = Object.fromEntries(
      Object.entries(action.definition.fields).flatMap(([key, field]) =>
        field.default === undefined ? [] : [[key, field.default]]
      )
    )
    const mapping = { ...defaults, ...((input.mapping as JSONObject) ?? {}) } as JSONObject
    type Bundle = Parameters<typeof action.execute>[0]
    const params = {
      data: (input.payload ?? {}) as JSONObject,
      settings: settings.value,
      mapping,
      // OAuth tokens; this destination authenticates with its settings only.
      auth: input.auth as unknown as Bundle['auth']
    }
    try {
      if (Array.isArray(input.payload)) {
        const results = await action.executeBatch({ ...params, data: input.payload as JSONObject[] })
        // serve answers with the exchanges; events that failed alone are added in its error shape.
        const failed = results.flatMap((result, index) =>
          result.status >= 200 && result.status < 300
            ? []
            : [
                {
                  index,
                  statusCode: result.status,
                  message: String((result as { errormessage?: unknown }).errormessage ?? ''),
                  requestError: true
                }
              ]
        )
        return this.answer(destination, failed)
      }
      await action.execute(params)
      return this.answer(destination, [])
    } catch (error) {
      return { status: 200, body: errorOutput(error), requests: await this.requests(destination) }
    }
  }

  /** The caller's settings with the relay's URLs; refused when they name others. */
  private pinned(value: unknown): { value: Settings } | { error: RouteResult } {
    const settings = { ...(typeof value === 'object' && value !== null ? value : {}) } as Record<string, unknown>
    for (const [name, variable] of PINNED) {
      const value = settings[name]
      const given = typeof value === 'string' ? value.trim().replace(/\/+$/, '') : ''
      if (given && given !== this.origins[name])
        return {
          error: typed(
            400,
            'InvalidSettings',
            `settings.${name} must be left out or equal ${this.origins[name]}: this relay sends only there (${variable}); a request cannot choose where events go`
          )
        }
      settings[name] = this.origins[name]
    }
    return { value: settings as unknown as Settings }
  }

  private async answer(destination: Destination<Settings>, failed: unknown[]): Promise<RouteResult> {
    const exchanges = await this.exchanges(destination)
    return {
      status: 200,
      body: [...exchanges, ...failed],
      requests: exchanges.map((e) => ({ method: e.request.method, url: e.request.url, status: e.response.statusCode }))
    }
  }

  private async requests(destination: Destination<Settings>): Promise<LaunchDarklyRequest[]> {
    return (await this.exchanges(destination)).map((e) => ({
      method: e.request.method,
      url: e.request.url,
      status: e.response.statusCode
    }))
  }

  private exchanges(destination: Destination<Settings>): Promise<Exchange[]> {
    return Promise.all((destination.responses as unknown as RecordedResponse[]).map(summarize))
  }
}
