// How a schema property's value converts from a LaunchDarkly event to a Segment message.
// schema.ts names one of these per property; the way back (Segment → LaunchDarkly) is in
// schema-reverse.ts. Nothing else converts values.

import { abs, floor, isInteger, NativeDate } from './lib/builtins'
import { ContextKeys } from './contexts'
import { EventRejection } from './errors'
import { describe, isFiniteNumber, isObject, JsonObject, MAX_DEPTH, nestedDeeperThan, own } from './lib/json'

/** What the forward direction knows about one event besides its own fields. */
export interface SourceEvent {
  readonly raw: JsonObject
  readonly environment: string
  readonly project: string
  readonly contextKeys: ContextKeys
  /** The Data Export record's `version`, else the export schema's (schema.ts). */
  readonly schemaVersion: number
  readonly includeCustomData: boolean
  /** Looked up from the REST API by the source function, when configured (design §3.6). */
  readonly variationName?: string
}

/** LaunchDarkly → Segment; `undefined` omits the property. May throw EventRejection. */
export type Conversion = (ldValue: unknown, event: SourceEvent) => unknown

export type CheckedType = 'string' | 'integer' | 'number' | 'boolean' | 'object'
const checks: Record<CheckedType, (value: unknown) => boolean> = {
  string: (v: unknown) => typeof v === 'string',
  integer: (v: unknown) => isInteger(v) && (v as number) >= 0,
  number: isFiniteNumber,
  boolean: (v: unknown) => typeof v === 'boolean',
  object: isObject
}
const expected: Record<CheckedType, string> = {
  string: 'a string',
  integer: 'a non-negative integer',
  number: 'a finite number',
  boolean: 'a boolean',
  object: 'an object'
}

export function absent(value: unknown): value is null | undefined {
  return value === undefined || value === null
}

/**
 * A field copied as is, omitted when absent (null counts as absent), refused with
 * `error` when present with the wrong type. The rule of both directions.
 */
export function checkedCopy(
  value: unknown,
  type: CheckedType,
  name: string,
  error: new (message: string) => Error
): unknown {
  if (absent(value)) return undefined
  if (!checks[type](value)) throw new error(`${name} must be ${expected[type]}, found ${describe(value)}`)
  return value
}

/** Like checkedCopy, but absent is refused too. */
export function requiredValue(
  value: unknown,
  type: CheckedType,
  name: string,
  what: string,
  error: new (message: string) => Error
): unknown {
  if (checks[type](value) && value !== '') return value
  const wanted = expected[type] === 'a string' ? 'a non-empty string' : expected[type]
  throw new error(`${name} (${what}) must be ${wanted}, found ${describe(value)}`)
}

/** The forward half of checkedCopy. */
export function optional(type: CheckedType, name: string): Conversion {
  return (value) => checkedCopy(value, type, name, EventRejection)
}

/** The forward half of requiredValue: an event without it is rejected. */
export function required(type: CheckedType, name: string, what: string): Conversion {
  return (value) => requiredValue(value, type, name, what, EventRejection)
}

/**
 * Values copied whole (a flag's value, custom data) are refused when nested deeper than
 * MAX_DEPTH: JSON.stringify, which Segment and every HTTP client run on them, recurses
 * and would overflow the stack, failing the whole delivery instead of this one event.
 * (Events without an id are already held to this by canonicalJson; records are not.)
 */
export function shallowEnough<T>(value: T, name: string, error: new (message: string) => Error): T {
  if (nestedDeeperThan(value, MAX_DEPTH)) throw new error(`${name} is nested more than ${MAX_DEPTH} levels deep`)
  return value
}

/** Any JSON value; absent becomes null (a flag can serve null). */
export function anyJson(name: string): Conversion {
  return (value) => (value === undefined ? null : shallowEnough(value, name, EventRejection))
}

/** A number kept only when finite (0 included); anything else is dropped, never rejected. */
export const finiteOrOmitted: Conversion = (value) => (isFiniteNumber(value) ? value : undefined)

// The last second formatted, remembered (a module-level memo: see shared/index.ts): an
// SDK flushes events in bursts, so neighbours in a batch share their second and only the
// milliseconds differ; Date#toISOString was the costliest step of a feature event.
let lastSecond = NaN
let lastPrefix = ''
/** The largest epoch milliseconds a Date holds (ECMAScript's time value range). */
const MAX_DATE_MILLIS = 8.64e15
const MILLIS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0') + 'Z')

/** LaunchDarkly's creationDate as ISO-8601; throws EventRejection when it is not a date. */
export function isoFromEpochMillis(value: unknown): string {
  // Integers in Date's range only: Date truncates fractions toward zero, which flooring
  // would not match, and the second before its end is followed by invalid dates.
  if (isInteger(value) && abs(value as number) <= MAX_DATE_MILLIS) {
    const second = floor((value as number) / 1000)
    if (second === lastSecond) return lastPrefix + MILLIS[(value as number) - second * 1000]
  }
  const date = isFiniteNumber(value) ? new NativeDate(value) : undefined
  if (!date || !isFiniteNumber(date.getTime())) {
    throw new EventRejection(`creationDate must be epoch milliseconds, found ${describe(value)}`)
  }
  const iso = date.toISOString()
  if (isInteger(value)) {
    lastSecond = floor((value as number) / 1000)
    // Every toISOString ends in ".mmmZ", whatever the year's width.
    lastPrefix = iso.slice(0, -4)
  }
  return iso
}

/** Export-only values that come from outside the event's own fields. */
export function fromSource(pick: (event: SourceEvent) => unknown): Conversion {
  return (_value, event) => pick(event)
}

export const contextKeys: Conversion = (_value, event) => event.contextKeys

/** Data Export records carry ids; SDK events do not. */
export const eventId: Conversion = (value) => {
  if (absent(value)) return undefined
  if (typeof value === 'string' || isFiniteNumber(value)) return '' + value
  throw new EventRejection(`id must be a string, found ${describe(value)}`)
}

export const variationName: Conversion = (value, event) =>
  typeof value === 'string' && value !== '' ? value : event.variationName

/** Always present: only an explicit `true` puts an evaluation in an experiment. */
export const inExperiment: Conversion = (value) => value === true

/**
 * Segment's `default` says whether the SDK served the application's fallback, which is
 * when the evaluation has no variation (LaunchDarkly's own `default` is the fallback
 * value itself; schema-reverse.ts turns it back).
 */
export const servedFallback: Conversion = (_value, event) => absent(own(event.raw, 'variation'))

/** Custom data leaves only with includeCustomData (LaunchDarkly's own export drops it). */
export const customData: Conversion = (value, event) =>
  event.includeCustomData && value !== undefined ? shallowEnough(value, 'data', EventRejection) : undefined
