/**
 * The Segment Public API calls `npm run deploy` makes (design §7). Plain fetch: the npm SDK
 * for the Public API lags the API.
 *
 * * Functions: list them by type (following pagination cursors) until one has our display
 *   name; PATCH its code and settings, or POST a new one. Source functions are then
 *   deployed (`POST /functions/{id}/deploy`, which the API documents for source functions
 *   only); Segment applies a destination function's code to its instances itself.
 * * Instances: a function is installed as a source or destination whose metadata is the
 *   function's catalog entry (`catalogId`): `POST /sources`, `POST /destinations`. An
 *   existing instance is left as it is: its settings may have been edited in Segment.
 *
 * Every failure is a DeployError with a code and a message a person can act on, and the
 * token never appears in an error message or a log line.
 */

import { isObject, parseJsonOrUndefined } from '../shared'
import type { JsonObject, SettingDeclaration } from '../shared'

export type DeployErrorCode =
  | 'missing_token'
  | 'missing_setting'
  | 'not_found'
  | 'unauthorized'
  | 'rate_limited'
  | 'api_error'
  | 'bad_response'

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

export type ResourceType = 'SOURCE' | 'DESTINATION'

export interface ApiOptions {
  token: string
  /** Default https://api.segmentapis.com. */
  baseUrl?: string
  fetch?: typeof fetch
  log?: (line: string) => void
}

export interface FunctionDeployment {
  /** Default SOURCE. */
  resourceType?: ResourceType
  displayName: string
  code: string
  settings: readonly SettingDeclaration[]
  log?: (line: string) => void
}

export type DeployOptions = ApiOptions & FunctionDeployment

export interface DeployResult {
  action: 'created' | 'updated'
  functionId: string
  /** The function's catalog entry: the metadata ID of its sources or destinations. */
  catalogId?: string
  /** Whether `POST /functions/{id}/deploy` was called (source functions only). */
  deployed: boolean
}

export interface InstanceResult {
  action: 'created' | 'exists'
  id: string
}

export const DEFAULT_API_BASE = 'https://api.segmentapis.com'
const PAGE_SIZE = 200

interface FunctionSummary {
  id: string
  catalogId?: string
}

/** A client for the Public API: the token is checked, the base URL normalised. */
export function publicApi(options: ApiOptions): PublicApi {
  const token = options.token?.trim()
  if (!token) {
    throw new DeployError(
      'missing_token',
      'no Segment Public API token: set SEGMENT_PUBLIC_API_TOKEN to a token with access to Functions'
    )
  }
  return new PublicApi((options.baseUrl ?? DEFAULT_API_BASE).replace(/\/+$/, ''), token, options.fetch ?? fetch)
}

export async function deployFunction(options: DeployOptions): Promise<DeployResult> {
  return deployWith(publicApi(options), options)
}

export async function deployWith(api: PublicApi, options: FunctionDeployment): Promise<DeployResult> {
  const log = options.log ?? (() => undefined)
  const resourceType = options.resourceType ?? 'SOURCE'
  const kind = resourceType.toLowerCase()
  const existing = await api.findFunction(resourceType, options.displayName)
  let action: DeployResult['action']
  let written: FunctionSummary
  if (existing) {
    log(`found ${kind} function "${options.displayName}" (${existing.id}); updating code and settings`)
    // PATCH also accepts displayName, logoUrl and description; we found the function
    // by its name, so sending the name again would change nothing.
    written = await api.writeFunction('PATCH', `/functions/${encodeURIComponent(existing.id)}`, {
      code: options.code,
      settings: options.settings
    })
    action = 'updated'
  } else {
    log(`no ${kind} function named "${options.displayName}"; creating it`)
    written = await api.writeFunction('POST', '/functions', {
      code: options.code,
      displayName: options.displayName,
      resourceType,
      settings: options.settings
    })
    action = 'created'
  }
  const functionId = written.id
  const catalogId = written.catalogId ?? existing?.catalogId
  if (resourceType !== 'SOURCE') return { action, functionId, catalogId, deployed: false }
  log(`deploying ${functionId}`)
  // The deploy response carries nothing we need; a 2xx means the deployment was accepted.
  await api.request('POST', `/functions/${encodeURIComponent(functionId)}/deploy`)
  return { action, functionId, catalogId, deployed: true }
}

