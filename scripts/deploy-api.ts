/**
 * Create-or-update and deploy the source function through the Segment Public API
 * (design §7). Plain fetch: the npm SDK for the Public API lags the API.
 *
 * Flow: list SOURCE functions (following pagination cursors) until one has our
 * display name; PATCH its code and settings, or POST a new one; then deploy it.
 * Every failure is a DeployError with a code and a message a person can act on,
 * and the token never appears in an error message or a log line.
 */

import type { SettingDeclaration } from '../shared'

export type DeployErrorCode = 'missing_token' | 'unauthorized' | 'rate_limited' | 'api_error' | 'bad_response'

export class DeployError extends Error {
  readonly code: DeployErrorCode
  /** HTTP status, when the failure was an HTTP response. */
  readonly status?: number
  /** The Retry-After header of a 429, as sent. */
  readonly retryAfter?: string

  constructor(code: DeployErrorCode, message: string, extra: { status?: number; retryAfter?: string } = {}) {
    super(message)
    this.name = 'DeployError'
    this.code = code
    if (extra.status !== undefined) this.status = extra.status
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter
  }
}

export interface DeployOptions {
  token: string
  /** Default https://api.segmentapis.com. */
  baseUrl?: string
  displayName: string
  code: string
  settings: readonly SettingDeclaration[]
  fetch?: typeof fetch
  log?: (line: string) => void
}

export interface DeployResult {
  action: 'created' | 'updated'
  functionId: string
  deployed: boolean
}

export const DEFAULT_API_BASE = 'https://api.segmentapis.com'
const PAGE_SIZE = 200

interface FunctionSummary {
  id: string
  displayName?: string
  resourceType?: string
}

export async function deployFunction(options: DeployOptions): Promise<DeployResult> {
  const token = options.token?.trim()
  if (!token) {
    throw new DeployError(
      'missing_token',
      'no Segment Public API token: set SEGMENT_PUBLIC_API_TOKEN to a token with access to Functions'
    )
  }
  const api = new PublicApi((options.baseUrl ?? DEFAULT_API_BASE).replace(/\/+$/, ''), token, options.fetch ?? fetch)
  const log = options.log ?? (() => undefined)

  const existing = await api.findSourceFunction(options.displayName)
  let action: DeployResult['action']
  let functionId: string
  if (existing) {
    log(`found source function "${options.displayName}" (${existing.id}); updating code and settings`)
    // PATCH also accepts displayName, logoUrl and description; we found the function
    // by its name, so sending the name again would change nothing.
    functionId = await api.writeFunction('PATCH', `/functions/${encodeURIComponent(existing.id)}`, {
      code: options.code,
      settings: options.settings
    })
    action = 'updated'
  } else {
    log(`no source function named "${options.displayName}"; creating it`)
    functionId = await api.writeFunction('POST', '/functions', {
      code: options.code,
      displayName: options.displayName,
      resourceType: 'SOURCE',
      settings: options.settings
    })
    action = 'created'
  }

  log(`deploying ${functionId}`)
  // The deploy response carries nothing we need; a 2xx means the deployment was accepted.
  await api.request('POST', `/functions/${encodeURIComponent(functionId)}/deploy`)
  return { action, functionId, deployed: true }
}

