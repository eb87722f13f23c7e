// Shared set-up for the source function's tests: the BUILT file (built here when it is
// missing or older than its sources), loaded in the Segment Functions sandbox, and a
// network that only reaches 127.0.0.1 and nock.

import { createHash } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import nock from 'nock'
import { InvocationResult, loadFunctionFile, SandboxOptions, FunctionHandle } from '../../../runtime/sandbox/instance'
import { buildSource } from '../../../scripts/build'

const ROOT = path.resolve(__dirname, '..', '..', '..')
export const BUILT = path.join(ROOT, 'dist', 'sources', 'launchdarkly.js')
export const BUILT_SETTINGS = path.join(ROOT, 'dist', 'sources', 'launchdarkly.settings.json')

/** What the build reads: the function's sources and the core module. */
function newestSourceTime(): number {
  const dirs = ['sources/launchdarkly', 'segment-functions', 'shared', 'shared/lib'].map((dir) => path.join(ROOT, dir))
  const times = dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => statSync(path.join(dir, f)).mtimeMs)
  )
  return Math.max(...times)
}

/** `npm test` builds first (pretest); a bare `npx jest` still runs the current code. */
export async function ensureBuilt(): Promise<void> {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < newestSourceTime()) await buildSource()
}

/** A cold start of the built function: a fresh sandbox, empty module state and cache. */
export async function loadSource(options: SandboxOptions = {}): Promise<FunctionHandle> {
  await ensureBuilt()
  return loadFunctionFile(BUILT, options)
}

/** The settings most tests use: SDK batches carry no project or environment of their own. */
export const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }

/** The failure's class and message (a NothingExported failure's summary is tested on its own). */
export function failure(result: InvocationResult): { name: string; message: string } {
  if (result.ok) throw new Error(`expected a failed invocation, got ${JSON.stringify(result.calls).slice(0, 500)}`)
  return { name: result.error.name, message: result.error.message }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** design §3.9: `ld-` + the first 32 hex characters of SHA-256. */
export function messageIdOf(text: string): string {
  return 'ld-' + sha256Hex(text).slice(0, 32)
}

/** Registers jest hooks: no request leaves the machine; nock mocks are per test. */
export function useLocalNetworkOnly(): void {
  beforeAll(() => {
    nock.disableNetConnect()
    nock.enableNetConnect('127.0.0.1')
  })
  afterEach(() => {
    nock.abortPendingRequests()
    nock.cleanAll()
  })
  afterAll(() => {
    nock.enableNetConnect()
    nock.restore()
  })
}
