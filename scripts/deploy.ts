/**
 * `npm run deploy` (design §7): after the build, install both halves in a Segment
 * workspace through the Public API: create or update the source function and deploy it,
 * create or update the destination function, create the source function's source unless
 * it exists, with `--source <slug>` connect the destination function to that source, and
 * with `--tracking-plan <name>` create or update the export schema's tracking plan and
 * connect it to the source function's source (deploy-tracking-plan.ts).
 * `--dry-run` prints every call instead of making it, with no token needed.
 *
 * Env: SEGMENT_PUBLIC_API_TOKEN (required unless --dry-run), SEGMENT_API_BASE (default
 * https://api.segmentapis.com), SEGMENT_FUNCTION_NAME (default "LaunchDarkly Events
 * Source"), SEGMENT_DESTINATION_FUNCTION_NAME (default "LaunchDarkly Events Destination"),
 * SEGMENT_SOURCE_SLUG (default "launchdarkly-events"); instance settings from the LD_*
 * variables the local runtime reads (LD_PROJECT_ID, ..., LD_CLIENT_SIDE_ID, ...).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { SETTINGS as DESTINATION_SETTINGS } from '../destinations/launchdarkly-events-function/settings'
import { variableOf } from '../runtime'
import type { SettingDeclaration, TrackingPlan } from '../shared'
import { SETTINGS as SOURCE_SETTINGS } from '../sources/launchdarkly/settings'
import { DESTINATION_FUNCTION, FunctionBuild, SOURCE_FUNCTION, TRACKING_PLAN_FILE } from './build'
import {
  DEFAULT_API_BASE,
  DeployError,
  deployWith,
  ensureDestination,
  ensureSource,
  PublicApi,
  publicApi
} from './deploy-api'
import { dryRunFetch } from './deploy-dry-run'
import { ensureTrackingPlan } from './deploy-tracking-plan'

export const DEFAULT_FUNCTION_NAME = 'LaunchDarkly Events Source'
export const DEFAULT_DESTINATION_FUNCTION_NAME = 'LaunchDarkly Events Destination'
export const DEFAULT_SOURCE_SLUG = 'launchdarkly-events'
const USAGE =
  'usage: npm run deploy -- [--dry-run] [--source <slug of the source to connect the destination function to>] [--tracking-plan <name of the tracking plan to create or update>]'

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
  /** Where the build output lives; default `<project root>/dist`. Tests point it at a temp dir. */
  distDir?: string
  fetch?: typeof fetch
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`)
}

interface Arguments {
  dryRun: boolean
  source?: string
  trackingPlan?: string
}

/** The options that take a value, as `--name value` or `--name=value`. */
const VALUED = { '--source': 'source', '--tracking-plan': 'trackingPlan' } as const

function parseArguments(argv: readonly string[]): Arguments {
  const args: Arguments = { dryRun: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined]
    const field = Object.prototype.hasOwnProperty.call(VALUED, name) ? VALUED[name as keyof typeof VALUED] : undefined
    if (arg === '--dry-run') args.dryRun = true
    else if (field && inline !== undefined && inline !== '') args[field] = inline
    else if (field && inline === undefined && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--'))
      args[field] = argv[++i]
    else throw new RangeError(`unknown argument ${JSON.stringify(arg)}`)
  }
  return args
}

type Declared = ReadonlyArray<{ readonly name: string; readonly type: 'STRING' | 'BOOLEAN' }>

/** An instance's settings from the LD_* variables, typed as the function declares them. */
export function instanceSettings(declared: Declared, env: NodeJS.ProcessEnv): Record<string, string | boolean> {
  const settings: Record<string, string | boolean> = {}
  for (const { name, type } of declared) {
    const value = env[variableOf(name)]?.trim()
    if (!value) continue
    settings[name] = type === 'BOOLEAN' ? value === 'true' || value === '1' : value
  }
  return settings
}

interface Built {
  code: string
  settings: SettingDeclaration[]
}

async function readBuilt(distDir: string, fn: FunctionBuild): Promise<Built> {
  const codePath = path.join(distDir, `${fn.output}.js`)
  const settingsPath = path.join(distDir, `${fn.output}.settings.json`)
  return {
    code: await readFile(codePath, 'utf8'),
    settings: parseSettings(await readFile(settingsPath, 'utf8'), settingsPath)
  }
}

/** Runs the deploy and resolves to the process exit code. */
export async function main(
  env: NodeJS.ProcessEnv,
  io: CliIo = defaultIo,
  argv: readonly string[] = []
): Promise<number> {
  let args: Arguments
  try {
    args = parseArguments(argv)
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  const distDir = io.distDir ?? path.resolve(__dirname, '..', 'dist')
  let source: Built
  let destination: Built
  let plan: TrackingPlan | undefined
  try {
    source = await readBuilt(distDir, SOURCE_FUNCTION)
    destination = await readBuilt(distDir, DESTINATION_FUNCTION)
    if (args.trackingPlan !== undefined) plan = await readTrackingPlan(path.join(distDir, TRACKING_PLAN_FILE))
  } catch (err) {
    io.err(`deploy failed: ${err instanceof Error ? err.message : String(err)} (run \`npm run build\` first)`)
    return 1
  }

  const baseUrl = env.SEGMENT_API_BASE || DEFAULT_API_BASE
  const sensitive = new Set([...SOURCE_SETTINGS, ...DESTINATION_SETTINGS].filter((s) => s.sensitive).map((s) => s.name))
  try {
    let api: PublicApi
    if (args.dryRun) {
      io.out('dry run: no request is sent. Shown as if the workspace had none of this yet: a function found by name is')
      io.out('PATCHed instead of created, and a source or connection that exists is left as it is.')
      api = publicApi({ token: 'dry-run', baseUrl, fetch: dryRunFetch(io.out, { sensitive, sourceSlug: args.source }) })
    } else {
      api = publicApi({ token: env.SEGMENT_PUBLIC_API_TOKEN ?? '', baseUrl, fetch: io.fetch })
    }
    const log = io.out

    const sourceName = env.SEGMENT_FUNCTION_NAME || DEFAULT_FUNCTION_NAME
    const sourceFunction = await deployWith(api, { displayName: sourceName, ...source, resourceType: 'SOURCE', log })
    io.out(`${sourceFunction.action} source function "${sourceName}" and deployed it`)
    io.out(`function ID: ${sourceFunction.functionId}`)

    const destinationName = env.SEGMENT_DESTINATION_FUNCTION_NAME || DEFAULT_DESTINATION_FUNCTION_NAME
    const destinationFunction = await deployWith(api, {
      displayName: destinationName,
      ...destination,
      resourceType: 'DESTINATION',
      log
    })
    io.out(
      `${destinationFunction.action} destination function "${destinationName}" ` +
        '(Segment applies its code to its destinations when it is saved: the Public API deploys source functions only)'
    )
    io.out(`function ID: ${destinationFunction.functionId}`)

    const slug = env.SEGMENT_SOURCE_SLUG || DEFAULT_SOURCE_SLUG
    const sourceInstance = await ensureSource(api, {
      catalogId: sourceFunction.catalogId ?? (await api.catalogIdOf(sourceFunction.functionId)),
      slug,
      settings: instanceSettings(SOURCE_SETTINGS, env),
      log
    })
    io.out(
      `${sourceInstance.action === 'created' ? 'created' : 'found'} source "${slug}" (source ID: ${sourceInstance.id})`
    )
    io.out(
      `webhook URL: the Public API does not return it; copy it from Segment: Connections → Sources → ${slug} → Settings → Endpoint`
    )

    if (args.trackingPlan !== undefined && plan !== undefined) {
      const result = await ensureTrackingPlan(api, {
        name: args.trackingPlan,
        plan,
        sourceId: sourceInstance.id,
        log
      })
      io.out(
        `${result.action} tracking plan "${args.trackingPlan}" with ${plan.rules.length} rules (tracking plan ID: ${
          result.id
        }), ${result.connected ? 'connected to' : 'already connected to'} source "${slug}"`
      )
    }

    if (args.source === undefined) {
      io.out(
        'destination function not connected to a source: run `npm run deploy -- --source <slug>` to connect it, or add it in Segment (Connections → Destinations → Add destination → Functions)'
      )
      return 0
    }
    const settings = instanceSettings(DESTINATION_SETTINGS, env)
    if (settings.clientSideId === undefined) {
      if (!args.dryRun) {
        throw new DeployError(
          'missing_setting',
          'set LD_CLIENT_SIDE_ID to the client-side ID of the LaunchDarkly environment the destination sends to'
        )
      }
      io.out('LD_CLIENT_SIDE_ID is not set: a real run stops here, before connecting the destination')
      settings.clientSideId = '<LD_CLIENT_SIDE_ID>'
    }
    const connection = await ensureDestination(api, {
      catalogId: destinationFunction.catalogId ?? (await api.catalogIdOf(destinationFunction.functionId)),
      sourceSlug: args.source,
      name: destinationName,
      settings,
      log
    })
    io.out(
      `${connection.action === 'created' ? 'connected' : 'already connected'} the destination function to source "${
        args.source
      }" (destination ID: ${connection.id})`
    )
    return 0
  } catch (err) {
    if (err instanceof DeployError) {
      io.err(`deploy failed: ${err.message}`)
      return 1
    }
    throw err
  }
}

/** The build writes this file: the body of `PUT /tracking-plans/{id}/rules`. */
async function readTrackingPlan(file: string): Promise<TrackingPlan> {
  const text = await readFile(file, 'utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  const rules = typeof parsed === 'object' && parsed !== null ? (parsed as { rules?: unknown }).rules : undefined
  if (!Array.isArray(rules) || rules.length === 0) throw new Error(`${file} has no rules`)
  return parsed as TrackingPlan
}

/** The build writes this file; a shallow check catches a stale or hand-edited one. */
function parseSettings(text: string, file: string): SettingDeclaration[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.every((s) => typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.type === 'string')
  if (!ok) throw new Error(`${file} is not a list of {name, label, description, type, required, sensitive}`)
  return parsed as SettingDeclaration[]
}

if (require.main === module) {
  main(process.env, defaultIo, process.argv.slice(2)).then(
    (exitCode) => {
      process.exitCode = exitCode
    },
    (err: unknown) => {
      console.error(err)
      process.exitCode = 1
    }
  )
}
