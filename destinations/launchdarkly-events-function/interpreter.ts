// The declaration of which Segment message becomes which LaunchDarkly event
// (launchdarkly-events/message-rules.ts), run on a Segment message as Segment runs the
// Actions destination's presets on it (design §5.1): the first route whose condition
// matches, each field read from its source, then what Segment does to a mapped payload
// before an action sees it: null and empty-text fields dropped, values converted to the
// field's type the way its payload validation does. Tests check both give the same events.

import { describe, isObject } from '../launchdarkly-events/mapping'
import type { JsonObject, PropertyType } from '../launchdarkly-events/mapping'
import type { Item } from '../launchdarkly-events/delivery'
import {
  Condition,
  environmentOf,
  Route,
  ROUTES,
  RouteSetting,
  Source,
  sourcesOf,
  valueAt
} from '../launchdarkly-events/message-rules'

export type Interpretation =
  | { readonly ok: true; readonly route: Route; readonly item: Item }
  | { readonly ok: false; readonly reason: 'unsupported' | 'invalid'; readonly message: string }

const exists = (value: unknown): boolean => value !== undefined && value !== null

/** As Segment's subscription language (FQL) evaluates it. */
function matches(condition: Condition, message: JsonObject): boolean {
  if ('types' in condition) return condition.types.includes(message.type as string) && exists(message.userId)
  if (message.type !== condition.type) return false
  if ('event' in condition) return message.event === condition.event
  if ('eventNoneOf' in condition) return condition.eventNoneOf.every((event) => message.event !== event)
  return exists(valueAt(message, `properties.${condition.propertyExists}`))
}

/** As Segment's mapping directives (`@path`, `@if exists`) evaluate it. */
export function evaluate(source: Source, message: unknown): unknown {
  if ('path' in source) return valueAt(message, source.path)
  if ('ifExists' in source)
    return evaluate(exists(valueAt(message, source.ifExists)) ? source.then : source.else, message)
  const object: JsonObject = {}
  for (const [key, value] of Object.entries(source.object)) object[key] = evaluate(value, message)
  return object
}

type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'object'

/**
 * The JSON Schema type Segment validates each field against (the Actions destination's
 * fields.ts): a timestamp is text; JSON values travel as text and are never converted.
 */
const FIELD_TYPE: Record<PropertyType, FieldType | undefined> = {
  string: 'string',
  datetime: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  object: 'object',
  json: undefined
}

function isType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'object':
      return isObject(value)
  }
}

const NO_VALUE = Symbol('no value')

/**
 * The value Segment's payload validation turns `value` into (its JSON Schema validator,
 * with type coercion and one-element arrays read as their element), or NO_VALUE when it
 * refuses it.
 */
function coerce(value: unknown, type: FieldType): unknown {
  if (isType(value, type)) return value
  let input = value
  if (Array.isArray(input) && input.length === 1) {
    input = input[0]
    if (isType(input, type)) return input
  }
  const numeric = typeof input === 'string' && input !== '' && !Number.isNaN(Number(input))
  switch (type) {
    case 'string':
      if (typeof input === 'number' || typeof input === 'boolean') return String(input)
      return input === null ? '' : NO_VALUE
    case 'number':
      if (typeof input === 'boolean' || input === null || numeric) return Number(input)
      return NO_VALUE
    case 'integer':
      if (typeof input === 'boolean' || input === null || (numeric && !(Number(input) % 1))) return Number(input)
      return NO_VALUE
    case 'boolean':
      if (input === 'false' || input === 0 || input === null) return false
      if (input === 'true' || input === 1) return true
      return NO_VALUE
    case 'object':
      return NO_VALUE
  }
}

const EXPECTED: Record<FieldType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object'
}

/** The destination function's settings that turn routes on (message-rules.ts, RouteSetting). */
export type RouteSettings = Readonly<Record<RouteSetting, boolean>>

function unsupported(message: JsonObject, settings: RouteSettings): string {
  if (message.type === 'page')
    return 'A page call becomes a LaunchDarkly page view event only when properties.key names the metric.'
  if (message.type === 'track' && !settings.sendTrackAsCustom) {
    return 'Only track calls whose event is feature, click or custom are sent: the sendTrackAsCustom setting is off.'
  }
  if ((message.type === 'identify' || message.type === 'alias') && !settings.sendAliasEvents) {
    return `${message.type} calls become LaunchDarkly alias events only with the sendAliasEvents setting on (environments whose SDKs predate contexts).`
  }
  if (message.type === 'identify' || message.type === 'alias')
    return `An ${message.type} call without a userId has no user to alias.`
  const type = typeof message.type === 'string' ? `${message.type} calls are` : 'This call is'
  return `${type} not sent to LaunchDarkly: only track, page, identify and alias calls become LaunchDarkly events.`
}

/** The LaunchDarkly event a Segment message asks for, or why there is none. */
export function interpret(message: unknown, settings: RouteSettings): Interpretation {
  if (!isObject(message)) {
    return {
      ok: false,
      reason: 'invalid',
      message: `The event must be a Segment message (an object), found ${describe(message)}.`
    }
  }
  const route = ROUTES.find((r) => (r.setting === undefined || settings[r.setting]) && matches(r.when, message))
  if (!route) return { ok: false, reason: 'unsupported', message: unsupported(message, settings) }
  const fields: JsonObject = {}
  for (const [property, source] of sourcesOf(route)) {
    let value = evaluate(source, message)
    const type = FIELD_TYPE[property.type]
    if (type !== undefined) {
      // Segment drops empty fields before validating them.
      if (value === null || value === '') value = undefined
      if (value !== undefined) value = coerce(value, type)
    }
    if (value === NO_VALUE) {
      const found = evaluate(source, message)
      return {
        ok: false,
        reason: 'invalid',
        message: `Cannot build a LaunchDarkly ${route.kind} event: ${property.name} must be ${
          EXPECTED[type as FieldType]
        }, found ${describe(found)}`
      }
    }
    if (value !== undefined) fields[property.name] = value
  }
  return {
    ok: true,
    route,
    item: { kind: route.kind, fields, environment: environmentOf(message), messageId: valueAt(message, 'messageId') }
  }
}
