// Shared set-up for the destination function's tests: the BUILT file (built here when it is
// missing or older than its sources), loaded in the Segment Functions sandbox with the
// destination globals, and a local stand-in for LaunchDarkly's event ingestion API.

import { existsSync, readdirSync, statSync } from 'node:fs'
import type { IncomingHttpHeaders } from 'node:http'
import path from 'node:path'
import { InvocationResult, loadFunctionFile, SandboxOptions, FunctionHandle } from '../../../runtime/sandbox/instance'
import { buildDestinationFunction } from '../../../scripts/build'
import { standIn } from '../../stand-in'

const ROOT = path.resolve(__dirname, '..', '..', '..')
export const BUILT = path.join(ROOT, 'dist', 'destinations', 'launchdarkly-events.js')
export const BUILT_SETTINGS = path.join(ROOT, 'dist', 'destinations', 'launchdarkly-events.settings.json')

/** What the build reads: both destination folders, the source function's Segment glue and the core module. */
function newestSourceTime(): number {
  const dirs = [
    'destinations/launchdarkly-events-function',
    'destinations/launchdarkly-events',
    'sources/launchdarkly',
    'shared'
  ]
  return Math.max(
    ...dirs.flatMap((dir) =>
      readdirSync(path.join(ROOT, dir))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => statSync(path.join(ROOT, dir, f)).mtimeMs)
    )
  )
}

/** `npm test` builds first (pretest); a bare `npx jest` still runs the current code. */
export async function ensureBuilt(): Promise<void> {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < newestSourceTime()) await buildDestinationFunction()
}

/** A cold start of the built destination function, with only the globals Segment gives one. */
export async function loadDestination(options: SandboxOptions = {}): Promise<FunctionHandle> {
  await ensureBuilt()
  return loadFunctionFile(BUILT, { kind: 'destination', ...options })
}

export function failure(result: InvocationResult): { name: string; message: string } {
  if (result.ok) throw new Error(`expected a failed invocation, got ${JSON.stringify(result.returned).slice(0, 500)}`)
  return result.error
}

export function returned(result: InvocationResult): unknown {
  if (!result.ok) throw new Error(`expected success, got ${result.error.name}: ${result.error.message}`)
  return result.returned
}

export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  /** The parsed JSON body. */
  readonly body: unknown
  readonly bytes: number
}

export interface Reply {
  readonly status: number
  readonly body?: string
  readonly headers?: Record<string, string>
  /** Never answer (the function's time limit is tested with this). */
  readonly hang?: boolean
}

export interface LaunchDarklyStandIn {
  readonly url: string
  readonly received: Received[]
  /** How the next requests are answered; `reply` sees each request. */
  answer(reply: (request: Received, index: number) => Reply): void
  close(): Promise<void>
}

/** LaunchDarkly's event ingestion API on 127.0.0.1: records every request, answers 202 unless told otherwise. */
export async function launchDarklyStandIn(): Promise<LaunchDarklyStandIn> {
  const received: Received[] = []
  let reply: (request: Received, index: number) => Reply = () => ({ status: 202 })
  const stand = await standIn((req) => {
    const request = {
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: parsed(req.body),
      bytes: req.bytes
    }
    received.push(request)
    const answer = reply(request, received.length - 1)
    return answer.hang ? 'hold' : { status: answer.status, body: answer.body ?? '', headers: answer.headers ?? {} }
  })
  return {
    url: stand.url,
    received,
    answer(next) {
      reply = next
    },
    close: stand.close
  }
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
