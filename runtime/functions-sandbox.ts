/**
 * A local stand-in for Segment's Functions runtime, used by the tests, the local HTTP
 * runtime (`npm start`) and the benchmark to run the *built* functions
 * (`dist/sources/launchdarkly.js`, `dist/destinations/launchdarkly-events.js`) the way
 * Segment would. A destination function gets the same globals but `Segment`.
 *
 * The script is evaluated once per `loadFunction` in a fresh `node:vm` context holding
 * exactly the globals design §4.2 lists, so a built file that reaches for `require`,
 * `process` or `Buffer` fails here as it would in Segment. Module state survives between
 * invocations of one FunctionHandle (a warm runtime); a new `loadFunction` is a cold start.
 *
 * A vm context is not a security boundary (host objects such as `crypto` lead back to the
 * host realm through `.constructor`): it checks what the code *uses*, nothing more.
 */
import { readFileSync } from 'node:fs'
import * as nodeCrypto from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { format } from 'node:util'
import * as vm from 'node:vm'
import { FUNCTION_TIMEOUT_MS, MAX_MESSAGE_BYTES, SEGMENT_CALL_TYPES, SEGMENT_ERROR_NAMES, ttlCache } from '../shared'
import type { FunctionCache, FunctionRequest, SegmentCallType, SegmentErrorName } from '../shared'
/** `request.url` when the caller gives none; relative URLs (an HTTP request's path) resolve against it. */
export const DEFAULT_REQUEST_URL = 'http://127.0.0.1/'

export interface RecordedCall {
  type: SegmentCallType
  /**
   * A deep (JSON) copy of what the function passed, so later mutation cannot change it:
   * parsed from `json` when first read (the sinks write the text; most calls are never read).
   */
  readonly message: Record<string, unknown>
  /** The message's JSON text, as checked (not an own property): writing it out needs no second stringify. */
  readonly json?: string
  /** A track call's `event`, as checked (not an own property): counting calls by event needs no parse. */
  readonly event?: string
}

/** A call as recorded: its message is parsed from the checked text only when read. */
class SegmentCall implements RecordedCall {
  readonly type: SegmentCallType
  declare readonly message: Record<string, unknown>
  readonly #json: string
  readonly #event: string | undefined
  #message: Record<string, unknown> | undefined

  /** One getter for every call (a getter per call, or defineProperties, costs as much as the parse). */
  static readonly #MESSAGE: PropertyDescriptor = {
    get(this: SegmentCall): Record<string, unknown> {
      return (this.#message ??= JSON.parse(this.#json) as Record<string, unknown>)
    },
    enumerable: true,
    configurable: true
  }

