// Runs a *built* Segment function (`dist/sources/launchdarkly.js`,
// `dist/destinations/launchdarkly-events.js`) the way Segment would: for the tests, the
// relay (`npm start`) and the benchmark. The script is evaluated once per `loadFunction`
// in a fresh `node:vm` context holding exactly Segment's globals (globals.ts). Module
// state survives between invocations of one FunctionHandle (a warm runtime); a new
// `loadFunction` is a cold start. A destination function gets the same globals but `Segment`.
//
// We run the bundle in a sandbox rather than importing `onRequest` for fidelity: what is
// tested is the very file users paste into Segment, under its globals and time limit.
// A vm context is not a security boundary (host objects such as `crypto` lead back to the
// host realm through `.constructor`): it checks what the code *uses*, nothing more.

import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import * as vm from 'node:vm'
import { FUNCTION_TIMEOUT_MS } from '../../shared'
import type { FunctionCache } from '../../shared'
import { messageOf } from './calls'
import type { RecordedCall } from './calls'
import { createFunctionContext, InstanceState } from './globals'
import type { Prelude } from './globals'

/** `request.url` when the caller gives none; relative URLs (an HTTP request's path) resolve against it. */
const DEFAULT_REQUEST_URL = 'http://127.0.0.1/'

/** An incoming delivery. Header values may come straight from node's `IncomingHttpHeaders`. */
export interface Delivery {
  body: string
  headers?: Record<string, string | string[] | undefined>
  url?: string
}

export type FunctionSettings = Record<string, unknown>

interface InvocationError {
  /** The thrown error's `name`: a SegmentErrorName, 'Error', 'TypeError', ..., or 'Timeout'. */
  name: string
  message: string
  /** What became of each event when the error carries the delivery's summary (NothingExported), as JSON. */
  summary?: unknown
}

interface InvocationReport {
  calls: RecordedCall[]
  /** Console output of this invocation (plus any written outside one since the last). */
  logs: string[]
  durationMs: number
}

export type InvocationResult =
  /** `returned`: what onRequest resolved to, as JSON (Segment ignores it; the local runtime shows it). */
  ({ ok: true; returned: unknown } & InvocationReport) | ({ ok: false; error: InvocationError } & InvocationReport)

