// The rules a schema property's value is held to, in both directions: the checks of a
// copied value and of a required one, the depth bound of values copied whole, and
// LaunchDarkly's creationDate as ISO-8601. Which rule each property follows is
// schema-forward.ts's (LaunchDarkly → Segment) and schema-reverse.ts's (the way back).

import { abs, floor, isInteger, NativeDate } from './lib/builtins'
import { EventRejection } from './errors'
import { describe, isFiniteNumber, isObject, MAX_DEPTH, nestedDeeperThan } from './lib/json'

export type CheckedType = 'string' | 'integer' | 'number' | 'boolean' | 'object'

/** Whether a value is of a checked type (a switch rather than a function per type: it runs per property). */
export function isOfType(value: unknown, type: CheckedType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'integer':
      return isInteger(value) && (value as number) >= 0
    case 'number':
      return isFiniteNumber(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'object':
      return isObject(value)
  }
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
  if (!isOfType(value, type)) throw new error(`${name} must be ${expected[type]}, found ${describe(value)}`)
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
  if (isOfType(value, type) && value !== '') return value
  const wanted = expected[type] === 'a string' ? 'a non-empty string' : expected[type]
  throw new error(`${name} (${what}) must be ${wanted}, found ${describe(value)}`)
}

/**
 * Values copied whole (a flag's value, custom data) are refused when nested deeper than
 * MAX_DEPTH: JSON.stringify, which Segment and every HTTP client run on them, recurses
 * and would overflow the stack, failing the whole delivery instead of this one event.
 * (Events without an id are already held to this by their canonical JSON; records are not.)
 */
export function shallowEnough<T>(value: T, name: string, error: new (message: string) => Error): T {
  if (nestedDeeperThan(value, MAX_DEPTH)) throw new error(`${name} is nested more than ${MAX_DEPTH} levels deep`)
  return value
}

// The last second formatted, remembered (a module-level memo: see shared/index.ts): an
// SDK flushes events in bursts, so neighbours in a batch share their second and only the
// milliseconds differ; Date#toISOString was the costliest step of a feature event.
let lastSecond = NaN
let lastPrefix = ''
/** The largest epoch milliseconds a Date holds (ECMAScript's time value range). */
const MAX_DATE_MILLIS = 8.64e15
const MILLIS = /* @__PURE__ */ Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0') + 'Z')

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
