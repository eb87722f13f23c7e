// Canonical JSON: what JSON.stringify writes for a value with its object keys sorted at
// every depth, so that two values that differ only in key order write the same text. It is
// written as UTF-8 straight into one reused buffer, the bytes SHA-256 reads: no string is
// concatenated per event, then flattened and encoded again for the hash
// (docs/performance.md, issue 22). Escapes are JSON.stringify's own.

import { Bytes, isArray, isFiniteNumber, keysOf, toJson } from './builtins'
import { MAX_DEPTH } from './json'
import { encodeUtf8Into } from './utf8'

/** Thrown for values nested deeper than MAX_DEPTH. */
export class TooDeep extends Error {
  constructor() {
    super(`nested more than ${MAX_DEPTH} levels deep`)
    this.name = 'TooDeep'
  }
}

// The buffer is a module-level memo (see shared/index.ts): a larger one, grown for a large
// value, is dropped at the next call.
const KEPT_BYTES = 64 * 1024
let out = new Bytes(4096)
let at = 0

/** Makes room for `bytes` more bytes. */
function room(bytes: number): void {
  if (at + bytes <= out.length) return
  let size = out.length * 2
  while (size < at + bytes) size *= 2
  const larger = new Bytes(size)
  larger.set(out.subarray(0, at))
  out = larger
}

/** Text written as its UTF-8, unescaped (an unpaired surrogate as U+FFFD, as TextEncoder writes it). */
function writeText(text: string): void {
  room(text.length * 3)
  at = encodeUtf8Into(text, out, at)
}

/**
 * A string, quoted and escaped as JSON.stringify writes it, with the punctuation around it
 * (`before`, `after`: a byte, or 0 for none): a key is `,"key":`. Text JSON escapes (a
 * quote, a backslash, a control character) or with a surrogate is rare: JSON.stringify
 * writes it, and its text is encoded.
 */
function writeString(text: string, before: number, after: number): void {
  const n = text.length
  // At most 3 bytes per code unit on the fast path, the quotes and the punctuation.
  room(n * 3 + 4)
  const b = out
  let o = at
  if (before !== 0) b[o++] = before
  const quote = o
  b[o++] = 34
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80 ? c < 0x20 || c === 34 || c === 92 : c >= 0xd800 && c < 0xe000) {
      at = quote
      writeText(toJson(text))
      if (after !== 0) writeByte(after)
      return
    }
    if (c < 0x80) b[o++] = c
    else if (c < 0x800) {
      b[o++] = 0xc0 | (c >> 6)
      b[o++] = 0x80 | (c & 63)
    } else {
      b[o++] = 0xe0 | (c >> 12)
      b[o++] = 0x80 | ((c >> 6) & 63)
      b[o++] = 0x80 | (c & 63)
    }
  }
  b[o++] = 34
  if (after !== 0) b[o++] = after
  at = o
}

/** One ASCII byte. */
function writeByte(byte: number): void {
  room(1)
  out[at++] = byte
}

/**
 * The object's keys in the order Array#sort gives them (UTF-16 code units): insertion
 * sort is faster for the few keys an event's objects have.
 */
function sortedKeys(value: object): string[] {
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

function writeValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      return writeString(value, 0, 0)
    case 'number':
      // The same text as JSON.stringify for every finite number (-0 included); the rest is null.
      return writeText(isFiniteNumber(value) ? '' + value : 'null')
    case 'boolean':
      return writeText(value ? 'true' : 'false')
    case 'object':
      if (value === null) return writeText('null')
      break
    default: {
      // undefined, functions, symbols (in an array), bigints: what JSON.stringify writes, or throws.
      const text = toJson(value)
      return writeText(text === undefined ? 'null' : text)
    }
  }
  // Untrusted input can nest arbitrarily; refuse before the stack runs out.
  if (depth > MAX_DEPTH) throw new TooDeep()
  if (isArray(value)) {
    writeByte(91)
    for (let i = 0; i < value.length; i++) {
      if (i > 0) writeByte(44)
      writeValue(value[i], depth + 1)
    }
    return writeByte(93)
  }
  const keys = sortedKeys(value)
  writeByte(123)
  const first = at
  for (let i = 0; i < keys.length; i++) {
    const item = (value as Record<string, unknown>)[keys[i]]
    if (item === undefined || typeof item === 'function') continue
    writeString(keys[i], at === first ? 0 : 44, 58)
    writeValue(item, depth + 1)
  }
  writeByte(125)
}

/**
 * The UTF-8 of `prefix`, the canonical JSON of `value` and `suffix` (the two written as
 * they are), in a view of the buffer that the next call overwrites. Throws TooDeep past
 * MAX_DEPTH levels.
 */
export function canonicalJsonBytes(value: unknown, prefix = '', suffix = ''): Uint8Array {
  if (out.length > KEPT_BYTES) out = new Bytes(4096)
  at = 0
  writeText(prefix)
  writeValue(value, 0)
  writeText(suffix)
  return out.subarray(0, at)
}