/** A source for the source function under `slug`, unless one exists. */
export async function ensureSource(
  api: PublicApi,
  options: { catalogId: string; slug: string; settings: Record<string, unknown>; log?: (line: string) => void }
): Promise<InstanceResult> {
  const existing = await api.findSource(options.slug)
  if (existing) {
    options.log?.(`source "${options.slug}" exists (${existing}); leaving its settings as they are`)
    return { action: 'exists', id: existing }
  }
  options.log?.(`creating source "${options.slug}" for the source function`)
  const data = await api.request('POST', '/sources', {
    slug: options.slug,
    enabled: true,
    metadataId: options.catalogId,
    settings: options.settings
  })
  return { action: 'created', id: idOf(data.source, 'POST /sources', 'data.source.id') }
}

/** The destination function connected to the source `sourceSlug`, unless it already is. */
export async function ensureDestination(
  api: PublicApi,
  options: {
    catalogId: string
    sourceSlug: string
    name: string
    settings: Record<string, unknown>
    log?: (line: string) => void
  }
): Promise<InstanceResult & { sourceId: string }> {
  const sourceId = await api.findSource(options.sourceSlug)
  if (!sourceId) {
    throw new DeployError(
      'not_found',
      `no source with slug "${options.sourceSlug}" in the workspace: --source takes the slug shown in the source's settings`
    )
  }
  const connected = await api.list(
    `/sources/${encodeURIComponent(sourceId)}/connected-destinations`,
    'destinations',
    (d) => isObject(d.metadata) && d.metadata.id === options.catalogId
  )
  if (connected && typeof connected.id === 'string') {
    options.log?.(`the destination function is already connected to "${options.sourceSlug}" (${connected.id})`)
    return { action: 'exists', id: connected.id, sourceId }
  }
  options.log?.(`connecting the destination function to source "${options.sourceSlug}"`)
  const data = await api.request('POST', '/destinations', {
    sourceId,
    metadataId: options.catalogId,
    enabled: true,
    name: options.name,
    settings: options.settings
  })
  return { action: 'created', id: idOf(data.destination, 'POST /destinations', 'data.destination.id'), sourceId }
}

