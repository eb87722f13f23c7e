// The replay's command line and environment, read into ReplayOptions. The source
// function's settings come from the same declaration as the function's
// (sources/launchdarkly/settings.ts) and the same LD_* variables as `npm start`; the
// non-secret ones can also be given as options (projectId → --project-id). Secrets
// (accessToken, ingestToken) come from the environment only: a command line is visible
// to every user of the machine.

import { ConfigError, configFromEnv, DEFAULT_SEGMENT_HOST, variableOf } from '../../runtime'
import { readSettings, SETTINGS } from '../../sources/launchdarkly/settings'
import { DEFAULT_RETRY } from './retry'
import { DEFAULT_CONCURRENCY, DEFAULT_OUTPUT, ReplayOptions, SEGMENT_DIR_PREFIX, TargetSpec } from './run'

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const MAX_CONCURRENCY = 16
const { url: URL_CONCURRENCY, segment: SEGMENT_CONCURRENCY } = DEFAULT_CONCURRENCY

export interface Cli {
  readonly options: ReplayOptions
  readonly json: boolean
}

const optionOf = (name: string): string => '--' + name.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase())

/** The settings that may be given on the command line: the non-sensitive ones. */
const SETTING_OPTIONS = SETTINGS.filter((setting) => !setting.sensitive).map((setting) => ({
  ...setting,
  option: optionOf(setting.name)
}))

export const HELP = `Usage: npm run replay -- [options] <file|folder|->...

Loads LaunchDarkly history into Segment with the source function's own conversion, so
messageIds equal the function's and a replay of what was already delivered is deduplicated.

Inputs: NDJSON of Data Export records, SDK events or Pub/Sub pushes; JSON arrays (captured
/bulk bodies); the relay's outbox and dead-letter files (Segment calls, passed through);
any of them gzip-compressed; folders (every file below, in name order); - for standard input.

Target (one):
  --to ndjson <file>   append the Segment calls to <file> (default ${DEFAULT_OUTPUT},
                       unless SEGMENT_WRITE_KEY is set)
  --to url <webhook>   POST deliveries of at most 512 KiB to a source function's webhook URL
  --to segment         Segment's batch API (SEGMENT_HOST, default ${DEFAULT_SEGMENT_HOST}) with
                       SEGMENT_WRITE_KEY, through an outbox under the relay's rules in
                       <LD_SEGMENT_DATA_DIR, default .data>/${SEGMENT_DIR_PREFIX}<digest>/;
                       the default when SEGMENT_WRITE_KEY is set
  --dry-run            convert and count; send and write nothing

Source function settings (default: the LD_* variables \`npm start\` reads):
${SETTING_OPTIONS.map(
  (s) => `  ${(s.option + (s.type === 'BOOLEAN' ? '' : ' <value>')).padEnd(27)}${variableOf(s.name)}`
).join('\n')}
  LD_ACCESS_TOKEN (environment only) turns on variation names, one lookup per flag per run.

Sending:
  --resume             continue after the last acknowledged delivery (see the checkpoint)
  --checkpoint <file>  the checkpoint (default: beside the output, <file>.checkpoint.json;
                       for --to url, .data/replay-<digest of the URL>.checkpoint.json;
                       for --to segment, checkpoint.json in its outbox folder)
  --rate <events/s>    average send rate at most this
  --concurrency <n>    deliveries in flight, at most ${MAX_CONCURRENCY}: for --to url (default ${URL_CONCURRENCY}),
                       in the outbox of --to segment (default ${SEGMENT_CONCURRENCY})
  --retries <n>        retries of a 408, 429, 5xx or unreachable target (default ${DEFAULT_RETRY.retries});
                       for --to segment, failed batch requests in a row after the first
  --json               the final summary as one JSON line on standard output
  -h, --help           this text

Exit status: 0 everything sent or rejected for cause; 1 something left unsent (rerun with
--resume); 2 a usage error; 130 interrupted (Ctrl+C).`

