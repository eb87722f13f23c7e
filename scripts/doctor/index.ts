/**
 * `npm run doctor [-- --json]`: checks the configuration the relay and the functions would
 * use (the LD_* and other variables of docs/relay.md), one line per check with a fix for
 * each failure; exit code 1 when any check fails. docs/doctor.md is the user's guide.
 */
import { PROJECT_ROOT, useProxiesFromEnv } from '../../runtime'
import type { Fetch } from '../../segment-functions/globals'
import { nodeFetch } from '../node-fetch'
import { Check, countsOf, jsonReport, skip, textReport } from './check'
import { readConfiguration, startupWarnings } from './configuration'
import { idChecks } from './ids'
import { clientSideIdChecks, RestApiResult, restApiChecks } from './launchdarkly'
import { buildCheck, dataDirCheck, deadLetterCheck, portCheck, sinkCheck } from './local'

export const EXIT = { passed: 0, failed: 1, usage: 2 } as const

export const HELP = `Usage: npm run doctor [-- --json]

Checks the configuration npm start and the functions would use, from the same variables
(docs/relay.md): each variable parsed as the relay parses it, the project and environment
IDs, and, with LD_ACCESS_TOKEN or a client-side ID set, what LaunchDarkly says about them
(GET requests only: no event goes to LaunchDarkly, nothing goes to Segment). docs/doctor.md
lists the checks.

One line per check: ok, warn, FAIL (with a fix) or skip. Exit code 1 when a check fails.

  --json   the checks as one JSON line: {"passed", "counts", "checks": [{id, status, message, fix}]}
  --help   this text`

export interface DoctorOptions {
  readonly projectRoot?: string
  /** How LaunchDarkly is asked (tests count the requests). */
  readonly fetch?: Fetch
}

interface Diagnosis {
  readonly checks: readonly Check[]
  /** To be kept out of every line. */
  readonly secrets: readonly string[]
}

async function diagnose(env: NodeJS.ProcessEnv, options: DoctorOptions = {}): Promise<Diagnosis> {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT
  const fetch = options.fetch ?? nodeFetch
  const { config, checks, secrets, refused } = readConfiguration(env, projectRoot)
  // A check that needs a variable the relay would refuse is not run on its default instead.
  const blocked = (id: string, what: string, variables: readonly string[]): Check | undefined => {
    const bad = variables.filter((variable) => refused.has(variable))
    return bad.length
      ? skip(
          id,
          `${what}: not checked, as ${bad.join(' and ')} ${bad.length === 1 ? 'is' : 'are'} not accepted (see above)`
        )
      : undefined
  }
  const restBlocked = blocked('access-token', "LaunchDarkly's REST API", ['LD_API_BASE_URL'])
  const sdkBlocked = blocked('known-client-side-id', 'client-side IDs', ['LD_SDK_BASE_URL'])
  const portBlocked = blocked('port', 'HOST and PORT', ['HOST', 'PORT'])
  // The client-side IDs after the REST API, whose list of environments their fixes can name.
  const launchDarkly = async (): Promise<[RestApiResult, Check[]]> => {
    const rest = restBlocked ? { checks: [restBlocked], hints: {} } : await restApiChecks(config, fetch)
    return [rest, sdkBlocked ? [sdkBlocked] : await clientSideIdChecks(config, fetch, rest.hints)]
  }
  const [[rest, clientSideIds], dataDir, deadLetters, port] = await Promise.all([
    launchDarkly(),
    dataDirCheck(config),
    deadLetterCheck(config),
    portBlocked ?? portCheck(config)
  ])
  return {
    checks: [
      ...checks,
      ...idChecks(config, rest.hints),
      ...startupWarnings(config),
      ...clientSideIds,
      ...rest.checks,
      sinkCheck(config),
      dataDir,
      ...(deadLetters ? [deadLetters] : []),
      port,
      buildCheck(projectRoot)
    ],
    secrets
  }
}

export interface Output {
  write(text: string): void
  readonly isTTY?: boolean
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: { stdout: Output; stderr: Output },
  options: DoctorOptions = {}
): Promise<number> {
  const unknown = argv.filter((arg) => !['--json', '--help', '-h'].includes(arg))
  if (unknown.length) {
    io.stderr.write(`doctor: unknown option ${unknown[0]}\n${HELP}\n`)
    return EXIT.usage
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(HELP + '\n')
    return EXIT.passed
  }
  const { checks, secrets } = await diagnose(env, options)
  const colour = io.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb'
  io.stdout.write((argv.includes('--json') ? jsonReport(checks, secrets) : textReport(checks, secrets, colour)) + '\n')
  return countsOf(checks).fail > 0 ? EXIT.failed : EXIT.passed
}

if (require.main === module) {
  // Its LaunchDarkly checks go through the proxies the relay would use; a refused value is
  // reported by the variables check, and the checks then go direct.
  try {
    useProxiesFromEnv(process.env)
  } catch {
    // Reported below.
  }
  main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      // A bug: its message only, never a value it may have held.
      process.stderr.write(`doctor: unexpected error: ${(error as Error).name}: ${(error as Error).message}\n`)
      process.exitCode = EXIT.failed
    }
  )
}