/** The few Public API calls deploy needs, with error mapping in one place. */
export class PublicApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch
  ) {}

  /**
   * Destination functions are listed with the workspace's name appended to theirs
   * ("Name (Workspace)"), so either form matches.
   */
  async findFunction(resourceType: ResourceType, displayName: string): Promise<FunctionSummary | undefined> {
    const found = await this.list(
      `/functions?resourceType=${resourceType}`,
      'functions',
      // resourceType is checked too in case a server ignores the filter: patching a
      // function of the other type would break it.
      (f) =>
        (f.displayName === displayName ||
          (resourceType === 'DESTINATION' &&
            typeof f.displayName === 'string' &&
            f.displayName.startsWith(`${displayName} (`))) &&
        typeof f.id === 'string' &&
        (f.resourceType === undefined || f.resourceType === resourceType)
    )
    return found ? summaryOf(found) : undefined
  }

  /** The ID of the source with this slug. */
  async findSource(slug: string): Promise<string | undefined> {
    const found = await this.list('/sources', 'sources', (s) => s.slug === slug && typeof s.id === 'string')
    return found ? (found.id as string) : undefined
  }

  /** The first item of a paginated list for which `match` holds, reading pages until there is one. */
  async list(
    path: string,
    key: string,
    match: (item: Record<string, unknown>) => boolean
  ): Promise<Record<string, unknown> | undefined> {
    const seenCursors = new Set<string>()
    let cursor: string | undefined
    const separator = path.includes('?') ? '&' : '?'
    const what = `GET ${stripQuery(path)}`
    for (;;) {
      // Literal brackets, as the Public API documents them; only the cursor is encoded.
      let page = `${path}${separator}pagination[count]=${PAGE_SIZE}`
      if (cursor !== undefined) page += `&pagination[cursor]=${encodeURIComponent(cursor)}`
      const data = await this.request('GET', page)
      const items = data[key]
      if (!Array.isArray(items)) throw badResponse(what, `data.${key} is not a list`)
      const found = items.find((item): item is JsonObject => isObject(item) && match(item))
      if (found) return found
      const next = isObject(data.pagination) ? data.pagination.next : undefined
      if (typeof next !== 'string' || next === '') return undefined
      // A server that hands back a cursor we already followed would loop forever.
      if (seenCursors.has(next)) throw badResponse(what, `pagination cursor "${next}" repeats`)
      seenCursors.add(next)
      cursor = next
    }
  }

  /** POST or PATCH a function; its ID from `data.function.id`, and its catalogId when the answer has it. */
  async writeFunction(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<FunctionSummary> {
    const data = await this.request(method, path, body)
    idOf(data.function, `${method} ${stripQuery(path)}`, 'data.function.id')
    return summaryOf(data.function as Record<string, unknown>)
  }

  /** The function's catalog entry, read with `GET /functions/{id}`. */
  async catalogIdOf(functionId: string): Promise<string> {
    const path = `/functions/${encodeURIComponent(functionId)}`
    const data = await this.request('GET', path)
    const catalogId = isObject(data.function) ? summaryOf(data.function).catalogId : undefined
    if (catalogId === undefined) throw badResponse(`GET ${path}`, 'data.function.catalogId is missing')
    return catalogId
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
    const json = text.trim() === '' && response.ok ? { data: {} } : parseJsonOrUndefined(text)

    if (!response.ok) {
      const status = response.status
      const apiMessage = this.redact(errorMessage(json, text))
      const suffix = apiMessage ? `: ${apiMessage}` : ''
      if (status === 401 || status === 403) {
        throw new DeployError(
          'unauthorized',
          `the Segment Public API refused the token (HTTP ${status} on ${what})${suffix}. ` +
            'It needs access to Functions, Sources and Destinations (and Tracking Plans, with --tracking-plan): use a token created by a Workspace Owner, or one with the Functions Admin and Source Admin roles (and Tracking Plan Admin)',
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

    if (!isObject(json) || !isObject(json.data)) throw badResponse(what, 'body is not JSON of the form {data: {...}}')
    return json.data
  }

  /** Belt and braces: an API that echoes the Authorization header must not leak it. */
  private redact(s: string): string {
    return s.split(this.token).join('[redacted]')
  }
}

function summaryOf(fn: Record<string, unknown>): FunctionSummary {
  const catalogId = typeof fn.catalogId === 'string' && fn.catalogId !== '' ? fn.catalogId : undefined
  return { id: fn.id as string, ...(catalogId ? { catalogId } : {}) }
}

function idOf(value: unknown, what: string, field: string): string {
  const id = isObject(value) ? value.id : undefined
  if (typeof id !== 'string' || id === '') throw badResponse(what, `${field} is missing`)
  return id
}

function badResponse(what: string, detail: string): DeployError {
  return new DeployError('bad_response', `unexpected response from the Segment Public API for ${what}: ${detail}`)
}

/** `errors[0].message` of a Public API error body, else a short piece of the raw text. */
function errorMessage(json: unknown, text: string): string {
  if (isObject(json) && Array.isArray(json.errors) && isObject(json.errors[0])) {
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

function stripQuery(path: string): string {
  const q = path.indexOf('?')
  return q === -1 ? path : path.slice(0, q)
}