/** Undefined for --help. Throws UsageError. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): Cli | undefined {
  const inputs: string[] = []
  const raw: Record<string, string | boolean> = {}
  for (const { name, type } of SETTINGS) {
    const value = env[variableOf(name)]?.trim()
    if (value) raw[name] = type === 'BOOLEAN' ? value === 'true' || value === '1' : value
  }
  let target: TargetSpec | undefined
  let dryRun = false
  let resume = false
  let json = false
  let checkpointPath: string | undefined
  let rate: number | undefined
  let concurrency: number | undefined
  let retries = DEFAULT_RETRY.retries

  const args = argv.flatMap((arg) => {
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    return eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg]
  })
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const value = (what: string): string => {
      const next = args[++i]
      if (next === undefined) throw new UsageError(`${arg} needs ${what}`)
      return next
    }
    if (arg === '-h' || arg === '--help') return undefined
    if (arg === '--') {
      inputs.push(...args.slice(i + 1))
      break
    }
    if (arg === '-' || !arg.startsWith('-')) {
      inputs.push(arg)
      continue
    }
    const setting = SETTING_OPTIONS.find((s) => s.option === arg)
    if (setting) {
      raw[setting.name] = setting.type === 'BOOLEAN' ? true : value('a value')
      continue
    }
    switch (arg) {
      case '--to': {
        if (target) throw new UsageError('give --to once')
        const kind = value('ndjson <file>, url <webhook> or segment')
        if (kind === 'ndjson') target = { kind, path: value('a file') }
        else if (kind === 'url') target = { kind, url: value('a webhook URL') }
        else if (kind === 'segment') target = segmentSpec(env)
        else throw new UsageError(`--to ${kind}: the targets are ndjson <file>, url <webhook> and segment`)
        break
      }
      case '--dry-run':
        dryRun = true
        break
      case '--resume':
        resume = true
        break
      case '--json':
        json = true
        break
      case '--checkpoint':
        checkpointPath = value('a file')
        break
      case '--rate':
        rate = positive(arg, value('events per second'), false, 0)
        break
      case '--concurrency':
        concurrency = Math.min(positive(arg, value('a number'), true), MAX_CONCURRENCY)
        break
      case '--retries':
        retries = positive(arg, value('a number'), true, 0)
        break
      default:
        throw new UsageError(`unknown option ${arg}`)
    }
  }
  if (inputs.length === 0) throw new UsageError('give at least one file, folder or - (standard input)')
  if (resume && dryRun) throw new UsageError('--dry-run writes no checkpoint: --resume does not apply')
  target ??= env.SEGMENT_WRITE_KEY?.trim() ? segmentSpec(env) : { kind: 'ndjson', path: DEFAULT_OUTPUT }
  return {
    json,
    options: {
      inputs,
      target,
      dryRun,
      resume,
      checkpointPath,
      rate,
      concurrency,
      retry: { ...DEFAULT_RETRY, retries },
      settings: readSettings(raw)
    }
  }
}

/** Segment's write key and host, and the data folder, read as the relay reads them (runtime/config/parse.ts). */
function segmentSpec(env: NodeJS.ProcessEnv): TargetSpec {
  const { SEGMENT_WRITE_KEY, SEGMENT_WRITE_KEY_FILE, SEGMENT_HOST, LD_SEGMENT_DATA_DIR } = env
  const variables = { SEGMENT_WRITE_KEY, SEGMENT_WRITE_KEY_FILE, SEGMENT_HOST, LD_SEGMENT_DATA_DIR }
  let config
  try {
    config = configFromEnv(variables, process.cwd())
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message)
    throw error
  }
  if (!config.segmentWriteKey)
    throw new UsageError("--to segment needs SEGMENT_WRITE_KEY (the Segment source's write key), in the environment")
  return {
    kind: 'segment',
    writeKey: config.segmentWriteKey,
    host: config.segmentHost ?? DEFAULT_SEGMENT_HOST,
    dataDir: config.dataDir
  }
}

/** A whole number of at least `min`, or any number above `min`. */
function positive(option: string, text: string, integer: boolean, min = 1): number {
  const value = Number(text)
  const ok = Number.isFinite(value) && (integer ? Number.isInteger(value) && value >= min : value > min)
  if (!ok) {
    const wanted = integer ? `a whole number of at least ${min}` : `a number above ${min}`
    throw new UsageError(`${option} needs ${wanted}, found ${JSON.stringify(text)}`)
  }
  return value
}
