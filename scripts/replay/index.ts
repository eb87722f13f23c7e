/**
 * `npm run replay -- [options] <file|folder|->...`: LaunchDarkly history (Data Export
 * archives, captured SDK batches, the relay's outbox and dead-letter files) converted as
 * the source function converts it and sent to an NDJSON file, a source function's webhook
 * or Segment. docs/replay.md is the user's guide.
 */
import { redact } from '../../shared'
import { ConfigError, useProxiesFromEnv } from '../../runtime'
import { secretsOf } from '../../sources/launchdarkly/settings'
import { CheckpointError } from './checkpoint'
import { InputError } from './inputs'
import { HELP, parseCli, UsageError } from './options'
import { replay, secretsOfTarget } from './run'
import { ReplaySummary, summaryText } from './summary'
import { TargetError } from './targets/target'

export const EXIT = { ok: 0, unsent: 1, usage: 2, interrupted: 130 } as const

export function exitCodeOf(summary: ReplaySummary): number {
  if (summary.interrupted) return EXIT.interrupted
  return summary.failed.count > 0 ? EXIT.unsent : EXIT.ok
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let cli
  try {
    cli = parseCli(argv, env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`replay: ${error.message}\n(npm run replay -- --help lists the options)\n`)
    return EXIT.usage
  }
  if (cli === undefined) {
    process.stdout.write(HELP + '\n')
    return EXIT.ok
  }
  const { options, json } = cli
  const secrets = [...secretsOf(options.settings), ...secretsOfTarget(options.target)]

  // Ctrl+C (or SIGTERM): stop reading, let what is in flight settle, keep the checkpoint.
  // A second Ctrl+C quits at once; the checkpoint still holds.
  const interrupt = new AbortController()
  const onSignal = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted)
    process.stderr.write('\nreplay: stopping after what is in flight (Ctrl+C again to quit now)\n')
    interrupt.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const summary = await replay(options, { stderr: process.stderr, signal: interrupt.signal })
    process.stdout.write((json ? JSON.stringify(summary) : summaryText(summary)) + '\n')
    return exitCodeOf(summary)
  } catch (error) {
    if (error instanceof InputError || error instanceof TargetError || error instanceof CheckpointError) {
      process.stderr.write(`replay: ${redact(error.message, secrets)}\n`)
      return EXIT.usage
    }
    // A bug: what is acknowledged is checkpointed, so a rerun with --resume goes on from there.
    process.stderr.write(`replay: unexpected error: ${redact((error as Error).stack ?? String(error), secrets)}\n`)
    return EXIT.unsent
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

if (require.main === module) {
  // `npm run` starts scripts in the project folder; paths on the command line are the user's,
  // relative to where they typed it (npm passes that folder as INIT_CWD).
  if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD)
  // Node's fetch reads no proxy variables: HTTPS_PROXY, HTTP_PROXY and NO_PROXY as the relay honours them.
  try {
    useProxiesFromEnv(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`replay: ${error.message}\n`)
    process.exit(EXIT.usage)
  }
  void main(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code
  })
}
