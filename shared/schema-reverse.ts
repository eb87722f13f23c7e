// The way back, Segment → LaunchDarkly (design §5), for each property of the export schema
// (schema.ts): whether a LaunchDarkly event needs it, and how its value converts. Keyed by
// property name like schema-text.ts, and kept apart for the same reason: the source
// function converts only LaunchDarkly → Segment, and its bundle leaves all of this out.

import { checkedContextKeys } from './contexts'
import { absent, CheckedType, checkedCopy, requiredValue, shallowEnough } from './conversions'
import { MappingError } from './errors'
import { isFiniteNumber, JsonObject, own } from './lib/json'
import type { DeclaredProperty, PropertyName, SchemaProperty } from './schema'

export interface ReverseRule {
  /** Required to build a LaunchDarkly event (the destination's field is required). */
  readonly required: boolean
  /**
   * `undefined` omits the field; `fields` holds every mapped field, for rules that depend
   * on another one; `sentAt` is the time of sending (epoch milliseconds). May throw
   * MappingError. Without it, the value is copied as the export copies it: omitted when
   * absent, refused when not of the property's type.
   */
  readonly toLaunchDarkly?: (value: unknown, fields: JsonObject, sentAt: number) => unknown
}

/** Only properties of a type that can be checked may go without a rule of their own. */
type RuleOf<P extends DeclaredProperty> = P['type'] extends CheckedType ? ReverseRule : Required<ReverseRule>

/** null: the property exists only in the export (its delivery or LaunchDarkly sets it). */
export const SCHEMA_REVERSE: { readonly [P in DeclaredProperty as P['name']]: RuleOf<P> | null } = {
  timestamp: { required: false, toLaunchDarkly: (value, _fields, sentAt) => creationDateOf(value, sentAt) },
  environment: null,
  project: null,
  key: {
    required: true,
    toLaunchDarkly: (value) => requiredValue(value, 'string', 'key', 'flag or metric key', MappingError)
  },
  contextKeys: { required: true, toLaunchDarkly: mappedContextKeys },
  eventId: null,
  value: {
    required: false,
    toLaunchDarkly: (value) => (value === undefined ? null : shallowEnough(value, 'value', MappingError))
  },
  flagVersion: { required: false },
  variation: { required: false },
  variationName: null,
  reasonKind: { required: false },
  // LaunchDarkly's own reasons carry inExperiment only when true; a reason needs a kind.
  inExperiment: {
    required: false,
    toLaunchDarkly: (value, fields) =>
      value === true && typeof own(fields, 'reasonKind') === 'string' ? true : undefined
  },
  prereqOf: { required: false },
  default: { required: false, toLaunchDarkly: fallbackValue },
  url: { required: false },
  selector: { required: false },
  metricValue: { required: false, toLaunchDarkly: (value) => (isFiniteNumber(value) ? value : undefined) },
  data: { required: false, toLaunchDarkly: (value) => shallowEnough(value, 'data', MappingError) }
}

/**
 * A LaunchDarkly creationDate (epoch milliseconds) from a mapped timestamp: ISO-8601 text,
 * epoch milliseconds, or their digits as text (Segment's validation turns a number mapped to
 * a text field into text). Missing or unreadable, it is `sentAt`, the time of sending, as
 * in Segment's own LaunchDarkly destination: LaunchDarkly needs a time, and the event is
 * worth more counted now than refused.
 */
export function creationDateOf(value: unknown, sentAt: number): number {
  let ms = NaN
  if (isFiniteNumber(value)) ms = value
  else if (typeof value === 'string') ms = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value)
  // Date's range ends at ±8.64e15 ms; a finite number past it has no date.
  return Number.isNaN(new Date(ms).getTime()) ? sentAt : ms
}

function mappedContextKeys(value: unknown): unknown {
  try {
    return checkedContextKeys(value, 'contextKeys')
  } catch (error) {
    throw new MappingError((error as Error).message)
  }
}

/**
 * Segment's `default` says whether the fallback was served; LaunchDarkly's own `default`
 * is the fallback value itself: the served value, when the fallback was served.
 */
function fallbackValue(value: unknown, fields: JsonObject): unknown {
  if (value !== true || !absent(own(fields, 'variation'))) return undefined
  const served = own(fields, 'value')
  return served === undefined ? null : served
}

/** A property that travels Segment → LaunchDarkly: it has a LaunchDarkly field and a way back. */
export type SentProperty = SchemaProperty & { readonly ld: string }

export function isSentToLaunchDarkly(property: SchemaProperty): property is SentProperty {
  return property.ld !== null && SCHEMA_REVERSE[property.name as PropertyName] !== null
}

/** How a property sent to LaunchDarkly goes back. */
export function reverseOf(property: SentProperty): ReverseRule {
  return SCHEMA_REVERSE[property.name as PropertyName] as ReverseRule
}

/** The LaunchDarkly value of a sent property's mapped Segment value. Throws MappingError. */
export function toLaunchDarklyValue(
  property: SentProperty,
  value: unknown,
  fields: JsonObject,
  sentAt: number
): unknown {
  const { toLaunchDarkly } = reverseOf(property)
  // Without a rule of its own, the type is a CheckedType (RuleOf).
  return toLaunchDarkly
    ? toLaunchDarkly(value, fields, sentAt)
    : checkedCopy(value, property.type as CheckedType, property.ld, MappingError)
}
