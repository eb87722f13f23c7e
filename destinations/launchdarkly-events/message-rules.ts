// Which Segment message becomes which LaunchDarkly event (design §5.1), declared once as
// data. The Actions destination derives its presets (FQL subscriptions and mapping
// directives, presets.ts) and its fields' defaults from it; the destination function
// interprets the same declaration. Framework-free: no actions-core here.

import { EXPORT_KINDS, isObject, isReadBack, own, propertiesOf, SEGMENT_CALL } from './mapping'
import type { ExportKind, SchemaProperty } from './mapping'

/**
 * Where a value comes from in a Segment message: the subset of Segment's mapping
 * directives the destination needs (`@path`, `@if exists`, an object of values).
 */
export type Source =
  /** A dotted path from the message root, e.g. `properties.key`. */
  | { readonly path: string }
  /** `then` when the value at the path is neither absent nor null, else `else`. */
  | { readonly ifExists: string; readonly then: Source; readonly else: Source }
  | { readonly object: { readonly [key: string]: Source } }

/** Which Segment messages a route takes, as a Segment subscription (FQL) can say it. */
export type Condition =
  | { readonly type: 'track'; readonly event: string }
  | { readonly type: 'track'; readonly eventNoneOf: readonly string[] }
  | { readonly type: 'page'; readonly propertyExists: string }

export interface Route {
  /** The Actions preset's name. */
  readonly name: string
  readonly kind: ExportKind
  readonly when: Condition
  /** Field sources that differ from the defaults (`defaultSource`); null leaves a field unmapped. */
  readonly fields?: { readonly [field: string]: Source | null }
  /**
   * True for messages in the export schema; false for ordinary track calls, which the
   * destination function sends only with its sendTrackAsCustom setting on.
   */
  readonly schemaShaped: boolean
}

const at = (path: string): Source => ({ path })

/** The first of `paths` that exists (the last one as the fallback). */
function firstOf(...paths: string[]): Source {
  const [head, ...rest] = paths
  return rest.length === 0 ? at(head) : { ifExists: head, then: at(head), else: firstOf(...rest) }
}

/**
 * Exported events carry contextKeys. An ordinary Segment call is about its user, as
 * Segment's own LaunchDarkly destination keys it: `user` is the userId, else the
 * anonymousId, and `unauthenticatedUser` the anonymousId whenever there is one, so that
 * an experiment randomized by either kind counts the event.
 */
export const CONTEXT_KEYS_SOURCE: Source = {
  ifExists: 'properties.contextKeys',
  then: at('properties.contextKeys'),
  else: {
    ifExists: 'anonymousId',
    then: { object: { user: firstOf('userId', 'anonymousId'), unauthenticatedUser: at('anonymousId') } },
    else: { object: { user: at('userId') } }
  }
}

/** Where LaunchDarkly's Segment Data Export puts a property. */
export function defaultSource(property: SchemaProperty): Source {
  return property.name === 'contextKeys' ? CONTEXT_KEYS_SOURCE : at(property.segment)
}

const PRESET_NAMES: Record<ExportKind, string> = {
  feature: 'Feature events',
  click: 'Click events',
  pageview: 'Page view events',
  custom: 'Custom events'
}

/** The track events the export schema names, one per kind; a page call names its metric in `properties.key`. */
const SCHEMA_TRACK_EVENTS = EXPORT_KINDS.flatMap((kind) => SEGMENT_CALL[kind].event ?? [])

function schemaCondition(kind: ExportKind): Condition {
  const call = SEGMENT_CALL[kind]
  return call.event !== undefined ? { type: 'track', event: call.event } : { type: 'page', propertyExists: 'key' }
}

export const ROUTES: readonly Route[] = [
  ...EXPORT_KINDS.map((kind) => ({
    name: PRESET_NAMES[kind],
    kind,
    when: schemaCondition(kind),
    schemaShaped: true
  })),
  {
    // Every other track call becomes a custom event named after it, as LaunchDarkly's SDKs'
    // track(key, context, data, metricValue) would have sent it.
    name: 'Track calls as custom events',
    kind: 'custom',
    when: { type: 'track', eventNoneOf: SCHEMA_TRACK_EVENTS },
    fields: {
      key: at('event'),
      metricValue: firstOf('properties.revenue', 'properties.value'),
      data: at('properties'),
      // An ordinary call's properties.version is the application's, not the export schema's.
      version: null
    },
    schemaShaped: false
  }
]

/** The schema properties the action for `kind` has a field for, in schema order. */
export function fieldProperties(kind: ExportKind): readonly SchemaProperty[] {
  return propertiesOf(kind).filter(isReadBack)
}

/** Where each mapped field of `route` comes from; a field the route leaves unmapped is not listed. */
export function sourcesOf(route: Route): ReadonlyArray<readonly [SchemaProperty, Source]> {
  const sources: Array<readonly [SchemaProperty, Source]> = []
  for (const property of fieldProperties(route.kind)) {
    const source = route.fields?.[property.name]
    if (source !== null) sources.push([property, source ?? defaultSource(property)])
  }
  return sources
}

/** The value at a dotted path of a Segment message (own properties only). */
export function valueAt(message: unknown, path: string): unknown {
  let value = message
  for (const part of path.split('.')) value = isObject(value) ? own(value, part) : undefined
  return value
}

/** The LaunchDarkly environment an exported event came from: the echo guard's input. */
export function environmentOf(message: unknown): unknown {
  return valueAt(message, 'properties.environment')
}
