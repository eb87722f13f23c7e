// The way there, LaunchDarkly → Segment (design §3.3, 3.4), for each property of the export
// schema (schema.ts): which rule its value follows. Keyed by property name like
// schema-reverse.ts, and kept apart for the same reason: only the source function converts
// this way, and the destinations' bundles leave all of this out.
//
// A rule is data and one function applies them all: this runs for every property of every
// event, and one call site with a switch is cheaper than a closure per property
// (docs/performance.md, issue 22).

import type { ContextKeys } from './contexts'
import { absent, CheckedType, checkedCopy, isoFromEpochMillis, requiredValue, shallowEnough } from './conversions'
import { EventRejection } from './errors'
import { describe, isFiniteNumber, isObject, JsonObject, jsonBytesBound, own } from './lib/json'
import { EXPORT_KINDS, ExportKind } from './kinds'
import { propertiesOf, PropertyName, SchemaProperty } from './schema'

type Rule =
  /** The event's field as ISO-8601: the message's timestamp. */
  | 'timestamp'
  /** Known from the delivery rather than from the event's own fields. */
  | 'environment'
  | 'project'
  | 'schemaVersion'
  | 'contextKeys'
  /**
   * The event's field, of the property's type, and not empty: an event without it is
   * rejected, the message saying what the field is.
   */
  | { readonly required: string }
  /** The event's field, of the property's type; omitted when absent (null counts as absent). */
  | 'optional'
  /** Any JSON value; absent becomes null (a flag can serve null). */
  | 'json'
  /** Data Export records carry ids; SDK events do not. */
  | 'eventId'
  /** The event's own name, else the one looked up from the REST API (design §3.6). */
  | 'variationName'
  /** Always present: only an explicit `true` puts an evaluation in an experiment. */
  | 'true'
  /**
   * Segment's `default` says whether the SDK served the application's fallback, which is
   * when the evaluation has no variation (LaunchDarkly's own `default` is the fallback
   * value itself; schema-reverse.ts turns it back).
   */
  | 'servedFallback'
  /** A number kept only when finite (0 included); anything else is dropped, never rejected. */
  | 'finite'
  /** Custom data leaves only with includeCustomData (LaunchDarkly's own export drops it). */
  | 'customData'

export const SCHEMA_FORWARD: { readonly [P in PropertyName]: Rule } = {
  timestamp: 'timestamp',
  environment: 'environment',
  project: 'project',
  key: { required: 'flag or metric key' },
  contextKeys: 'contextKeys',
  eventId: 'eventId',
  version: 'schemaVersion',
  value: 'json',
  flagVersion: 'optional',
  variation: 'optional',
  variationName: 'variationName',
  reasonKind: 'optional',
  inExperiment: 'true',
  prereqOf: 'optional',
  default: 'servedFallback',
  url: 'optional',
  selector: 'optional',
  metricValue: 'finite',
  data: 'customData'
}

/** What the forward direction knows about one event besides its own fields. */
export interface ForwardEvent {
  readonly raw: JsonObject
  readonly environment: string
  readonly project: string
  readonly contextKeys: ContextKeys
  /** The Data Export record's `version`, else the export schema's (schema.ts). */
  readonly schemaVersion: number
}

/**
 * A property as the conversion reads it: its rule, and where its field is. Its path is read
 * with plain property access, one or two parts deep: no schema path names a property that
 * objects inherit, or goes deeper (a test holds both).
 */
interface Reader {
  readonly name: string
  readonly timestamp: boolean
  readonly type: CheckedType
  /** The rule's name (`required` for the object form), and what a required field is. */
  readonly rule: Exclude<Rule, object> | 'required'
  readonly what: string
  /** The LaunchDarkly field's dotted path, for messages; '' when the event has none. */
  readonly ld: string
  /** Its first part, and the one below it ('' for none): schema paths are one or two deep. */
  readonly field: string
  readonly subfield: string
}

