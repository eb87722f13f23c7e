// The destination's routes, compatible with the Segment actions CLI `serve` command:
// POST /{actionSlug} with {payload, settings, mapping, auth} (an array payload runs the
// batch path), POST /authenticate with the settings as the body, GET /manifest.

import { Destination, DestinationDefinition, JSONObject } from '@segment/actions-core'
import type { Settings } from '../destinations/launchdarkly-events/generated-types'

export interface RouteResult {
  status: number
  body: unknown
}

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
      body: response.data ?? response.content ?? ''
    }
  }
}

function errorOutput(error: unknown): Array<{ statusCode: number; message: string; requestError: true }> {
  const err = error as { status?: number; message?: string; response?: { status?: number } }
  return [
    { statusCode: err.response?.status ?? err.status ?? 500, message: err.message ?? String(error), requestError: true }
  ]
}

export class DestinationRoutes {
  constructor(private readonly definition: DestinationDefinition<Settings>, readonly directoryName: string) {}

  get actionSlugs(): string[] {
    return Object.keys(this.definition.actions)
  }

  async handle(method: string, route: string, body: unknown): Promise<RouteResult> {
    // A fresh Destination per request: actions-core keeps every response it sees, and
    // requests must not see each other's exchanges.
    const destination = new Destination(this.definition)
    if (method === 'GET' && route === 'manifest') {
      return { status: 200, body: { ...this.definition, directoryName: this.directoryName } }
    }
    if (method !== 'POST') return { status: 405, body: { error: `${method} is not supported here` } }
    const input = (body ?? {}) as JSONObject
    if (route === 'authenticate') {
      try {
        await destination.testAuthentication(input as unknown as Settings)
        return { status: 200, body: { ok: true } }
      } catch (error) {
        return { status: 200, body: { ok: false, error: (error as Error).message, fields: {} } }
      }
    }
    const action = destination.actions[route]
    if (!action) return { status: 400, body: `${destination.name} action '${route}' is invalid or not found` }

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
      settings: (input.settings ?? {}) as unknown as Settings,
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
        return { status: 200, body: [...(await this.exchanges(destination)), ...failed] }
      }
      await action.execute(params)
      return { status: 200, body: await this.exchanges(destination) }
    } catch (error) {
      return { status: 200, body: errorOutput(error) }
    }
  }

  private exchanges(destination: Destination<Settings>): Promise<Exchange[]> {
    return Promise.all((destination.responses as unknown as RecordedResponse[]).map(summarize))
  }
}
