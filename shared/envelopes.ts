// The forms a delivery's body can take (design §3.1), unwrapped into a flat list of items:
// one per LaunchDarkly event, each with its Data Export record's project and
// environment when it had one. A bad element becomes a per-item rejection; only a body
// that is no form at all throws.

import { fromJson, hasOwnProperty, isArray, keysOf, toJson } from './lib/builtins'
import { isAuditEntry } from './audit'
import { decodeBase64Utf8 } from './lib/base64'
import { isJsonText } from './lib/json-syntax'
import { PayloadError } from './errors'
import { describe, isObject, JsonObject, own } from './lib/json'
import { utf8Length } from './lib/utf8'
import { MAX_BODY_BYTES } from './functions-contract'

export const EXPECTED_FORMS =
  'a Pub/Sub push, an audit-log entry, a Data Export record, a LaunchDarkly SDK event, a JSON array of records and events, or NDJSON'

/**
 * One element of the body: an event (with its Data Export record, if any), or what makes
 * it none, said without its position (positionOf gives that).
 */
export type Item = { index: number; event: JsonObject; record?: JsonObject } | { index: number; notAnEvent: string }

export type Envelope =
  | { form: 'audit'; entry: JsonObject }
  | { form: 'record' | 'event' | 'array' | 'ndjson'; items: Item[]; pubsub: boolean }

/** How a reason names the element at `index` of a body of this form. */
export function positionOf(form: Envelope['form'], index: number): string {
  if (form === 'array') return `element ${index}`
  if (form === 'ndjson') return `line ${index + 1}`
  return form
}

function found(value: unknown): string {
  if (!isObject(value)) return `a JSON ${describe(value)}`
  const keys = keysOf(value)
  if (keys.length === 0) return 'an empty object'
  const shown = keys.slice(0, 8).map((k) => toJson(k.slice(0, 32)))
  return `an object with keys ${shown.join(', ')}${keys.length > 8 ? ', …' : ''}`
}

/** A record wraps one event: `{project, environment, event: {kind, ...}, version}`. */
function isRecord(value: JsonObject): boolean {
  return isObject(own(value, 'event')) && own(value, 'kind') === undefined
}

// The texts a body of many bad elements repeats, written once: a JSON array of 260,000
// zeros or `{}` is a body, and each element's reason was a large part of its cost.
const NOT_AN_OBJECT = new Map<string, string>()
const EMPTY_OBJECT = `has no kind: found ${found({})}`
const NOT_JSON = 'is not valid JSON'
const CHECK_AFTER_BROKEN_LINES = 16

function toItem(value: unknown, index: number): Item {
  if (!isObject(value)) {
    const what = describe(value)
    let notAnEvent = NOT_AN_OBJECT.get(what)
    if (notAnEvent === undefined) {
      notAnEvent = `is not a LaunchDarkly event or Data Export record: found ${found(value)}`
      NOT_AN_OBJECT.set(what, notAnEvent)
    }
    return { index, notAnEvent }
  }
  if (isRecord(value)) return { index, event: own(value, 'event') as JsonObject, record: value }
  if (own(value, 'kind') === undefined) {
    return { index, notAnEvent: isEmpty(value) ? EMPTY_OBJECT : `has no kind: found ${found(value)}` }
  }
  return { index, event: value }
}

function isEmpty(value: JsonObject): boolean {
  for (const key in value) if (hasOwnProperty.call(value, key)) return false
  return true
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: fromJson(text) }
  } catch {
    return { ok: false }
  }
}

/** A body that is not what it must be: `Expected <expected>; found <found>`. */
function unexpected(found: string, expected = EXPECTED_FORMS): PayloadError {
  return new PayloadError(`Expected ${expected}; found ${found}`)
}

/** What Pub/Sub's message.data must hold. */
const PUBSUB_EVENTS = 'Pub/Sub message.data to hold LaunchDarkly events'

function startOf(text: string): string {
  return toJson(text.trimStart().slice(0, 24))
}

/** Reads one delivery body. Throws PayloadError when it is no known form. */
export function readEnvelope(body: string): Envelope {
  if (body.trim() === '') throw unexpected('an empty body')
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only a body that could be over the
  // limit is counted byte by byte.
  const bytes = body.length * 3 <= MAX_BODY_BYTES ? 0 : utf8Length(body)
  if (bytes > MAX_BODY_BYTES) {
    throw unexpected(`${bytes} bytes`, `a body of at most ${MAX_BODY_BYTES} bytes`)
  }
  return fromText(body, false)
}

function fromText(text: string, pubsub: boolean): Envelope {
  const parsed = parseJson(text)
  if (parsed.ok) return fromValue(parsed.value, pubsub)

  // NDJSON: one object per line; a line that does not parse is rejected alone. Past a few
  // such lines, each line is checked before it is parsed: a broken line then costs a scan
  // rather than a thrown SyntaxError (which checking every line would cost good ones).
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  let broken = 0
  const items = lines.map((line, index): Item => {
    const value = broken < CHECK_AFTER_BROKEN_LINES || isJsonText(line) ? parseJson(line) : undefined
    if (value?.ok) return toItem(value.value, index)
    broken++
    return { index, notAnEvent: NOT_JSON }
  })
  if (lines.length < 2 || broken === lines.length) {
    throw unexpected(`text that is neither JSON nor NDJSON, starting ${startOf(text)}`)
  }
  return { form: 'ndjson', items, pubsub }
}

function fromValue(value: unknown, pubsub: boolean): Envelope {
  if (isArray(value)) {
    return { form: 'array', items: value.map(toItem), pubsub }
  }
  if (!isObject(value)) throw unexpected(found(value))

  const message = own(value, 'message')
  if (isObject(message) && own(message, 'data') !== undefined && own(value, 'subscription') !== undefined) {
    if (pubsub) throw unexpected('another Pub/Sub push', PUBSUB_EVENTS)
    return fromPubSub(own(message, 'data'))
  }
  if (isAuditEntry(value)) return { form: 'audit', entry: value }
  if (isRecord(value)) return { form: 'record', items: [toItem(value, 0)], pubsub }
  if (own(value, 'kind') !== undefined) return { form: 'event', items: [toItem(value, 0)], pubsub }
  throw unexpected(found(value))
}

function fromPubSub(data: unknown): Envelope {
  const text = typeof data === 'string' ? decodeBase64Utf8(data) : undefined
  if (text === undefined) {
    const what = typeof data === 'string' ? 'a string that is not base64' : describe(data)
    throw unexpected(what, 'Pub/Sub message.data to be base64')
  }
  if (text.trim() === '') throw unexpected('empty data', PUBSUB_EVENTS)
  return fromText(text, true)
}