function readerOf(property: SchemaProperty): Reader {
  const [field = '', subfield = ''] = property.ld === null ? [] : property.ld.split('.')
  const rule = SCHEMA_FORWARD[property.name as PropertyName]
  return {
    name: property.name,
    timestamp: property.segment === 'timestamp',
    type: property.type as CheckedType,
    rule: typeof rule === 'string' ? rule : 'required',
    what: typeof rule === 'string' ? '' : rule.required,
    ld: property.ld ?? '',
    field,
    subfield
  }
}

const READERS = new Map<ExportKind, readonly Reader[]>(
  EXPORT_KINDS.map((kind) => [kind, propertiesOf(kind).map(readerOf)])
)

/** The value of a reader's field in an event; undefined where there is none. */
function fieldOf(raw: JsonObject, reader: Reader): unknown {
  const value = raw[reader.field]
  if (reader.subfield === '') return value
  return isObject(value) ? value[reader.subfield] : undefined
}

function convert(
  reader: Reader,
  event: ForwardEvent,
  includeCustomData: boolean,
  variationName: string | undefined
): unknown {
  switch (reader.rule) {
    case 'timestamp':
      return isoFromEpochMillis(fieldOf(event.raw, reader))
    case 'environment':
      return event.environment
    case 'project':
      return event.project
    case 'schemaVersion':
      return event.schemaVersion
    case 'contextKeys':
      return event.contextKeys
    case 'required':
      return requiredValue(fieldOf(event.raw, reader), reader.type, reader.ld, reader.what, EventRejection)
    case 'optional':
      return checkedCopy(fieldOf(event.raw, reader), reader.type, reader.ld, EventRejection)
    case 'json': {
      const value = fieldOf(event.raw, reader)
      return value === undefined ? null : shallowEnough(value, reader.ld, EventRejection)
    }
    case 'eventId': {
      const value = fieldOf(event.raw, reader)
      if (absent(value)) return undefined
      if (typeof value === 'string' || isFiniteNumber(value)) return '' + value
      throw new EventRejection(`id must be a string, found ${describe(value)}`)
    }
    case 'variationName': {
      const value = fieldOf(event.raw, reader)
      return typeof value === 'string' && value !== '' ? value : variationName
    }
    case 'true':
      return fieldOf(event.raw, reader) === true
    case 'servedFallback':
      return absent(own(event.raw, 'variation'))
    case 'finite': {
      const value = fieldOf(event.raw, reader)
      return isFiniteNumber(value) ? value : undefined
    }
    case 'customData': {
      const value = fieldOf(event.raw, reader)
      return includeCustomData && value !== undefined ? shallowEnough(value, reader.ld, EventRejection) : undefined
    }
  }
}

/**
 * Sets an event's Segment `properties` on its message, then its `timestamp`, converted in
 * the schema's order, and returns an upper bound of the properties' JSON in UTF-8 bytes
 * (lib/json.ts's, summed as they are set; anything over `budget` once past it). Throws
 * EventRejection for the first property that cannot be converted.
 */
export function writeProperties(
  message: JsonObject,
  kind: ExportKind,
  event: ForwardEvent,
  includeCustomData: boolean,
  variationName: string | undefined,
  budget: number
): number {
  const readers = READERS.get(kind) as readonly Reader[]
  const properties: JsonObject = {}
  message.properties = properties
  let timestamp = ''
  let bytes = 2
  for (let i = 0; i < readers.length; i++) {
    const reader = readers[i]
    const value = convert(reader, event, includeCustomData, variationName)
    if (value === undefined) continue
    if (reader.timestamp) timestamp = value as string
    else {
      properties[reader.name] = value
      if (bytes <= budget) bytes += reader.name.length * 6 + 4 + jsonBytesBound(value, budget - bytes, 2)
    }
  }
  message.timestamp = timestamp
  return bytes
}
