// The configuration as the relay reads it (runtime/config.ts, the same parser), and the
// IDs without which SDK events are rejected. Nothing here goes to the network.

import { ConfigError, configFromEnv, RuntimeConfig, secretsOf, VARIABLES, warningsOf } from '../../runtime/config'
import { DEFAULT_API_BASE_URL } from '../../sources/launchdarkly/settings'
import { Check, fail, ok, shown, warn } from './check'

export interface Configuration {
  /** Every variable that parses (one that does not is left at its default, and reported). */
  readonly config: RuntimeConfig
  readonly checks: Check[]
  /** The configured secrets, and any secret pasted where an ID belongs. */
  readonly secrets: string[]
  /** The variables whose values were not accepted: checks that use them are not run. */
  readonly refused: ReadonlySet<string>
}

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

export function readConfiguration(env: NodeJS.ProcessEnv, projectRoot: string): Configuration {
  const checks: Check[] = []
  const refused = new Set<string>()
  let config: RuntimeConfig
  try {
    config = configFromEnv(env, projectRoot)
    const set = VARIABLES.filter((variable) => env[variable.name]?.trim()).map((variable) => variable.name)
    checks.push(
      ok(
        'variables',
        set.length
          ? `the ${set.length} variables set parse: ${set.join(', ')} (the others take their defaults)`
          : 'no variable is set: every one takes its default (docs/relay.md lists them)'
      )
    )
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const { variable, message } of error.problems) {
      refused.add(variable)
      const fallback = VARIABLES.find((v) => v.name === variable)?.default
      checks.push(
        fail(
          'variable',
          message,
          `change ${variable} to an accepted value, or unset it${
            fallback === undefined ? '' : ` (default: ${fallback})`
          }`
        )
      )
    }
    // The other checks go on with the rest of the configuration.
    const rest = { ...env }
    for (const variable of refused) delete rest[variable]
    config = configFromEnv(rest, projectRoot)
  }
  checks.push(...nearMisses(env))
  const pasted = idVariables(config).filter(({ value }) => secretKind(value) !== undefined)
  return { config, checks, secrets: [...secretsOf(config), ...pasted.map(({ value }) => value)], refused }
}

/** `LD_PROJECTID=…` is not an error anywhere else: the relay never reads it. */
function nearMisses(env: NodeJS.ProcessEnv): Check[] {
  const known = VARIABLES.map((variable) => variable.name)
  const checks: Check[] = []
  for (const name of Object.keys(env).sort()) {
    if (!/^(LD|SEGMENT)_/.test(name) || known.includes(name)) continue
    const meant = known.find((candidate) => editDistance(name, candidate) <= 2)
    if (meant)
      checks.push(
        warn('variable-name', `${name} is set, but the relay reads no such variable`, `rename it to ${meant}`)
      )
  }
  return checks
}

/** Levenshtein distance: typos are a letter or two. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = row
  }
  return previous[b.length]
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

const listOf = ({ items, more }: Listing): string =>
  items.map(({ key, id }) => `${key} → ${id}`).join(', ') + (more ? ', …' : '')

/** How to set LD_PROJECT_ID: to the ID LaunchDarkly gave, or how to have it listed. */
export function projectIdFix(hints: IdHints, base = DEFAULT_API_BASE_URL): string {
  if (hints.project) return `set LD_PROJECT_ID=${hints.project.id} (the ID of project ${hints.project.key})`
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
      fix: `only for the Segment → LaunchDarkly direction: set LD_CLIENT_SIDE_ID to the client-side ID of the environment to send to ${WHERE_CLIENT_SIDE_IDS}`,
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

/** What to do about each of the relay's startup warnings, by the variable it starts with. */
const STARTUP_WARNING_FIXES: Readonly<Record<string, string>> = {
  HOST: 'set LD_INGEST_TOKEN to a secret of your choosing (your SDK keys may be listed too, comma-separated), or set HOST=127.0.0.1 to listen on this machine only',
  LD_CLIENT_SIDE_IDS: 'set LD_CLIENT_SIDE_IDS to the client-side IDs your browser SDKs use, comma-separated'
}

/** The warnings `npm start` prints, but for the IDs (idChecks has them, with where to find them). */
export function startupWarnings(config: RuntimeConfig): Check[] {
  return warningsOf(config)
    .map((text) => ({ text, variable: /^[A-Z_]+/.exec(text)?.[0] ?? '' }))
    .filter(({ variable }) => variable !== 'LD_PROJECT_ID' && variable !== 'LD_ENVIRONMENT_ID')
    .map(({ text, variable }) =>
      warn('startup-warning', text, STARTUP_WARNING_FIXES[variable] ?? 'docs/relay.md says what it means')
    )
}
