// How a schema property's value crosses between a LaunchDarkly event and a Segment
// message. schema.ts names one of these per property; nothing else converts values.

import { ContextKeys, checkedContextKeys } from './contexts'
import { EventRejection, MappingError } from './errors'
import { describe, isFiniteNumber, isObject, JsonObject, MAX_DEPTH, nestedDeeperThan, own } from './lib/json'

/** What the forward direction knows about one event besides its own fields. */
export interface SourceEvent {
  readonly raw: JsonObject
  readonly environment: string
  readonly project: string
  readonly contextKeys: ContextKeys
  readonly includeCustomData: boolean
  /** Looked up from the REST API by the source function, when configured (design §3.6). */
  readonly variationName?: string
}

export interface Conversion {
  /** LaunchDarkly → Segment; `undefined` omits the property. May throw EventRejection. */
  toSegment(ldValue: unknown, event: SourceEvent): unknown
  /**
   * Segment → LaunchDarkly; `undefined` omits the field. `fields` holds every mapped
   * field, for rules that depend on another one. May throw MappingError.
   * Absent for properties that only exist in the export (environment, eventId, ...).
   */
  toLaunchDarkly?(value: unknown, fields: JsonObject): unknown
}

export type CheckedType = 'string' | 'integer' | 'number' | 'boolean' | 'object'
const checks: Record<CheckedType, (value: unknown) => boolean> = {
  string: (v: unknown) => typeof v === 'string',
  integer: (v: unknown) => Number.isInteger(v) && (v as number) >= 0,
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

function absent(value: unknown): value is null | undefined {
  return value === undefined || value === null
}

/**
 * A field copied as is in both directions, omitted when absent (null counts as absent),
 * rejected when present with the wrong type.
 */
export function optional(type: CheckedType, name: string): Conversion {
  const ok = checks[type]
  return {
    toSegment(value) {
      if (absent(value)) return undefined
      if (!ok(value)) throw new EventRejection(`${name} must be ${expected[type]}, found ${describe(value)}`)
      return value
    },
    toLaunchDarkly(value) {
      if (absent(value)) return undefined
      if (!ok(value)) throw new MappingError(`${name} must be ${expected[type]}, found ${describe(value)}`)
      return value
    }
  }
}

/** Like `optional`, but an event without it is rejected. */
export function required(type: CheckedType, name: string, what: string): Conversion {
  const ok = (v: unknown) => checks[type](v) && v !== ''
  const message = (v: unknown) =>
    `${name} (${what}) must be ${
      expected[type] === 'a string' ? 'a non-empty string' : expected[type]
    }, found ${describe(v)}`
  return {
    toSegment(value) {
      if (!ok(value)) throw new EventRejection(message(value))
      return value
    },
    toLaunchDarkly(value) {
      if (!ok(value)) throw new MappingError(message(value))
      return value
    }
  }
}

/**
 * Values copied whole (a flag's value, custom data) are refused when nested deeper than
 * MAX_DEPTH: JSON.stringify, which Segment and every HTTP client run on them, recurses
 * and would overflow the stack, failing the whole delivery instead of this one event.
 * (Events without an id are already held to this by canonicalJson; records are not.)
 */
function shallowEnough<T>(value: T, name: string, error: new (message: string) => Error): T {
  if (nestedDeeperThan(value, MAX_DEPTH)) throw new error(`${name} is nested more than ${MAX_DEPTH} levels deep`)
  return value
}

/** Any JSON value; absent becomes null (a flag can serve null). */
export function anyJson(name: string): Conversion {
  return {
    toSegment: (value) => (value === undefined ? null : shallowEnough(value, name, EventRejection)),
    toLaunchDarkly: (value) => (value === undefined ? null : shallowEnough(value, name, MappingError))
  }
}

/** A number kept only when finite (0 included); anything else is dropped, never rejected. */
export const finiteOrOmitted: Conversion = {
  toSegment: (value) => (isFiniteNumber(value) ? value : undefined),
  toLaunchDarkly: (value) => (isFiniteNumber(value) ? value : undefined)
}

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
  if (Number.isInteger(value) && Math.abs(value as number) <= MAX_DATE_MILLIS) {
    const second = Math.floor((value as number) / 1000)
    if (second === lastSecond) return lastPrefix + MILLIS[(value as number) - second * 1000]
  }
  const date = isFiniteNumber(value) ? new Date(value) : undefined
  if (!date || Number.isNaN(date.getTime())) {
    throw new EventRejection(`creationDate must be epoch milliseconds, found ${describe(value)}`)
  }
  const iso = date.toISOString()
  if (Number.isInteger(value)) {
    lastSecond = Math.floor((value as number) / 1000)
    // Every toISOString ends in ".mmmZ", whatever the year's width.
    lastPrefix = iso.slice(0, -4)
  }
  return iso
}

/** epoch milliseconds ⇄ ISO-8601. */
export const epochMillisToIso: Conversion = {
  toSegment: isoFromEpochMillis,
  toLaunchDarkly(value) {
    const ms = typeof value === 'string' ? Date.parse(value) : isFiniteNumber(value) ? value : NaN
    if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) {
      throw new MappingError(
        `timestamp must be an ISO-8601 date, found ${
          typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describe(value)
        }`
      )
    }
    return ms
  }
}

/** Export-only values that come from outside the event's own fields. */
export function fromSource(pick: (event: SourceEvent) => unknown): Conversion {
  return { toSegment: (_value, event) => pick(event) }
}

export const contextKeys: Conversion = {
  toSegment: (_value, event) => event.contextKeys,
  toLaunchDarkly(value) {
    try {
      return checkedContextKeys(value, 'contextKeys')
    } catch (error) {
      throw new MappingError((error as Error).message)
    }
  }
}

/** Data Export records carry ids; SDK events do not. */
export const eventId: Conversion = {
  toSegment(value) {
    if (absent(value)) return undefined
    if (typeof value === 'string' || isFiniteNumber(value)) return String(value)
    throw new EventRejection(`id must be a string, found ${describe(value)}`)
  }
}

export const variationName: Conversion = {
  toSegment(value, event) {
    if (typeof value === 'string' && value !== '') return value
    return event.variationName
  }
}

/** Always present: only an explicit `true` puts an evaluation in an experiment. */
export const inExperiment: Conversion = {
  toSegment: (value) => value === true,
  // LaunchDarkly's own reasons carry inExperiment only when true; a reason needs a kind.
  toLaunchDarkly: (value, fields) =>
    value === true && typeof own(fields, 'reasonKind') === 'string' ? true : undefined
}

/**
 * Segment's `default` says whether the SDK served the application's fallback, which is
 * when the evaluation has no variation. LaunchDarkly's own `default` is the fallback
 * value itself: going back, it is the served value when the fallback was served.
 */
export const servedFallback: Conversion = {
  toSegment: (_value, event) => absent(own(event.raw, 'variation')),
  toLaunchDarkly(value, fields) {
    if (value !== true || !absent(own(fields, 'variation'))) return undefined
    const served = own(fields, 'value')
    return served === undefined ? null : served
  }
}

/** Custom data leaves only with includeCustomData (LaunchDarkly's own export drops it). */
export const customData: Conversion = {
  toSegment: (value, event) =>
    event.includeCustomData && value !== undefined ? shallowEnough(value, 'data', EventRejection) : undefined,
  toLaunchDarkly: (value) => shallowEnough(value, 'data', MappingError)
}
