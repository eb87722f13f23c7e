// Small JSON helpers for untrusted input: type guards, canonical serialization,
// and short descriptions of values for error messages (never the value itself).

/** Deeper than any real event; keeps recursion (ours and Segment's serializer) safe. */
export const MAX_DEPTH = 100

export type JsonObject = { [key: string]: unknown }

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Own property read: input objects may carry keys such as `__proto__` or `constructor`. */
export function own(obj: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** What a value is, for messages such as "key must be a string, found number". */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
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
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestedDeeperThan(value[i], levels - 1)) return true
    return false
  }
  const keys = Object.keys(value)
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

function quote(text: string): string {
  return needsEscape(text) ? JSON.stringify(text) : '"' + text + '"'
}

// Object keys repeat across events ("kind", "key", "context", ...): their quoted form is
// kept in a module-level memo (see shared/index.ts), bounded in entries and key length
// so that hostile input cannot grow it.
const QUOTED_KEYS = new Map<string, string>()
const MAX_QUOTED_KEYS = 1024
const MAX_QUOTED_KEY_LENGTH = 64

function quoteKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key)
  if (quoted === undefined) {
    quoted = quote(key)
    if (QUOTED_KEYS.size < MAX_QUOTED_KEYS && key.length <= MAX_QUOTED_KEY_LENGTH) QUOTED_KEYS.set(key, quoted)
  }
  return quoted
}

/**
 * The object's keys in the order Array#sort gives them (UTF-16 code units): insertion
 * sort is faster for the few keys an event's objects have.
 */
function sortedKeys(value: JsonObject): string[] {
  const keys = Object.keys(value)
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
 * key order serialize identically. Values JSON cannot hold (undefined, functions,
 * non-finite numbers) are written as JSON.stringify would.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      // Same text as JSON.stringify for every finite number (-0 included); the rest is null.
      return Number.isFinite(value) ? '' + value : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object':
      if (value === null) return 'null'
      break
    default: {
      // undefined, functions, symbols, bigints: exactly what the generic path always did.
      const text = JSON.stringify(value)
      return text === undefined ? 'null' : text
    }
  }
  // Untrusted input can nest arbitrarily; refuse before the stack runs out.
  if (depth > MAX_DEPTH) throw new TooDeep()
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      out += canonicalJson(value[i], depth + 1)
    }
    return out + ']'
  }
  const keys = sortedKeys(value as JsonObject)
  let out = '{'
  let first = true
  for (let i = 0; i < keys.length; i++) {
    const item = (value as JsonObject)[keys[i]]
    if (item === undefined || typeof item === 'function') continue
    if (!first) out += ','
    first = false
    out += quoteKey(keys[i]) + ':' + canonicalJson(item, depth + 1)
  }
  return out + '}'
}