export interface SandboxConsole {
  log(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
  debug(...args: unknown[]): void
}

export interface SandboxOptions {
  /** The function's `fetch`; default: the host's global `fetch`, looked up per call so nock (installed later) still intercepts it. */
  fetch?: typeof fetch
  /** Also receives every console line; logs are recorded per invocation either way. */
  console?: Partial<SandboxConsole>
  /** Per-invocation limit (default 5000 ms, Segment's). */
  timeoutMs?: number
  /** Clock for `cache.load` TTLs (default `Date.now`), injectable so tests can age entries. */
  now?: () => number
  /** File name shown in stack traces of the function's code. */
  filename?: string
  /** The `cache` global; default: one of its own (a pool of instances may share one). */
  cache?: FunctionCache
  /**
   * Default true: vm's watchdog stops a busy loop in onRequest's synchronous part. It
   * starts a thread per invocation (most of an invocation's cost under load); the relay,
   * running the tested built function, turns it off. The timeout still bounds the rest.
   */
  stopSyncLoops?: boolean
  /** A source function (`onRequest`, the `Segment` global; the default) or a destination function (`onTrack`, ...). */
  kind?: FunctionKind
  /**
   * Whether `request` has `text()` (default true, as in Segment's reference runtime); false
   * gives only what Segment documents: `json()`, `headers`, `url`.
   */
  requestText?: boolean
}

type FunctionKind = 'source' | 'destination'

/** The handler Segment calls on a destination function for each message type; a missing one means EventNotSupported. */
export const HANDLER_OF_TYPE: Readonly<Record<string, string>> = {
  track: 'onTrack',
  page: 'onPage',
  identify: 'onIdentify',
  screen: 'onScreen',
  group: 'onGroup',
  alias: 'onAlias',
  delete: 'onDelete'
}

/** Every handler a destination function may define: one per message type, and onBatch. */
const DESTINATION_HANDLERS = [...Object.values(HANDLER_OF_TYPE), 'onBatch']

export interface FunctionHandle {
  /**
   * Runs `onRequest(request, settings)`. Never rejects for the function's own errors: they
   * come back as `{ok: false, error}`. Invocations of one handle run one at a time,
   * like one warm Segment instance; load several for concurrency (pool.ts).
   */
  invoke(request: Delivery, settings: FunctionSettings): Promise<InvocationResult>
  /**
   * Runs the top-level `handler` with `args` (copied into the function's realm as JSON),
   * as Segment calls a destination function's handlers; EventNotSupported when the code
   * defines no such handler.
   */
  call(handler: string, args: readonly unknown[]): Promise<InvocationResult>
}

/** The `name` of a thrown value, realm-independent (`instanceof` fails across vm contexts). */
function errorName(err: unknown): string {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined
  return typeof name === 'string' && name !== '' ? name : 'Error'
}

/** Reads and loads a built function file (e.g. `dist/sources/launchdarkly.js`). */
export function loadFunctionFile(path: string, options: SandboxOptions = {}): FunctionHandle {
  return loadFunction(readFileSync(path, 'utf8'), { filename: path, ...options })
}

/**
 * Evaluates `code` in a fresh context (throws if it does not compile, throws at top level,
 * or defines no `onRequest`, or for a destination function none of its handlers) and
 * returns a handle to invoke it.
 */
export function loadFunction(code: string, options: SandboxOptions = {}): FunctionHandle {
  const timeoutMs = options.timeoutMs ?? FUNCTION_TIMEOUT_MS
  const script = new vm.Script(code, { filename: options.filename ?? 'function.js' })
  const boot = (): WarmInstance => createInstance(script, options, timeoutMs)
  let instance = boot()
  // Chain of invocations, so each one owns the instance's Segment/console recorders.
  let tail: Promise<unknown> = Promise.resolve()

  const run = async (invocation: (warm: WarmInstance) => Promise<InvocationResult>): Promise<InvocationResult> => {
    const result = await invocation(instance)
    // Like Lambda, a timed-out instance is thrown away: its stray continuations must not
    // record into later invocations, and the next delivery gets a cold start.
    if (!result.ok && result.error.name === 'Timeout') {
      instance.dispose()
      instance = boot()
    }
    return result
  }
  const queued = (invocation: (warm: WarmInstance) => Promise<InvocationResult>): Promise<InvocationResult> => {
    const result = tail.then(() => run(invocation))
    tail = result.catch(() => undefined)
    return result
  }

  return {
    invoke: (request, settings) => queued((warm) => warm.invoke(request, settings)),
    call: (handler, args) => queued((warm) => warm.call(handler, args))
  }
}

/** One evaluated copy of the script: a warm instance. */
interface WarmInstance {
  invoke(request: Delivery, settings: FunctionSettings): Promise<InvocationResult>
  call(handler: string, args: readonly unknown[]): Promise<InvocationResult>
  dispose(): void
}

/**
 * Where the guarded call finds its thunk on the context's global, only while its
 * synchronous part runs: a symbol, so no global name appears.
 */
const CALL_KEY = 'segment-sandbox-call'
/**
 * Calling through a Script lets vm's own `timeout` stop a synchronous busy loop (a plain
 * host call could not). After the first `await`, only the race below bounds the time: a
 * busy loop there would block the host too, a vm limitation.
 */
const GUARDED_CALL = new vm.Script(`globalThis[Symbol.for(${JSON.stringify(CALL_KEY)})]()`, {
  filename: 'segment-functions-invoke.js'
})

function createInstance(script: vm.Script, options: SandboxOptions, timeoutMs: number): WarmInstance {
  const kind = options.kind ?? 'source'
  const state = new InstanceState()
  const { context, prelude } = createFunctionContext(options, state)
  // A top-level infinite loop should fail the load, not hang it.
  script.runInContext(context, { timeout: timeoutMs })
  const defines = (handler: string): boolean =>
    vm.runInContext(`typeof globalThis[${JSON.stringify(handler)}]`, context) === 'function'
  if (kind === 'source' && !defines('onRequest')) {
    throw new Error('The function code does not define a top-level onRequest(request, settings)')
  }
  if (kind === 'destination' && !DESTINATION_HANDLERS.some(defines)) {
    throw new Error(`The function code defines none of the handlers ${DESTINATION_HANDLERS.join(', ')}`)
  }

  const invoke = (request: Delivery, settings: FunctionSettings): Promise<InvocationResult> => {
    // Built before the clock starts: a bad URL or header here is the caller's bug, so it rejects.
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item)
    }
    // Host URL class, the same one the function sees as the global `URL`.
    const url = new URL(request.url ?? '/', DEFAULT_REQUEST_URL)
    const req = prelude.makeRequest(request.body, headers, url, options.requestText ?? true)
    // A fresh copy per invocation, in the context's realm: the function may mutate it freely.
    return execute('onRequest', [req, prelude.parseJson(JSON.stringify(settings))])
  }

  const call = async (handler: string, args: readonly unknown[]): Promise<InvocationResult> => {
    if (!defines(handler)) {
      // What Segment answers for a message type the function has no handler for.
      const error = { name: 'EventNotSupported', message: `${handler} is not defined in the function` }
      return { ok: false, error, calls: [], logs: [], durationMs: 0 }
    }
    return execute(handler, prelude.parseJson(JSON.stringify(args)) as unknown[])
  }

  const execute = (handler: string, args: readonly unknown[]): Promise<InvocationResult> =>
    runHandler({ context, prelude, state, options, timeoutMs }, handler, args)

  return {
    invoke,
    call,
    dispose() {
      state.disposed = true
      state.clearTimers()
    }
  }
}