/** The few Public API calls deploy needs, with error mapping in one place. */
class PublicApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch
  ) {}

  async findSourceFunction(displayName: string): Promise<FunctionSummary | undefined> {
    const seenCursors = new Set<string>()
    let cursor: string | undefined
    for (;;) {
      // Literal brackets, as the Public API documents them; only the cursor is encoded.
      let path = `/functions?resourceType=SOURCE&pagination[count]=${PAGE_SIZE}`
      if (cursor !== undefined) path += `&pagination[cursor]=${encodeURIComponent(cursor)}`
      const data = await this.request('GET', path)
      const functions = data.functions
      if (!Array.isArray(functions)) throw badResponse('GET /functions', 'data.functions is not a list')

      // First exact match wins. resourceType is checked too in case a server ignores
      // the filter: patching a destination function with source code would break it.
      const match = functions.find(
        (f): f is FunctionSummary =>
          isRecord(f) &&
          f.displayName === displayName &&
          typeof f.id === 'string' &&
          (f.resourceType === undefined || f.resourceType === 'SOURCE')
      )
      if (match) return match

      const next = isRecord(data.pagination) ? data.pagination.next : undefined
      if (typeof next !== 'string' || next === '') return undefined
      // A server that hands back a cursor we already followed would loop forever.
      if (seenCursors.has(next)) throw badResponse('GET /functions', `pagination cursor "${next}" repeats`)
      seenCursors.add(next)
      cursor = next
    }
  }

  /** POST or PATCH a function and return its ID from `data.function.id`. */
  async writeFunction(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<string> {
    const data = await this.request(method, path, body)
    const id = isRecord(data.function) ? data.function.id : undefined
    if (typeof id !== 'string' || id === '')
      throw badResponse(`${method} ${stripQuery(path)}`, 'data.function.id is missing')
    return id
  }

  /** One call; returns the unwrapped `data` object or throws a DeployError. */
  async request(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const what = `${method} ${stripQuery(path)}`
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: 'application/json'
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json'

    let response: Response
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body)
      })
    } catch (err) {
      // Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ...) is the cause.
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : ''
      const reason = err instanceof Error ? err.message : String(err)
      throw new DeployError('api_error', this.redact(`${what}: could not reach ${this.baseUrl} (${reason}${cause})`))
    }

    const text = await response.text()
    // An empty 2xx body reads as `{data: {}}`: the callers that need fields check for them.
    const json = text.trim() === '' && response.ok ? { data: {} } : parseJson(text)

    if (!response.ok) {
      const status = response.status
      const apiMessage = this.redact(errorMessage(json, text))
      const suffix = apiMessage ? `: ${apiMessage}` : ''
      if (status === 401 || status === 403) {
        throw new DeployError(
          'unauthorized',
          `the Segment Public API refused the token (HTTP ${status} on ${what})${suffix}. ` +
            'It needs access to Functions: use a token created by a Workspace Owner, or one with the Functions Admin role',
          { status }
        )
      }
      if (status === 429) {
        const header = response.headers.get('retry-after')
        const retryAfter = header === null ? undefined : this.redact(header)
        const when = retryAfter === undefined ? 'try again later' : `retry after ${retryAfterText(retryAfter)}`
        throw new DeployError('rate_limited', `rate limited by the Segment Public API (HTTP 429 on ${what}); ${when}`, {
          status,
          ...(retryAfter === undefined ? {} : { retryAfter })
        })
      }
      throw new DeployError('api_error', `${what} failed with HTTP ${status}${suffix}`, { status })
    }

    if (!isRecord(json) || !isRecord(json.data)) throw badResponse(what, 'body is not JSON of the form {data: {...}}')
    return json.data
  }

  /** Belt and braces: an API that echoes the Authorization header must not leak it. */
  private redact(s: string): string {
    return s.split(this.token).join('[redacted]')
  }
}

function badResponse(what: string, detail: string): DeployError {
  return new DeployError('bad_response', `unexpected response from the Segment Public API for ${what}: ${detail}`)
}

/** `errors[0].message` of a Public API error body, else a short piece of the raw text. */
function errorMessage(json: unknown, text: string): string {
  if (isRecord(json) && Array.isArray(json.errors) && isRecord(json.errors[0])) {
    const message = json.errors[0].message
    if (typeof message === 'string') return message
  }
  const trimmed = text.trim()
  return trimmed.length > 200 ? `${trimmed.slice(0, 200)}...` : trimmed
}

/** Retry-After is either seconds or an HTTP date. */
function retryAfterText(value: string): string {
  return /^\d+$/.test(value.trim()) ? `${value.trim()} s` : value
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function stripQuery(path: string): string {
  const q = path.indexOf('?')
  return q === -1 ? path : path.slice(0, q)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
