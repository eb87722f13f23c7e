// Small JSON helpers for untrusted input: type guards, canonical serialization,
// and short descriptions of values for error messages (never the value itself).

import { hasOwnProperty, isArray, isFiniteNumber, keysOf, toJson } from './builtins'

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

// canonicalJson runs over every event without an id (for its messageId): the helpers
// below keep it fast with output identical to the plain recursive version (see
// docs/performance.md).

/**
 * Whether JSON.stringify would escape anything in `text`: quotes, backslashes, control
 * characters or surrogates (escaped when unpaired). Anything else is quoted as is.
 */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true
  }
  return false
}

// Object keys repeat across events ("kind", "key", "context", ...): their quoted form
// with its colon is kept in a module-level memo (see shared/index.ts), bounded in entries
// and key length so that hostile input cannot grow it.
const KEY_PREFIXES = new Map<string, string>()
const MAX_KEY_PREFIXES = 1024
const MAX_KEY_PREFIX_LENGTH = 64

/** `"key":`, escaped as JSON.stringify would. */
function keyPrefix(key: string): string {
  let prefix = KEY_PREFIXES.get(key)
  if (prefix === undefined) {
    prefix = (needsEscape(key) ? toJson(key) : '"' + key + '"') + ':'
    if (KEY_PREFIXES.size < MAX_KEY_PREFIXES && key.length <= MAX_KEY_PREFIX_LENGTH) KEY_PREFIXES.set(key, prefix)
  }
  return prefix
}

/**
 * The object's keys in the order Array#sort gives them (UTF-16 code units): insertion
 * sort is faster for the few keys an event's objects have.
 */
function sortedKeys(value: JsonObject): string[] {
  const keys = keysOf(value)
  if (keys.length > 16) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]
    let j = i - 1
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j]
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

/** Thrown by canonicalJson for values nested deeper than MAX_DEPTH. */
export class TooDeep extends Error {
  constructor() {
    super(`nested more than ${MAX_DEPTH} levels deep`)
    this.name = 'TooDeep'
  }
}

/**
 * JSON with object keys sorted at every depth, so that two values that differ only in
 * key order serialize identically, between `prefix` and `suffix` (which are not
 * escaped). Values JSON cannot hold (undefined, functions, non-finite numbers) are
 * written as JSON.stringify would. Throws TooDeep past MAX_DEPTH levels.
 */
export function canonicalJson(value: unknown, prefix = '', suffix = ''): string {
  return prefix + canonical(value, 0) + suffix
}

function canonical(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return primitiveJson(value)
  // Untrusted input can nest arbitrarily; refuse before the stack runs out.
  if (depth > MAX_DEPTH) throw new TooDeep()
  if (isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      const item: unknown = value[i]
      // Primitives are written here rather than by a call: most leaves are primitives.
      out += item === null || typeof item !== 'object' ? primitiveJson(item) : canonical(item, depth + 1)
    }
    return out + ']'
  }
  const keys = sortedKeys(value as JsonObject)
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const item = (value as JsonObject)[keys[i]]
    if (item === undefined || typeof item === 'function') continue
    if (out.length > 1) out += ','
    out += keyPrefix(keys[i])
    out += item === null || typeof item !== 'object' ? primitiveJson(item) : canonical(item, depth + 1)
  }
  return out + '}'
}

/** What JSON.stringify writes for a value that is not an object (in an array, "null" for nothing). */
function primitiveJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return needsEscape(value) ? toJson(value) : '"' + value + '"'
    case 'number':
      // Same text as JSON.stringify for every finite number (-0 included); the rest is null.
      return isFiniteNumber(value) ? '' + value : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object':
      return 'null'
    default: {
      // undefined, functions, symbols, bigints: exactly what JSON.stringify writes.
      const text = toJson(value)
      return text === undefined ? 'null' : text
    }
  }
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

/** An upper bound of the JSON's bytes, or anything over `budget` once it is exceeded. */
function jsonBytesBound(value: unknown, budget: number, depth: number): number {
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