/** What running one handler needs of its warm instance. */
interface InstanceParts {
  context: vm.Context
  prelude: Prelude
  state: InstanceState
  options: SandboxOptions
  timeoutMs: number
}

/** Runs `handler(...args)` in the instance, within the time limit; never rejects. */
async function runHandler(
  { context, prelude, state, options, timeoutMs }: InstanceParts,
  handler: string,
  args: readonly unknown[]
): Promise<InvocationResult> {
  const invocation = state.begin()
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  let error: InvocationError | undefined
  let returned: unknown
  try {
    let pending: unknown
    if (options.stopSyncLoops === false) pending = prelude.call(handler, args)
    else {
      const key = Symbol.for(CALL_KEY)
      Object.defineProperty(context, key, { value: () => prelude.call(handler, args), configurable: true })
      try {
        pending = GUARDED_CALL.runInContext(context, { timeout: timeoutMs })
      } finally {
        delete (context as Record<symbol, unknown>)[key]
      }
    }
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutSignal()), Math.max(0, timeoutMs - (performance.now() - started)))
    })
    returned = await Promise.race([pending, timedOut])
  } catch (err) {
    error =
      err instanceof TimeoutSignal || (err as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
        ? { name: 'Timeout', message: `Function timed out after ${timeoutMs} ms` }
        : { name: errorName(err), message: messageOf(err), ...summaryOf(err) }
  } finally {
    clearTimeout(timer)
    state.end()
  }
  const report = { calls: invocation.calls, logs: invocation.logs, durationMs: performance.now() - started }
  return error ? { ok: false, error, ...report } : { ok: true, returned: jsonCopy(returned), ...report }
}

/** Host-side marker for the timeout race, told apart from anything the function throws. */
class TimeoutSignal extends Error {}

function summaryOf(err: unknown): Pick<InvocationError, 'summary'> {
  const summary = typeof err === 'object' && err !== null ? (err as { summary?: unknown }).summary : undefined
  return summary === undefined ? {} : { summary: jsonCopy(summary) }
}

function jsonCopy(value: unknown): unknown {
  try {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
  } catch {
    return undefined
  }
}
