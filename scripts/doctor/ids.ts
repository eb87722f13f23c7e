// The IDs the relay and the functions need: set, not a key pasted in their place, and
// where to find them (with what LaunchDarkly's REST API listed, when it was asked).

import type { RuntimeConfig } from '../../runtime'
import { DEFAULT_API_BASE_URL } from '../../sources/launchdarkly/settings'
import { Check, fail, ok, shown, warn } from './check'

export const WHERE_CLIENT_SIDE_IDS =
  '(LaunchDarkly: Project settings → Environments; the client-side ID, not the SDK key or mobile key)'

/** Keys and tokens of LaunchDarkly by their prefix: secrets, however they were set. */
const SECRET_PREFIXES: ReadonlyArray<readonly [prefix: string, what: string]> = [
  ['sdk-', 'a server-side SDK key (sdk-…)'],
  ['mob-', 'a mobile key (mob-…)'],
  ['api-', 'an API access token (api-…)']
]

/** What kind of LaunchDarkly secret the text is, judging by its prefix; undefined: none. */
export function secretKind(text: string): string | undefined {
  return SECRET_PREFIXES.find(([prefix]) => text.startsWith(prefix))?.[1]
}

/** The variables holding client-side IDs (and the project ID), with their values. */
export function idVariables(config: RuntimeConfig): Array<{ variable: string; value: string }> {
  const ids: Array<{ variable: string; value: string }> = []
  const add = (variable: string, value: unknown): void => {
    if (typeof value === 'string' && value) ids.push({ variable, value })
  }
  add('LD_PROJECT_ID', config.settings.projectId)
  add('LD_ENVIRONMENT_ID', config.settings.environmentId)
  add('LD_CLIENT_SIDE_ID', config.clientSideId)
  for (const id of config.clientSideIds ?? []) add('LD_CLIENT_SIDE_IDS', id)
  return ids
}

/** A project or an environment: its key and its ID (an environment's ID is its client-side ID). */
export interface Listed {
  readonly key: string
  readonly id: string
}

/** The first few items of a list LaunchDarkly gave; `more` when it holds others too. */
export interface Listing {
  readonly items: readonly Listed[]
  readonly more: boolean
}

/** What LaunchDarkly's REST API told us that the fix for a missing ID can name. */
export interface IdHints {
  /** LD_PROJECT_KEY's project. */
  readonly project?: Listed
  /** Projects the token can read. */
  readonly projects?: Listing
  readonly environments?: Listing & { readonly project: string }
}

/** Shown at most, of the projects or environments a fix lists. */
const MAX_LISTED = 10

export const listOf = ({ items, more }: Listing): string =>
  items
    .slice(0, MAX_LISTED)
    .map(({ key, id }) => `${shown(key)} → ${shown(id)}`)
    .join(', ') + (more || items.length > MAX_LISTED ? ', …' : '')

/** How to set LD_PROJECT_ID: to the ID LaunchDarkly gave, or how to have it listed. */
export function projectIdFix(hints: IdHints, base = DEFAULT_API_BASE_URL): string {
  if (hints.project) return `set LD_PROJECT_ID=${shown(hints.project.id)} (the ID of project ${hints.project.key})`
  if (hints.projects?.items.length)
    return `set LD_PROJECT_ID to the ID of your project (projects LD_ACCESS_TOKEN can read, key → ID: ${listOf(
      hints.projects
    )})`
  return `set LD_PROJECT_ID to your project's ID; to find it, set LD_ACCESS_TOKEN (an API access token with the Reader role) and run npm run doctor again: it lists the projects the token can read with their IDs (the "_id" of each project in GET ${base}/api/v2/projects)`
}

/** LD_PROJECT_ID and LD_ENVIRONMENT_ID (the relay rejects SDK events without them), and LD_CLIENT_SIDE_ID. */
export function idChecks(config: RuntimeConfig, hints: IdHints = {}): Check[] {
  const base = typeof config.settings.apiBaseUrl === 'string' ? config.settings.apiBaseUrl : undefined
  const environments = hints.environments?.items.length
    ? `(environments of project ${hints.environments.project}, key → client-side ID: ${listOf(hints.environments)})`
    : WHERE_CLIENT_SIDE_IDS
  const ids = [
    {
      id: 'project-id',
      variable: 'LD_PROJECT_ID',
      value: config.settings.projectId,
      fix: projectIdFix(hints, base),
      unset: fail,
      consequence: 'the relay rejects SDK events with 400 (they name no project)'
    },
    {
      id: 'environment-id',
      variable: 'LD_ENVIRONMENT_ID',
      value: config.settings.environmentId,
      fix: `set LD_ENVIRONMENT_ID to the client-side ID of the environment your SDKs use ${environments}`,
      unset: fail,
      consequence: 'the relay rejects server-side SDK events (/bulk, /mobile) with 400 (they name no environment)'
    },
    {
      id: 'client-side-id',
      variable: 'LD_CLIENT_SIDE_ID',
      value: config.clientSideId,
      fix: `only for the Segment → LaunchDarkly direction: set LD_CLIENT_SIDE_ID to the client-side ID of the environment to send to ${environments}`,
      unset: warn,
      consequence:
        'the destination function (/destination-functions/launchdarkly-events) cannot send Segment events to LaunchDarkly'
    }
  ]
  const checks: Check[] = []
  for (const { id, variable, value, fix, unset, consequence } of ids) {
    if (typeof value !== 'string' || !value) checks.push(unset(id, `${variable} is not set: ${consequence}`, fix))
    else checks.push(pastedKey(id, variable, value, fix) ?? ok(id, `${variable} is set (${shown(value)})`))
  }
  for (const value of config.clientSideIds ?? []) {
    const check = pastedKey(
      'client-side-ids',
      'LD_CLIENT_SIDE_IDS',
      value,
      `list client-side IDs in LD_CLIENT_SIDE_IDS ${WHERE_CLIENT_SIDE_IDS}`
    )
    if (check) checks.push(check)
  }
  return checks
}

/** A LaunchDarkly key where an ID belongs: it fails, and it is never shown. */
function pastedKey(id: string, variable: string, value: string, fix: string): Check | undefined {
  const kind = secretKind(value)
  if (kind === undefined) return undefined
  return fail(
    id,
    `${variable} holds ${kind}, not an ID`,
    `${fix}; and keep the key a secret (this output never shows it)`
  )
}