  constructor(type: SegmentCallType, json: string, event: string | undefined) {
    this.type = type
    this.#json = json
    this.#event = event
    // Own and enumerable, as on a plain object: a call compares and serialises as {type, message}.
    Object.defineProperty(this, 'message', SegmentCall.#MESSAGE)
  }

  get json(): string {
    return this.#json
  }

  get event(): string | undefined {
    return this.#event
  }
}

/** An incoming delivery. Header values may come straight from node's `IncomingHttpHeaders`. */
export interface Delivery {
  body: string
  headers?: Record<string, string | string[] | undefined>
  url?: string
}

export type FunctionSettings = Record<string, unknown>

export interface InvocationError {
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

export type FunctionKind = 'source' | 'destination'

/** The handlers Segment calls on a destination function; a missing one means EventNotSupported. */
export const DESTINATION_HANDLERS = [
  'onTrack',
  'onPage',
  'onIdentify',
  'onScreen',
  'onGroup',
  'onAlias',
  'onDelete',
  'onBatch'
]

export interface FunctionHandle {
  /**
   * Runs `onRequest(request, settings)`. Never rejects for the function's own errors: they
   * come back as `{ok: false, error}`. Invocations of one handle run one at a time,
   * like one warm Segment instance; load several for concurrency (function-pool.ts).
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
export function errorName(err: unknown): string {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined
  return typeof name === 'string' && name !== '' ? name : 'Error'
}

/** Whether `err` is one of Segment's error classes (any of them, or the one named). */
export function isSegmentError(err: unknown, name?: SegmentErrorName): boolean {
  const actual = errorName(err)
  return name === undefined ? (SEGMENT_ERROR_NAMES as readonly string[]).includes(actual) : actual === name
}

/**
 * The HTTP status the local runtime answers with for a result (design §6): an error that
 * is none of Segment's classes is a bug, answered 503 as Segment retries it.
 */
export function httpStatusFor(result: InvocationResult): 202 | 400 | 401 | 503 {
  if (result.ok) return 202
  switch (result.error.name) {
    case 'InvalidEventPayload':
    case 'EventNotSupported':
      return 400
    case 'ValidationError':
      return 401
    default:
      return 503
  }
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

/** Runs in every new context before the function: what must belong to the context's realm. */
const PRELUDE = new vm.Script(
  `(() => {
    'use strict';
    // Segment's error classes extend the context's Error, so the function's
    // 'instanceof Error' holds and the name shows in String(err) and stacks.
    class EventNotSupported extends Error {}
    class InvalidEventPayload extends Error {}
    class ValidationError extends Error {}
    class RetryError extends Error {}
    for (const cls of [EventNotSupported, InvalidEventPayload, ValidationError, RetryError]) {
      Object.defineProperty(cls.prototype, 'name', { value: cls.name, writable: true, configurable: true });
      // Configurable, so a script declaring its own class of that name still loads.
      Object.defineProperty(globalThis, cls.name, { value: cls, writable: true, configurable: true });
    }
    return {
      // request.json() rejects with the context's SyntaxError, as Segment's would.
      makeRequest: (body, headers, url, withText) => {
        const request = { headers, url, async json() { return JSON.parse(body); } };
        if (withText) request.text = async () => body;
        return request;
      },
      parseJson: (text) => JSON.parse(text),
      makeError: (message) => new Error(message),
      call: (handler, args) => globalThis[handler](...args),
    };
  })()`,
  { filename: 'segment-functions-prelude.js' }
)

/** Hooks into the context that the prelude returns (never visible to the function). */
interface Prelude {
  makeRequest(body: string, headers: Headers, url: URL, withText: boolean): FunctionRequest
  parseJson(text: string): unknown
  makeError(message: string): Error
  /** Calls the top-level `handler`: what Segment calls. */
  call(handler: string, args: readonly unknown[]): unknown
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

interface Invocation {
  calls: RecordedCall[]
  logs: string[]
}

function createInstance(script: vm.Script, options: SandboxOptions, timeoutMs: number): WarmInstance {
  const now = options.now ?? Date.now
  const kind = options.kind ?? 'source'
  const sink = options.console
  let current: Invocation | undefined
  let disposed = false
  // Logs written outside an invocation (top level at load, stray callbacks) go with the next one.
  let pendingLogs: string[] = []
  // Segment freezes an instance between invocations; pending host timers would instead
  // fire into the next invocation and keep the host process (jest, bench) alive.
  const timers = new Set<NodeJS.Timeout>()
  const clearTimers = (): void => {
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
  }

  const writer =
    (level: keyof SandboxConsole) =>
    (...args: unknown[]): void => {
      ;(current ? current.logs : pendingLogs).push(format(...args))
      sink?.[level]?.(...args)
    }

  const segment = {
    Segment: Object.fromEntries(
      SEGMENT_CALL_TYPES.map((type) => [
        type,
        (message: unknown): void => {
          // Errors for the function to catch belong to its realm (prelude is set before any call).
          if (!current)
            throw prelude.makeError(`Segment.${type}: called outside an invocation (was a promise left un-awaited?)`)
          const checked = checkMessage(type, message)
          if ('problem' in checked) throw prelude.makeError(`Segment.${type}: ${checked.problem}`)
          const event = type === 'track' ? (message as { event: string }).event : undefined
          current.calls.push(new SegmentCall(type, checked.json, event))
        }
      ])
    )
  }
  const globals: Record<string, unknown> = {
    // Only source functions emit Segment calls.
    ...(kind === 'source' ? segment : {}),
    fetch:
      options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => fetch(input, init)),
    crypto: nodeCrypto,
    cache: options.cache ?? ttlCache(now),
    console: {
      log: writer('log'),
      info: writer('info'),
      warn: writer('warn'),
      error: writer('error'),
      debug: writer('debug')
    },
    atob,
    btoa,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    setTimeout: (
      callback: (...args: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ): NodeJS.Timeout | undefined => {
      // A discarded (timed-out) instance schedules nothing more.
      if (disposed) return undefined
      const timer = setTimeout(() => {
        timers.delete(timer)
        callback(...args)
      }, ms)
      timers.add(timer)
      return timer
    },
    clearTimeout: (timer: NodeJS.Timeout | undefined): void => {
      if (timer === undefined) return
      timers.delete(timer)
      clearTimeout(timer)
    }
  }

  // An ordinary global object where Node has one (DONT_CONTEXTIFY, Node ≥ 20.18): a
  // contextified one answers every global read (`Object`, `JSON`, `Array`) through a C++
  // interceptor, which doubled the cost of a conversion. The globals are the same either way.
  const context = vm.createContext(vm.constants?.DONT_CONTEXTIFY ?? {}, { name: 'segment-function' })
  Object.assign(context, globals)
  const prelude = PRELUDE.runInContext(context) as Prelude
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

  const execute = async (handler: string, args: readonly unknown[]): Promise<InvocationResult> => {
    const invocation: Invocation = { calls: [], logs: pendingLogs }
    pendingLogs = []
    current = invocation
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
      clearTimers()
      current = undefined
    }
    const report = { calls: invocation.calls, logs: invocation.logs, durationMs: performance.now() - started }
    return error ? { ok: false, error, ...report } : { ok: true, returned: jsonCopy(returned), ...report }
  }

  return {
    invoke,
    call,
    dispose() {
      disposed = true
      clearTimers()
    }
  }
}

/** Host-side marker for the timeout race, told apart from anything the function throws. */
class TimeoutSignal extends Error {}

function summaryOf(err: unknown): Pick<InvocationError, 'summary'> {
  const summary = typeof err === 'object' && err !== null ? (err as { summary?: unknown }).summary : undefined
  return summary === undefined ? {} : { summary: jsonCopy(summary) }
}

function messageOf(err: unknown): string {
  const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined
  return typeof message === 'string' ? message : String(err)
}

/** Why Segment would reject this message, or its JSON when it accepts it. */
function checkMessage(type: SegmentCallType, message: unknown): { problem: string } | { json: string } {
  const problem = problemOf(type, message)
  if (problem !== undefined) return { problem }
  let json: string
  try {
    json = JSON.stringify(message)
  } catch (err) {
    return { problem: `the message is not serializable as JSON (${messageOf(err)})` }
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only a long text is counted byte by byte.
  const bytes = json.length * 3 <= MAX_MESSAGE_BYTES ? json.length : Buffer.byteLength(json, 'utf8')
  if (bytes > MAX_MESSAGE_BYTES)
    return {
      problem: `the message is ${bytes} bytes of JSON, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes (32 KB)`
    }
  return { json }
}

function problemOf(type: SegmentCallType, message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'the message must be an object'
  const m = message as Record<string, unknown>
  const has = (key: string): boolean => m[key] !== undefined && m[key] !== null && m[key] !== ''
  if (type === 'alias') {
    if (!has('userId') || !has('previousId')) return 'userId and previousId are required'
  } else if (!has('userId') && !has('anonymousId')) {
    return 'userId or anonymousId is required'
  }
  if (type === 'track' && (typeof m.event !== 'string' || m.event === '')) return 'event must be a non-empty string'
  return undefined
}

function jsonCopy(value: unknown): unknown {
  try {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
  } catch {
    return undefined
  }
}
