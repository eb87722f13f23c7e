// The export schema, declared once. Each entry is one property of LaunchDarkly's Segment
// Data Export: where it sits in a Segment message, which LaunchDarkly field it comes
// from, which kinds carry it, its type and how it converts. The LaunchDarkly → Segment
// mapping, the Segment → LaunchDarkly mapping, the destination's fields and defaults, and
// the README's mapping table are all read from this list. Two concerns the source
// function never needs are keyed by property name in files of their own, so that its
// bundle leaves them out: what people read about each property (schema-text.ts), and
// the way back to LaunchDarkly (schema-reverse.ts).

import * as convert from './conversions'
import type { Conversion } from './conversions'
import { EXPORT_KINDS, ExportKind } from './kinds'

/** Value types, as the destination declares them to Segment. */
export type PropertyType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'datetime' | 'json'

export interface SchemaProperty {
  /** Segment property name, and the destination's field name. */
  readonly name: string
  /** Where it lives in a Segment message: `properties.<name>`, or a top-level field. */
  readonly segment: `properties.${string}` | 'timestamp'
  /** LaunchDarkly event field (dotted path); null when the event has no such field. */
  readonly ld: string | null
  readonly kinds: readonly ExportKind[]
  readonly type: PropertyType
  /** LaunchDarkly → Segment (schema-reverse.ts has the way back). */
  readonly convert: Conversion
}

/** As declared: `segment` only for a top-level field; any other property is `properties.<name>`. */
type Declaration = Omit<SchemaProperty, 'segment'> & { readonly segment?: 'timestamp' }

/**
 * The version of LaunchDarkly's export schema this bundle reads and writes: what its own
 * Segment export's examples carry as `properties.version` on every event, and what the
 * Data Export schema documents as a record's `version` (currently always 1).
 */
export const EXPORT_SCHEMA_VERSION = 1

const ALL = EXPORT_KINDS
const FEATURE = ['feature'] as const

/**
 * Checks each entry against Declaration while keeping its literal types (`as const`), which
 * schema-text.ts and schema-reverse.ts key by; what `satisfies` does, in syntax that the
 * older tools of Segment's action-destinations repository (Prettier 2.4) can read.
 */
const declared = <T extends readonly Declaration[]>(list: T): T => list

const DECLARED = declared([
  {
    name: 'timestamp',
    segment: 'timestamp',
    ld: 'creationDate',
    kinds: ALL,
    type: 'datetime',
    convert: convert.isoFromEpochMillis
  },
  {
    name: 'environment',
    ld: null,
    kinds: ALL,
    type: 'string',
    convert: convert.fromSource((e) => e.environment)
  },
  {
    name: 'project',
    ld: null,
    kinds: ALL,
    type: 'string',
    convert: convert.fromSource((e) => e.project)
  },
  {
    name: 'key',
    ld: 'key',
    kinds: ALL,
    type: 'string',
    convert: convert.required('string', 'key', 'flag or metric key')
  },
  {
    name: 'contextKeys',
    ld: 'contextKeys',
    kinds: ALL,
    type: 'object',
    convert: convert.contextKeys
  },
  {
    name: 'eventId',
    ld: 'id',
    kinds: ALL,
    type: 'string',
    convert: convert.eventId
  },
  {
    name: 'version',
    ld: null,
    kinds: ALL,
    type: 'integer',
    convert: convert.fromSource((e) => e.schemaVersion)
  },
  {
    name: 'value',
    ld: 'value',
    kinds: FEATURE,
    type: 'json',
    convert: convert.anyJson('value')
  },
  {
    name: 'flagVersion',
    ld: 'version',
    kinds: FEATURE,
    type: 'integer',
    convert: convert.optional('integer', 'version')
  },
  {
    name: 'variation',
    ld: 'variation',
    kinds: FEATURE,
    type: 'integer',
    convert: convert.optional('integer', 'variation')
  },
  {
    name: 'variationName',
    ld: 'variationName',
    kinds: FEATURE,
    type: 'string',
    convert: convert.variationName
  },
  {
    name: 'reasonKind',
    ld: 'reason.kind',
    kinds: FEATURE,
    type: 'string',
    convert: convert.optional('string', 'reason.kind')
  },
  {
    name: 'inExperiment',
    ld: 'reason.inExperiment',
    kinds: FEATURE,
    type: 'boolean',
    convert: convert.inExperiment
  },
  {
    name: 'prereqOf',
    ld: 'prereqOf',
    kinds: FEATURE,
    type: 'string',
    convert: convert.optional('string', 'prereqOf')
  },
  {
    name: 'default',
    ld: 'default',
    kinds: FEATURE,
    type: 'boolean',
    convert: convert.servedFallback
  },
  {
    name: 'url',
    ld: 'url',
    kinds: ['click', 'pageview'],
    type: 'string',
    convert: convert.optional('string', 'url')
  },
  {
    name: 'selector',
    ld: 'selector',
    kinds: ['click'],
    type: 'string',
    convert: convert.optional('string', 'selector')
  },
  {
    name: 'metricValue',
    ld: 'metricValue',
    kinds: ['custom'],
    type: 'number',
    convert: convert.finiteOrOmitted
  },
  {
    name: 'data',
    ld: 'data',
    kinds: ['custom'],
    type: 'json',
    convert: convert.customData
  }
] as const)

export const EXPORT_SCHEMA: readonly SchemaProperty[] = DECLARED.map((declared) => ({
  segment: `properties.${declared.name}` as const,
  ...declared
}))

/** A property as declared, with its literal name and type. */
type Declared = typeof DECLARED
export type DeclaredProperty = Declared[number]

/** The name of a schema property (schema-text.ts and schema-reverse.ts are keyed by exactly these). */
export type PropertyName = DeclaredProperty['name']

const BY_KIND = new Map<ExportKind, readonly SchemaProperty[]>(
  EXPORT_KINDS.map((kind) => [kind, EXPORT_SCHEMA.filter((p) => p.kinds.includes(kind))])
)

/** The properties an event of `kind` carries, in declaration order. */
export function propertiesOf(kind: ExportKind): readonly SchemaProperty[] {
  return BY_KIND.get(kind) as readonly SchemaProperty[]
}
