// GET requests to LaunchDarkly's REST API, with a time limit, and their outcome sorted
// into what the caller acts on: a body, "no such thing", a refusal (bad token: not worth
// retrying), or unavailability (worth retrying: Segment retries on RetryError).

import { min } from '../../shared'
import type { Fetch } from '../../segment-functions/globals'
import { TimedOut, withTimeLimit } from '../../segment-functions/time-limit'

/** One request may take this long... */
export const REQUEST_TIMEOUT_MS = 2500
/** ...and all lookups of one delivery this long: Segment stops a function after 5 s. */
export const LOOKUP_BUDGET_MS = 3500

export type ApiResult =
  | { outcome: 'ok'; body: unknown }
  | { outcome: 'not-found' }
  /** 401, 403 and other 4xx: retrying the same request cannot help. */
  | { outcome: 'refused'; status: number }

/** Why the API was unavailable: an answer worth retrying, no answer in time, or no connection. */
export type Unavailability =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly reason: string }

/** 408, 429, 5xx, a timeout or a network failure: the delivery should be retried. */
export class ApiUnavailable extends Error {
  constructor(message: string, readonly unavailability: Unavailability) {
    super(message)
    this.name = 'ApiUnavailable'
  }
}

/** Answers worth retrying: the same request may succeed later. */
export function isUnavailableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

export interface ApiClientOptions {
  /** No trailing slash. */
  readonly baseUrl: string
  /** Sent as is in `Authorization` (LaunchDarkly access tokens take no scheme); never in a message. */
  readonly accessToken: string
  readonly fetch: Fetch
  readonly now: () => number
}

export interface ApiClient {
  /** `path` starts with `/api/v2/`. Throws ApiUnavailable. */
  get(path: string): Promise<ApiResult>
}

/** A client whose requests share one deadline, set when it is created (one per delivery). */
export function apiClient(options: ApiClientOptions): ApiClient {
  const deadline = options.now() + LOOKUP_BUDGET_MS
  return {
    async get(path) {
      const what = `GET ${path}`
      try {
        return await withTimeLimit(min(REQUEST_TIMEOUT_MS, deadline - options.now()), async (limits) => {
          const response = await options.fetch(options.baseUrl + path, {
            method: 'GET',
            headers: { Authorization: options.accessToken, Accept: 'application/json' },
            ...limits
          })
          const status = response.status
          if (status >= 200 && status < 300) {
            // A 2xx that is not JSON (a captive proxy's page, say) is read as no body.
            const body = await response.json().catch(() => undefined)
            return { outcome: 'ok', body }
          }
          if (status === 404) return { outcome: 'not-found' }
          if (isUnavailableStatus(status))
            throw new ApiUnavailable(`LaunchDarkly API answered ${status} to ${what}`, { kind: 'status', status })
          return { outcome: 'refused', status }
        })
      } catch (error) {
        if (error instanceof ApiUnavailable) throw error
        if (error instanceof TimedOut) {
          throw new ApiUnavailable(
            `LaunchDarkly API did not answer ${what} in time (${REQUEST_TIMEOUT_MS} ms per request, ${LOOKUP_BUDGET_MS} ms for all lookups of a delivery)`,
            { kind: 'timeout' }
          )
        }
        const reason = networkReason(error)
        throw new ApiUnavailable(`LaunchDarkly API request ${what} failed: ${reason}`, { kind: 'network', reason })
      }
    }
  }
}

/** Node's fetch says only "fetch failed"; its cause says why (connect ECONNREFUSED, getaddrinfo ENOTFOUND). */
export function networkReason(error: unknown): string {
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: { message?: unknown } }
  const text = typeof message === 'string' ? message : String(error)
  return typeof cause?.message === 'string' && cause.message ? `${text}: ${cause.message}` : text
}
