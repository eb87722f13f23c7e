// The export schema, declared once. Each entry is one property of LaunchDarkly's Segment
// Data Export: where it sits in a Segment message, which LaunchDarkly field it comes
// from, which kinds carry it and its type. The LaunchDarkly → Segment mapping, the
// Segment → LaunchDarkly mapping, the destination's fields and defaults, and the README's
// mapping table are all read from this list. What each bundle needs of a property beyond
// it is keyed by property name in a file of its own, so that a bundle leaves out what it
// never uses: how its value converts on the way to Segment (schema-forward.ts, only the
// source function's), what people read about it (schema-text.ts) and the way back to
// LaunchDarkly (schema-reverse.ts), neither of which the source function carries.

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
    type: 'datetime'
  },
  {
    name: 'environment',
    ld: null,
    kinds: ALL,
    type: 'string'
  },
  {
    name: 'project',
    ld: null,
    kinds: ALL,
    type: 'string'
  },
  {
    name: 'key',
    ld: 'key',
    kinds: ALL,
    type: 'string'
  },
  {
    name: 'contextKeys',
    ld: 'contextKeys',
    kinds: ALL,
    type: 'object'
  },
  {
    name: 'eventId',
    ld: 'id',
    kinds: ALL,
    type: 'string'
  },
  {
    name: 'version',
    ld: null,
    kinds: ALL,
    type: 'integer'
  },
  {
    name: 'value',
    ld: 'value',
    kinds: FEATURE,
    type: 'json'
  },
  {
    name: 'flagVersion',
    ld: 'version',
    kinds: FEATURE,
    type: 'integer'
  },
  {
    name: 'variation',
    ld: 'variation',
    kinds: FEATURE,
    type: 'integer'
  },
  {
    name: 'variationName',
    ld: 'variationName',
    kinds: FEATURE,
    type: 'string'
  },
  {
    name: 'reasonKind',
    ld: 'reason.kind',
    kinds: FEATURE,
    type: 'string'
  },
  {
    name: 'inExperiment',
    ld: 'reason.inExperiment',
    kinds: FEATURE,
    type: 'boolean'
  },
  {
    name: 'prereqOf',
    ld: 'prereqOf',
    kinds: FEATURE,
    type: 'string'
  },
  {
    name: 'default',
    ld: 'default',
    kinds: FEATURE,
    type: 'boolean'
  },
  {
    name: 'url',
    ld: 'url',
    kinds: ['click', 'pageview'],
    type: 'string'
  },
  {
    name: 'selector',
    ld: 'selector',
    kinds: ['click'],
    type: 'string'
  },
  {
    name: 'metricValue',
    ld: 'metricValue',
    kinds: ['custom'],
    type: 'number'
  },
  {
    name: 'data',
    ld: 'data',
    kinds: ['custom'],
    type: 'json'
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
