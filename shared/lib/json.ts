// Small JSON helpers for untrusted input: type guards, a bound on a value's JSON size,
// and short descriptions of values for error messages (never the value itself). Canonical
// JSON is in canonical-json.ts.

import { hasOwnProperty, isArray, isFiniteNumber, keysOf } from './builtins'

/** Deeper than any real event; keeps recursion (ours and Segment's serializer) safe. */
export const MAX_DEPTH = 100

export type JsonObject = { [key: string]: unknown }

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !isArray(value)
}

/** Own property read: input objects may carry keys such as `__proto__` or `constructor`. */
export function own(obj: JsonObject, key: string): unknown {
  return hasOwnProperty.call(obj, key) ? obj[key] : undefined
}

/** The value at `keys` below `value`, through own properties of objects; undefined where there is none. */
export function ownAt(value: unknown, ...keys: string[]): unknown {
  for (const key of keys) value = isObject(value) ? own(value, key) : undefined
  return value
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

export { isFiniteNumber }

/** What a value is, for messages such as "key must be a string, found number". */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (isArray(value)) return 'array'
  if (typeof value === 'string') return value.length === 0 ? 'empty string' : 'string'
  return typeof value
}

/**
 * Whether `value` has arrays or objects nested more than `levels` deep. Recursion stops
 * at `levels`, so the check itself cannot run out of stack.
 */
export function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false
  if (levels <= 0) return true
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestedDeeperThan(value[i], levels - 1)) return true
    return false
  }
  const keys = keysOf(value)
  for (let i = 0; i < keys.length; i++) if (nestedDeeperThan((value as JsonObject)[keys[i]], levels - 1)) return true
  return false
}

/** JSON.stringify's longest number, e.g. "-1.2345678901234567e-308". */
const MAX_NUMBER_CHARS = 24
/** A UTF-16 code unit takes at most 6 bytes of JSON: 3 of UTF-8, or a 6-character escape. */
const MAX_BYTES_PER_UNIT = 6
/** Nesting this deep is left to the exact count rather than walked. */
const MAX_ESTIMATE_DEPTH = 8

/**
 * Whether JSON.stringify(value) is certainly at most `limit` UTF-8 bytes, from an upper
 * bound summed over the value without writing it. False means "maybe not": the caller
 * then counts exactly. Walks nothing deeper than MAX_ESTIMATE_DEPTH.
 */
export function jsonSurelyWithin(value: unknown, limit: number): boolean {
  return jsonBytesBound(value, limit, 0) <= limit
}

/**
 * An upper bound of the JSON's bytes of a value `depth` levels down, or anything over
 * `budget` once it is exceeded.
 */
export function jsonBytesBound(value: unknown, budget: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      return value.length * MAX_BYTES_PER_UNIT + 2
    case 'number':
      return MAX_NUMBER_CHARS
    case 'boolean':
      return 5
    case 'object':
      break
    default:
      // undefined, functions and symbols write at most "null" (or nothing); bigints throw.
      return typeof value === 'bigint' ? Infinity : 4
  }
  if (value === null) return 4
  if (depth >= MAX_ESTIMATE_DEPTH) return Infinity
  let bytes = 2
  if (isArray(value)) {
    for (let i = 0; i < value.length && bytes <= budget; i++)
      bytes += jsonBytesBound(value[i], budget - bytes, depth + 1) + 1
    return bytes
  }
  // toJSON would let the object write anything.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return Infinity
  // for-in rather than Object.keys: no array per object. Inherited enumerable keys, which
  // JSON.stringify skips, could only make the bound larger.
  for (const key in value) {
    bytes += key.length * MAX_BYTES_PER_UNIT + 4
    bytes += jsonBytesBound((value as JsonObject)[key], budget - bytes, depth + 1)
    if (bytes > budget) break
  }
  return bytes
}
