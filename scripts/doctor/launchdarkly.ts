// LaunchDarkly as the functions will meet it, with their own code: the source function's
// REST client and project lookup (sources/launchdarkly/), and the Actions destination's
// check of a client-side ID (goalsUrl, as its testAuthentication). GET requests only.

import { DEFAULT_SDK_BASE_URL, goalsUrl } from '../../destinations/launchdarkly-events/endpoints'
import { withVariableNames } from '../../runtime'
import type { RuntimeConfig } from '../../runtime'
import { isObject, own } from '../../shared'
import {
  apiClient,
  ApiClient,
  ApiResult,
  ApiUnavailable,
  isUnavailableStatus,
  networkReason,
  REQUEST_TIMEOUT_MS,
  Unavailability
} from '../../sources/launchdarkly/launchdarkly-api'
import type { Fetch } from '../../segment-functions/globals'
import { DEFAULT_API_BASE_URL, readSettings, SourceSettings } from '../../sources/launchdarkly/settings'
import { TimedOut, withTimeLimit } from '../../segment-functions/time-limit'
import {
  findProjectKey,
  KEY_PATTERN,
  MAX_PROJECT_PAGES,
  NamesUnavailable
} from '../../sources/launchdarkly/variation-names'
import { Check, fail, ok, shown, skip } from './check'
import { idVariables, IdHints, Listed, Listing, listOf, projectIdFix, secretKind, WHERE_CLIENT_SIDE_IDS } from './ids'

/** What LaunchDarkly answered one request: the REST client's outcomes, and unavailability as a value. */
type Answer = ApiResult | { outcome: 'unavailable'; unavailability: Unavailability }

interface Service {
  readonly name: string
  /** The variable holding its base URL. */
  readonly variable: string
  readonly fallback: string
}

const REST_API: Service = {
  name: "LaunchDarkly's REST API",
  variable: 'LD_API_BASE_URL',
  fallback: DEFAULT_API_BASE_URL
}
const SDK_SERVICE: Service = {
  name: "LaunchDarkly's client-side SDK service",
  variable: 'LD_SDK_BASE_URL',
  fallback: DEFAULT_SDK_BASE_URL
}

/** Client-side IDs asked about at most: a longer LD_CLIENT_SIDE_IDS is checked in part. */
const MAX_CLIENT_SIDE_IDS = 10

const TOKEN_FIX =
  'create an API access token with the Reader role (LaunchDarkly: Organization settings → Authorization → Create token) and set LD_ACCESS_TOKEN to it; or unset LD_ACCESS_TOKEN to send feature events without variation names'

/** Why a request got no usable answer: nothing to change in the configuration, or the URL to check. */
function unavailable(id: string, service: Service, url: string, why: Unavailability): Check {
  const persists = `if it persists, check ${service.variable} and this machine's network (proxy, firewall)`
  switch (why.kind) {
    case 'status':
      return why.status === 429
        ? fail(
            id,
            `${service.name} is rate-limiting requests (HTTP 429 to GET ${url})`,
            'run npm run doctor again in a minute'
          )
        : fail(
            id,
            `${service.name} is unavailable (HTTP ${why.status} to GET ${url})`,
            `run npm run doctor again later (LaunchDarkly's status: https://status.launchdarkly.com); ${persists}`
          )
    case 'timeout':
      return fail(
        id,
        `${service.name} did not answer GET ${url} within ${REQUEST_TIMEOUT_MS} ms`,
        `run npm run doctor again later; ${persists}`
      )
    case 'network':
      return fail(
        id,
        `cannot reach ${service.name} at ${url} (${why.reason})`,
        `check ${service.variable} (unset, it is ${service.fallback}) and that this machine can reach it (DNS, proxy, firewall)`
      )
  }
}

/** An answer that says the base URL is not the service's. */
function wrongService(id: string, service: Service, url: string, status: number): Check {
  return fail(
    id,
    `${service.name} answered HTTP ${status} to GET ${url}: ${service.variable} does not look like it`,
    `set ${service.variable} to ${service.fallback} (or your LaunchDarkly instance's), or unset it`
  )
}

async function ask(api: ApiClient, path: string): Promise<Answer> {
  try {
    return await api.get(path)
  } catch (error) {
    if (error instanceof ApiUnavailable) return { outcome: 'unavailable', unavailability: error.unavailability }
    throw error
  }
}

