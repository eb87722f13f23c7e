// The configuration as the relay reads it (runtime/config/parse.ts, the same parser): each
// variable, a misspelt name, and the warnings the relay prints at startup.

import {
  ConfigError,
  configFromEnv,
  fileVariableOf,
  secretsOf,
  startupRefusal,
  VARIABLES,
  warningsOf
} from '../../runtime'
import type { RuntimeConfig } from '../../runtime'
import { Check, fail, ok, warn } from './check'
import { idVariables, secretKind } from './ids'

export interface Configuration {
  /** Every variable that parses (one that does not is left at its default, and reported). */
  readonly config: RuntimeConfig
  readonly checks: Check[]
  /** The configured secrets, and any secret pasted where an ID belongs. */
  readonly secrets: string[]
  /** The variables whose values were not accepted: checks that use them are not run. */
  readonly refused: ReadonlySet<string>
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
        set.length === 0
          ? 'no variable is set: every one takes its default (docs/relay.md lists them)'
          : `${set.length === 1 ? 'the variable set parses' : `the ${set.length} variables set parse`}: ${set.join(
              ', '
            )} (the others take their defaults)`
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
  // What would stop `npm start` though every variable parses (one line per reason).
  for (const reason of startupRefusal(config)?.split('\n') ?? [])
    checks.push(fail('startup', reason, 'the relay would not start: do what the message says'))
  checks.push(...nearMisses(env))
  const pasted = idVariables(config).filter(({ value }) => secretKind(value) !== undefined)
  return { config, checks, secrets: [...secretsOf(config), ...pasted.map(({ value }) => value)], refused }
}

/** `LD_PROJECTID=…` is not an error anywhere else: the relay never reads it. */
function nearMisses(env: NodeJS.ProcessEnv): Check[] {
  const known = VARIABLES.flatMap((variable) => [variable.name, fileVariableOf(variable) ?? []].flat())
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
