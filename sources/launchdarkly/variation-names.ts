// Variation names for feature events (design §3.6). SDK events carry only the variation's
// index; its name lives in the flag's configuration, read with the REST API:
// `GET {apiBaseUrl}/api/v2/flags/{projectKey}/{flagKey}` → `variations[i].name`.
//
// Each flag is asked for at most once per delivery, all flags in parallel, and the
// answer is cached across warm invocations. A 429, 5xx or timeout throws ApiUnavailable
// (the delivery is retried). A refused token, or an answer that cannot be read, must not
// hold events back forever: the events go out without names and a warning is logged.

import { isArray, NativeMap, NativeSet, ownAt, sha256Hex, toJson } from '../../shared'
import type { FlagRef, FunctionCache, VariationNames } from '../../shared'
import { nodeSha256 } from '../../segment-functions/crypto'
import { ApiClient } from './launchdarkly-api'
import { SourceSettings } from './settings'

/** Names change rarely; a renamed variation shows up within this long. */
export const FLAG_TTL_MS = 5 * 60 * 1000
/** A project's key never changes; a newly created project is found within this long. */
export const PROJECT_TTL_MS = 60 * 60 * 1000
/** Pages of `GET /api/v2/projects` (20 projects each by default) read to find a project. */
export const MAX_PROJECT_PAGES = 10

// LaunchDarkly keys are letters, digits, '.', '_' and '-'; anything else cannot name a
// flag, and keeps '/', '?' and dot segments out of request paths.
export const KEY_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

export interface NameLookup {
  /** Undefined when no lookup is configured (no accessToken) or nothing needed a name. */
  readonly names?: VariationNames
  /** Why some names are missing, for one warning line; never holds a secret. */
  readonly warnings: readonly string[]
}

export interface LookupContext {
  readonly settings: SourceSettings
  /** Created per delivery: its requests share the delivery's time budget. */
  readonly api: ApiClient
  readonly cache: FunctionCache
}

/** A reason the names of a flag or project are unknown; not cached, so a fix takes effect at once. */
export class NamesUnavailable extends Error {}

/** Names by variation index (null where a variation has none); [] when the flag does not exist. */
type Names = Array<string | null>

export async function lookupVariationNames(flags: readonly FlagRef[], context: LookupContext): Promise<NameLookup> {
  const { settings, api, cache } = context
  if (settings.accessToken === undefined || flags.length === 0) return { warnings: [] }
  const warnings = new NativeSet<string>()
  // Two configurations in one warm runtime (another API, another token, so other projects
  // and flags) never share names; the token itself never becomes part of a key.
  const scope = `${settings.apiBaseUrl}|${(nodeSha256() ?? sha256Hex)(settings.accessToken).slice(0, 32)}`

  // Each project's key and each flag's names, asked for once per delivery; an answer that
  // says why they are unknown becomes a warning.
  const asked = new NativeMap<string, Promise<unknown>>()
  const once = <T>(id: string, load: () => Promise<T>): Promise<T | undefined> => {
    let answer = asked.get(id)
    if (!answer) {
      answer = load().catch((error: unknown) => {
        if (!(error instanceof NamesUnavailable)) throw error
        warnings.add(error.message)
        return undefined
      })
      asked.set(id, answer)
    }
    return answer as Promise<T | undefined>
  }

  const found = new NativeMap<string, Names>()
  await Promise.all(
    flags.map(async ({ project, flagKey }) => {
      if (!KEY_PATTERN.test(flagKey)) return
      const projectKey = await once(`project\n${project}`, () =>
        resolveProjectKey(project, settings, { api, cache, scope })
      )
      if (projectKey === undefined) return
      const path = `/api/v2/flags/${encodeURIComponent(projectKey)}/${encodeURIComponent(flagKey)}`
      const names = await once(path, () =>
        cache.load(`launchdarkly:variation-names|${scope}|${projectKey}|${flagKey}`, FLAG_TTL_MS, () =>
          fetchNames(api, path)
        )
      )
      if (names) found.set(project + '\n' + flagKey, names)
    })
  )
  return {
    names: (project, flagKey, variation) => found.get(project + '\n' + flagKey)?.[variation] ?? undefined,
    warnings: [...warnings]
  }
}

async function fetchNames(api: ApiClient, path: string): Promise<Names> {
  const result = await api.get(path)
  if (result.outcome === 'not-found') return []
  if (result.outcome === 'refused') throw refusal(result.status, path)
  const variations = ownAt(result.body, 'variations')
  if (!isArray(variations))
    throw new NamesUnavailable(`the LaunchDarkly API answered GET ${path} with something other than a flag`)
  return variations.map((variation) => {
    const name = ownAt(variation, 'name')
    return typeof name === 'string' && name !== '' ? name : null
  })
}

/** The projectKey setting, for the project of the projectId setting (or any, when that is empty); else from the projects list. */
async function resolveProjectKey(
  project: string,
  settings: SourceSettings,
  { api, cache, scope }: { api: ApiClient; cache: FunctionCache; scope: string }
): Promise<string | undefined> {
  const configured = settings.projectKey
  if (configured !== undefined && (settings.projectId === undefined || settings.projectId === project)) {
    if (!KEY_PATTERN.test(configured))
      throw new NamesUnavailable(
        'the projectKey setting is not a LaunchDarkly project key (letters, digits, ".", "_" and "-")'
      )
    return configured
  }
  const key = await cache.load(`launchdarkly:project-key|${scope}|${project}`, PROJECT_TTL_MS, () =>
    findProjectKey(api, project)
  )
  if (key === '') {
    throw new NamesUnavailable(
      `project ID ${toJson(project)} is not among the projects the access token can read; set the projectKey setting`
    )
  }
  return key
}

/** Pages through `GET /api/v2/projects` for the project with this `_id`; '' when there is none. */
export async function findProjectKey(api: ApiClient, projectId: string): Promise<string> {
  let path: string | undefined = '/api/v2/projects'
  for (let page = 0; path !== undefined && page < MAX_PROJECT_PAGES; page++) {
    const result = await api.get(path)
    if (result.outcome === 'refused') throw refusal(result.status, '/api/v2/projects')
    if (result.outcome === 'not-found') return ''
    const body = result.body
    // The API answers {items: [...], _links}; a bare array is read the same way.
    const items = isArray(body) ? body : ownAt(body, 'items')
    if (!isArray(items))
      throw new NamesUnavailable(
        'the LaunchDarkly API answered GET /api/v2/projects with something other than a list of projects'
      )
    for (const item of items) {
      if (ownAt(item, '_id') === projectId) {
        const key = ownAt(item, 'key')
        if (typeof key === 'string' && KEY_PATTERN.test(key)) return key
      }
    }
    path = nextPage(body)
  }
  return ''
}

/** `_links.next.href`, when it is another page of the same list. */
function nextPage(body: unknown): string | undefined {
  const href = ownAt(body, '_links', 'next', 'href')
  return typeof href === 'string' && /^\/api\/v2\/projects(\?|$)/.test(href) ? href : undefined
}

function refusal(status: number, path: string): NamesUnavailable {
  if (status === 401 || status === 403) {
    return new NamesUnavailable(
      `the LaunchDarkly API refused the access token (HTTP ${status}); check that the accessToken setting is a current API access token with read access`
    )
  }
  return new NamesUnavailable(`the LaunchDarkly API answered HTTP ${status} to GET ${path}`)
}