function textField(body: unknown, name: string): string | undefined {
  const value = isObject(body) ? own(body, name) : undefined
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** `{key, _id}` of the items of a list answer (`{items, totalCount}`), never any other field (environments hold SDK keys). */
function listed(answer: Answer): Listing {
  const body = answer.outcome === 'ok' && isObject(answer.body) ? answer.body : {}
  const items = own(body, 'items')
  const all = (Array.isArray(items) ? items : [])
    .map((item) => ({ key: textField(item, 'key') ?? '', id: textField(item, '_id') ?? '' }))
    .filter(({ key, id }) => key && id)
  const total = own(body, 'totalCount')
  return { items: all, more: typeof total === 'number' && total > all.length }
}

export interface RestApiResult {
  readonly checks: Check[]
  /** What LaunchDarkly told us that a fix for a missing ID can name. */
  readonly hints: IdHints
}

interface Step {
  readonly settings: SourceSettings
  readonly base: string
  /** A client per step, as the function has one per delivery: each gets a delivery's time budget. */
  client(): ApiClient
}

/** The access token, the project key and the flags, as the source function uses them for variation names. */
export async function restApiChecks(config: RuntimeConfig, fetch: Fetch): Promise<RestApiResult> {
  const settings = readSettings(config.settings)
  const { accessToken } = settings
  if (accessToken === undefined)
    return {
      checks: [
        skip(
          'access-token',
          "LaunchDarkly's REST API: not checked, as LD_ACCESS_TOKEN is not set (feature events go out without variation names; an API access token with the Reader role adds them)"
        )
      ],
      hints: {}
    }
  const base = settings.apiBaseUrl
  const step: Step = {
    settings,
    base,
    client: () => apiClient({ baseUrl: base, accessToken, fetch, now: Date.now })
  }

  // The token: the first request the function makes when it has to find a project key.
  const projects = await ask(step.client(), '/api/v2/projects')
  if (projects.outcome !== 'ok') {
    const url = `${base}/api/v2/projects`
    const kind = secretKind(accessToken)
    const looks = kind && !accessToken.startsWith('api-') ? `; it holds ${kind}, not an API access token` : ''
    return {
      checks: [
        projects.outcome === 'unavailable'
          ? unavailable('access-token', REST_API, url, projects.unavailability)
          : projects.outcome === 'refused' && (projects.status === 401 || projects.status === 403)
          ? fail('access-token', `LaunchDarkly refused LD_ACCESS_TOKEN (HTTP ${projects.status})${looks}`, TOKEN_FIX)
          : wrongService('access-token', REST_API, url, projects.outcome === 'refused' ? projects.status : 404),
        skip('project-key', 'project key and flags: not checked, as they need an access token LaunchDarkly accepts')
      ],
      hints: {}
    }
  }
  const checks = [ok('access-token', `LaunchDarkly accepted LD_ACCESS_TOKEN (GET ${base}/api/v2/projects)`)]
  const readable = listed(projects)
  const { check, key, project } = await projectKeyCheck(step, readable)
  checks.push(check)
  const hints: IdHints = { project, projects: readable }
  if (key === undefined) return { checks, hints }
  checks.push(await flagsCheck(step, key))
  const environments = await ask(step.client(), `/api/v2/projects/${encodeURIComponent(key)}/environments`)
  return { checks, hints: { ...hints, environments: { project: key, ...listed(environments) } } }
}

/**
 * LD_PROJECT_KEY as given, or the key the function finds from LD_PROJECT_ID; `key` when
 * the flags can be asked for, `projects` when a missing or wrong ID has candidates.
 */
async function projectKeyCheck(
  { settings, base, client }: Step,
  readable: Listing
): Promise<{ check: Check; key?: string; project?: Listed }> {
  const { projectId, projectKey } = settings
  const projectsUrl = `${base}/api/v2/projects`
  const projectOf = async (key: string): Promise<Listed | undefined> => {
    const answer = await ask(client(), `/api/v2/projects/${encodeURIComponent(key)}`)
    const id = answer.outcome === 'ok' ? textField(answer.body, '_id') : undefined
    return id === undefined ? undefined : { key, id }
  }

  if (projectKey !== undefined && !KEY_PATTERN.test(projectKey))
    return {
      check: fail(
        'project-key',
        `LD_PROJECT_KEY ${shown(projectKey)} is not a LaunchDarkly project key (letters, digits, ".", "_" and "-")`,
        "set LD_PROJECT_KEY to your project's key (LaunchDarkly: Project settings), or unset it to have it looked up from LD_PROJECT_ID"
      )
    }
  if (projectId === undefined)
    return projectKey === undefined
      ? {
          check: skip(
            'project-key',
            'project key and flags: not checked, as neither LD_PROJECT_ID nor LD_PROJECT_KEY is set'
          )
        }
      : {
          check: ok('project-key', `LD_PROJECT_KEY is set (${projectKey})`),
          key: projectKey,
          project: await projectOf(projectKey)
        }

  let found: string
  try {
    found = await findProjectKey(client(), projectId)
  } catch (error) {
    if (error instanceof ApiUnavailable)
      return { check: unavailable('project-key', REST_API, projectsUrl, error.unavailability) }
    if (error instanceof NamesUnavailable)
      return {
        check: fail(
          'project-key',
          withVariableNames(error.message),
          `set ${REST_API.variable} to ${REST_API.fallback} (or your LaunchDarkly instance's), or unset it`
        )
      }
    throw error
  }
  if (found === '') {
    // A project key is a common thing to find in LD_PROJECT_ID.
    const byKey = KEY_PATTERN.test(projectId) ? await projectOf(projectId) : undefined
    if (byKey && byKey.id !== projectId)
      return {
        check: fail(
          'project-key',
          `LD_PROJECT_ID is ${shown(projectId)}: that is a project's key, not its ID`,
          `set LD_PROJECT_ID=${shown(byKey.id)}${
            projectKey === undefined ? ` (and LD_PROJECT_KEY=${projectId} to skip the lookup)` : ''
          }`
        )
      }
    return {
      check: fail(
        'project-key',
        `no project LD_ACCESS_TOKEN can read has the ID ${shown(
          projectId
        )} (LD_PROJECT_ID), in ${MAX_PROJECT_PAGES} pages of GET ${projectsUrl}`,
        readable.items.length
          ? projectIdFix({ projects: readable })
          : `set LD_PROJECT_ID to your project's ID (the "_id" of GET ${projectsUrl}/{project key}), and LD_ACCESS_TOKEN to a token that can read that project`
      )
    }
  }
  if (projectKey !== undefined && projectKey !== found)
    return {
      check: fail(
        'project-key',
        `LD_PROJECT_KEY is ${projectKey}, but the project of LD_PROJECT_ID (${shown(projectId)}) has the key ${found}`,
        `set LD_PROJECT_KEY=${found}, or unset it to have the key looked up from LD_PROJECT_ID`
      )
    }
  return {
    check: ok(
      'project-key',
      projectKey === undefined
        ? `LD_PROJECT_ID ${shown(projectId)} is the project with the key ${found} (looked up in GET ${projectsUrl})`
        : `LD_PROJECT_KEY ${projectKey} is the key of the project of LD_PROJECT_ID (${shown(projectId)})`
    ),
    key: found
  }
}

/** The flags: what the variation-name lookups read. */
async function flagsCheck({ client, base }: Step, key: string): Promise<Check> {
  const path = `/api/v2/flags/${encodeURIComponent(key)}?limit=1`
  const url = base + path
  const answer = await ask(client(), path)
  switch (answer.outcome) {
    case 'ok': {
      const total = isObject(answer.body) ? own(answer.body, 'totalCount') : undefined
      const count = typeof total === 'number' ? ` (${total} ${total === 1 ? 'flag' : 'flags'})` : ''
      return ok(
        'flags',
        `LD_ACCESS_TOKEN can read the flags of project ${key}${count}: feature events get variation names`
      )
    }
    case 'not-found':
      return fail(
        'flags',
        `LaunchDarkly knows no project with the key ${key} (GET ${url} answered 404)`,
        "set LD_PROJECT_KEY to your project's key (LaunchDarkly: Project settings), or unset it to have it looked up from LD_PROJECT_ID"
      )
    case 'refused':
      return answer.status === 401 || answer.status === 403
        ? fail(
            'flags',
            `LaunchDarkly refused LD_ACCESS_TOKEN the flags of project ${key} (HTTP ${answer.status} to GET ${url})`,
            `give the token the Reader role, or a custom role that can read the flags of project ${key} (LaunchDarkly: Organization settings → Authorization)`
          )
        : wrongService('flags', REST_API, url, answer.status)
    case 'unavailable':
      return unavailable('flags', REST_API, url, answer.unavailability)
  }
}

/** Each distinct client-side ID of the configuration, asked about as the Actions destination asks. */
export async function clientSideIdChecks(config: RuntimeConfig, fetch: Fetch, hints: IdHints): Promise<Check[]> {
  const holders = new Map<string, string[]>()
  for (const { variable, value } of idVariables(config)) {
    // A key pasted as an ID is reported already, and must not go into a URL.
    if (variable === 'LD_PROJECT_ID' || secretKind(value) !== undefined) continue
    const variables = holders.get(value) ?? []
    if (!variables.includes(variable)) variables.push(variable)
    holders.set(value, variables)
  }
  // Another LaunchDarkly instance has another SDK service too.
  const otherInstance =
    config.settings.apiBaseUrl !== undefined &&
    config.settings.apiBaseUrl !== DEFAULT_API_BASE_URL &&
    !config.sdkBaseUrl
  const ids = [...holders].slice(0, MAX_CLIENT_SIDE_IDS)
  return Promise.all(
    ids.map(async ([id, variables]) => {
      const url = goalsUrl({ clientSideId: id, sdkBaseUrl: config.sdkBaseUrl })
      const check = clientSideIdCheck(id, variables, url, await askSdk(fetch, url), hints.environments)
      return otherInstance && check.status === 'fail'
        ? {
            ...check,
            fix: `${
              check.fix ?? ''
            }; for a LaunchDarkly instance other than ${DEFAULT_API_BASE_URL}, set LD_SDK_BASE_URL to its client-side SDK URL`
          }
        : check
    })
  )
}

/** What LaunchDarkly's answer about one client-side ID means, with the project's environments when the REST API listed them. */
function clientSideIdCheck(
  id: string,
  variables: readonly string[],
  url: string,
  answer: Answer,
  environments: IdHints['environments']
): Check {
  const named = `client-side ID ${shown(id)} (${variables.join(', ')})`
  const listing = environments?.items.length
    ? `(environments of project ${environments.project}, key → client-side ID: ${listOf(environments)})`
    : WHERE_CLIENT_SIDE_IDS
  switch (answer.outcome) {
    case 'ok':
      // The source direction labels events with LD_PROJECT_ID and LD_ENVIRONMENT_ID: they must belong together.
      if (
        variables.includes('LD_ENVIRONMENT_ID') &&
        environments &&
        !environments.more &&
        !environments.items.some((environment) => environment.id === id)
      )
        return fail(
          'known-client-side-id',
          `LaunchDarkly knows the ${named}, but it is not an environment of project ${environments.project}: events would name a project and an environment that do not belong together`,
          `set LD_ENVIRONMENT_ID to the client-side ID of the environment your SDKs use ${listing}, or LD_PROJECT_ID to the ID of its project`
        )
      return ok('known-client-side-id', `LaunchDarkly knows the ${named}`)
    case 'not-found': {
      const byKey = environments?.items.find((environment) => environment.key === id)
      return fail(
        'known-client-side-id',
        `LaunchDarkly knows no environment with the ${named}: GET ${url} answered 404`,
        byKey
          ? `set ${variables.join(' and ')} to ${shown(byKey.id)}, the client-side ID of environment ${shown(
              byKey.key
            )} (${shown(id)} is its key)`
          : `set ${variables.join(' and ')} to the client-side ID of your environment ${listing}`
      )
    }
    case 'refused':
      return wrongService('known-client-side-id', SDK_SERVICE, url, answer.status)
    case 'unavailable':
      return unavailable('known-client-side-id', SDK_SERVICE, url, answer.unavailability)
  }
}

/** `GET {sdkBaseUrl}/sdk/goals/{id}`: 200 for a known client-side ID, 404 for an unknown one. */
async function askSdk(fetch: Fetch, url: string): Promise<Answer> {
  let status: number
  try {
    status = await withTimeLimit(REQUEST_TIMEOUT_MS, async (limits) => {
      const response = await fetch(url, { method: 'GET', ...limits })
      await response.text().catch(() => undefined)
      return response.status
    })
  } catch (error) {
    if (error instanceof TimedOut) return { outcome: 'unavailable', unavailability: { kind: 'timeout' } }
    return { outcome: 'unavailable', unavailability: { kind: 'network', reason: networkReason(error) } }
  }
  if (status >= 200 && status < 300) return { outcome: 'ok', body: undefined }
  if (status === 404) return { outcome: 'not-found' }
  if (isUnavailableStatus(status)) return { outcome: 'unavailable', unavailability: { kind: 'status', status } }
  return { outcome: 'refused', status }
}
