// What a function's `node:vm` context holds (design §4.2): exactly the globals Segment's
// runtime provides, so a built file that reaches for `require`, `process` or `Buffer`
// fails here as it would in Segment. The `Segment` recorder and `console` write into the
// invocation under way; host timers are tracked so that none outlives its invocation.

import * as nodeCrypto from 'node:crypto'
import { format } from 'node:util'
import * as vm from 'node:vm'
import { SEGMENT_CALL_TYPES, ttlCache } from '../../shared'
import type { FunctionRequest } from '../../shared'
import { checkMessage, RecordedCall, SegmentCall } from './calls'
import type { SandboxConsole, SandboxOptions } from './instance'

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
export interface Prelude {
  makeRequest(body: string, headers: Headers, url: URL, withText: boolean): FunctionRequest
  parseJson(text: string): unknown
  makeError(message: string): Error
  /** Calls the top-level `handler`: what Segment calls. */
  call(handler: string, args: readonly unknown[]): unknown
}

/** What one invocation recorded. */
interface Invocation {
  calls: RecordedCall[]
  logs: string[]
}

/** One warm instance's state, which its globals write into. */
export class InstanceState {
  /** The invocation under way, if any. */
  current?: Invocation
  /** Set once the instance is thrown away (timed out): it schedules nothing more. */
  disposed = false
  // Logs written outside an invocation (top level at load, stray callbacks) go with the next one.
  private pendingLogs: string[] = []
  // Segment freezes an instance between invocations; pending host timers would instead
  // fire into the next invocation and keep the host process (jest, bench) alive.
  private readonly timers = new Set<NodeJS.Timeout>()

  begin(): Invocation {
    const invocation: Invocation = { calls: [], logs: this.pendingLogs }
    this.pendingLogs = []
    this.current = invocation
    return invocation
  }

  end(): void {
    this.clearTimers()
    this.current = undefined
  }

  log(line: string): void {
    ;(this.current ? this.current.logs : this.pendingLogs).push(line)
  }

  setTimeout(
    callback: (...args: unknown[]) => void,
    ms: number | undefined,
    args: unknown[]
  ): NodeJS.Timeout | undefined {
    if (this.disposed) return undefined
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      callback(...args)
    }, ms)
    this.timers.add(timer)
    return timer
  }

  clearTimeout(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return
    this.timers.delete(timer)
    clearTimeout(timer)
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}

/** A fresh context holding Segment's globals, and the prelude's hooks into it. */
export function createFunctionContext(
  options: SandboxOptions,
  state: InstanceState
): { context: vm.Context; prelude: Prelude } {
  // Filled in before the function can run, so the recorder's errors belong to its realm.
  const hooks: { prelude?: Prelude } = {}
  const realmError = (message: string): Error => (hooks.prelude as Prelude).makeError(message)
  const globals = {
    // Only source functions emit Segment calls.
    ...((options.kind ?? 'source') === 'source' ? { Segment: segmentRecorder(state, realmError) } : {}),
    fetch:
      options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => fetch(input, init)),
    crypto: nodeCrypto,
    cache: options.cache ?? ttlCache(options.now ?? Date.now),
    console: consoleOf(state, options.console),
    atob,
    btoa,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    setTimeout: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      state.setTimeout(callback, ms, args),
    clearTimeout: (timer: NodeJS.Timeout | undefined) => state.clearTimeout(timer)
  }
  // An ordinary global object where Node has one (DONT_CONTEXTIFY, Node ≥ 20.18): a
  // contextified one answers every global read (`Object`, `JSON`, `Array`) through a C++
  // interceptor, which doubled the cost of a conversion. The globals are the same either way.
  const context = vm.createContext(vm.constants?.DONT_CONTEXTIFY ?? {}, { name: 'segment-function' })
  Object.assign(context, globals)
  const prelude = PRELUDE.runInContext(context) as Prelude
  hooks.prelude = prelude
  return { context, prelude }
}

/** `Segment.track(…)` and friends: checked as Segment checks them, recorded on the invocation. */
function segmentRecorder(state: InstanceState, realmError: (message: string) => Error): Record<string, unknown> {
  return Object.fromEntries(
    SEGMENT_CALL_TYPES.map((type) => [
      type,
      (message: unknown): void => {
        // Errors for the function to catch belong to its realm.
        const current = state.current
        if (!current) throw realmError(`Segment.${type}: called outside an invocation (was a promise left un-awaited?)`)
        const checked = checkMessage(type, message)
        if ('problem' in checked) throw realmError(`Segment.${type}: ${checked.problem}`)
        const event = type === 'track' ? (message as { event: string }).event : undefined
        const ownType = Object.prototype.hasOwnProperty.call(message, 'type')
        current.calls.push(new SegmentCall(type, checked.json, event, ownType))
      }
    ])
  )
}

function consoleOf(state: InstanceState, sink: Partial<SandboxConsole> | undefined): SandboxConsole {
  const writer =
    (level: keyof SandboxConsole) =>
    (...args: unknown[]): void => {
      state.log(format(...args))
      sink?.[level]?.(...args)
    }
  return {
    log: writer('log'),
    info: writer('info'),
    warn: writer('warn'),
    error: writer('error'),
    debug: writer('debug')
  }
}
