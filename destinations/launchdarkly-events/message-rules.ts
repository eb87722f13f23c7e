// Which Segment message becomes which LaunchDarkly event (design §5.1), declared once as
// data. The Actions destination derives its presets (FQL subscriptions and mapping
// directives, presets.ts) and its fields' defaults from it; the destination function
// interprets the same declaration. Framework-free: no actions-core here.

import { ALIAS_FIELDS, EXPORT_KINDS, isObject, isReadBack, own, propertiesOf, reverseOf, SEGMENT_CALL } from './mapping'
import type { ExportKind, LaunchDarklyKind, PropertyType, ReverseRule } from './mapping'

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
  /** Calls of any of `types` that have a userId (FQL names no other top-level field). */
  | { readonly types: readonly string[]; readonly userIdExists: true }

/** A destination function setting that turns a route on (design §5.4); routes without one are always on. */
export type RouteSetting = 'sendTrackAsCustom' | 'sendAliasEvents'

export interface Route {
  /** The Actions preset's name. */
  readonly name: string
  readonly kind: LaunchDarklyKind
  readonly when: Condition
  /** Field sources that differ from the defaults (`defaultSource`); null leaves a field unmapped. */
  readonly fields?: { readonly [field: string]: Source | null }
  /** The destination function's setting that turns the route on; without one, it is always on. */
  readonly setting?: RouteSetting
  /**
   * True: an automatic preset of the Actions destination, on once the destination is added.
   * False: only its action's default subscription, for a mapping the user adds.
   */
  readonly preset: boolean
}

/** One field of an action, whatever the kind: what the actions' fields and the function's reading share. */
export interface MappedField {
  readonly name: string
  /** Where it lives in a Segment message (a dotted path). */
  readonly segment: string
  readonly type: PropertyType
  readonly required: boolean
  /** The one value the field takes (ReverseRule's `only`). */
  readonly only?: ReverseRule['only']
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

/** Where LaunchDarkly's Segment Data Export puts a property, and a Segment call its own fields. */
export function defaultSource(field: MappedField): Source {
  if (field.name === 'contextKeys') return CONTEXT_KEYS_SOURCE
  // An identify call names the anonymous user it was by its anonymousId.
  if (field.segment === 'previousId') return firstOf('previousId', 'anonymousId')
  return at(field.segment)
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
    preset: true
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
    setting: 'sendTrackAsCustom',
    preset: true
  },
  {
    // Only environments whose SDKs predate contexts use alias events; elsewhere the
    // contextKeys of each event ({user, unauthenticatedUser}) already link the two keys.
    // So it is off until turned on: no automatic preset, the function's setting off.
    name: 'Alias users (legacy SDKs)',
    kind: 'alias',
    when: { types: ['identify', 'alias'], userIdExists: true },
    setting: 'sendAliasEvents',
    preset: false
  }
]

/** The fields of the action for `kind`, in schema order: the schema properties the way back reads, or the alias event's. */
export function mappedFields(kind: LaunchDarklyKind): readonly MappedField[] {
  if (kind === 'alias') return ALIAS_FIELDS
  return propertiesOf(kind)
    .filter(isReadBack)
    .map((property) => {
      const { required, only } = reverseOf(property)
      const { name, segment, type } = property
      return { name, segment, type, required, ...(only ? { only } : {}) }
    })
}

/** Where each mapped field of `route` comes from; a field the route leaves unmapped is not listed. */
export function sourcesOf(route: Route): ReadonlyArray<readonly [MappedField, Source]> {
  const sources: Array<readonly [MappedField, Source]> = []
  for (const field of mappedFields(route.kind)) {
    const source = route.fields?.[field.name]
    if (source !== null) sources.push([field, source ?? defaultSource(field)])
  }
  return sources
}

/** The route an action's default subscription comes from: its kind's own, not an ordinary track call's. */
export function actionRoute(kind: LaunchDarklyKind): Route | undefined {
  return ROUTES.find((r) => r.kind === kind && r.setting !== 'sendTrackAsCustom')
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
