// Small JSON helpers for untrusted input: type guards, canonical serialization,
// and short descriptions of values for error messages (never the value itself).

import { EventRejection } from './errors'

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
 * JSON with object keys sorted at every depth, so that two events that differ only in
 * key order serialize identically (the messageId rule of SPEC 3.9).
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value)
    return text === undefined ? 'null' : text
  }
  // Untrusted input can nest arbitrarily; refuse before the stack runs out.
  if (depth > MAX_DEPTH) throw new EventRejection(`event is nested more than ${MAX_DEPTH} levels deep`)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      out += canonicalJson(value[i], depth + 1)
    }
    return out + ']'
  }
  const keys = Object.keys(value).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const item = (value as JsonObject)[key]
    if (item === undefined || typeof item === 'function') continue
    if (!first) out += ','
    first = false
    out += JSON.stringify(key) + ':' + canonicalJson(item, depth + 1)
  }
  return out + '}'
}
