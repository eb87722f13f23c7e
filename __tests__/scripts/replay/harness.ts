// A replay run in process, as the CLI runs it, and what the built source function gives
// for the same input: the reference every replay test compares with.

import { readFileSync } from 'node:fs'
import { loadFunctionFile } from '../../../runtime/sandbox/instance'
import { exitCodeOf } from '../../../scripts/replay'
import { parseCli } from '../../../scripts/replay/options'
import type { RetryPolicy } from '../../../scripts/replay/retry'
import { replay } from '../../../scripts/replay/run'
import type { ReplaySummary } from '../../../scripts/replay/summary'
import { asLine, BUILT_FUNCTION } from './stand-in'

export const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }
export const ENV = { LD_PROJECT_ID: 'proj-1', LD_ENVIRONMENT_ID: 'env-1' }

export interface Run {
  summary: ReplaySummary
  code: number
  stderr: string
}

export interface RunTweaks {
  readonly progressIntervalMs?: number
  /** Instead of the CLI's retry policy: shorter backoff for tests. */
  readonly retry?: RetryPolicy
  readonly signal?: AbortSignal
}

export async function run(args: string[], env: NodeJS.ProcessEnv = ENV, tweaks: RunTweaks = {}): Promise<Run> {
  const cli = parseCli(args, env)
  if (!cli) throw new Error('help')
  let stderr = ''
  const stream = { isTTY: false, write: (text: string) => (stderr += text) } as unknown as NodeJS.WriteStream
  const options = tweaks.retry ? { ...cli.options, retry: tweaks.retry } : cli.options
  const summary = await replay(options, {
    stderr: stream,
    progressIntervalMs: tweaks.progressIntervalMs,
    signal: tweaks.signal
  })
  return { summary, code: exitCodeOf(summary), stderr }
}

export const readLines = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

/** The calls the built function emits for `body`, as `{type, ...message}`. */
export async function functionCalls(
  body: string,
  settings: Record<string, unknown> = SETTINGS
): Promise<Array<Record<string, unknown>>> {
  const result = await loadFunctionFile(BUILT_FUNCTION).invoke({ body }, settings)
  if (!result.ok) throw new Error(result.error.message)
  return result.calls.map(asLine)
}
