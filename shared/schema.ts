// The export schema, declared once. Each entry is one property of LaunchDarkly's Segment
// Data Export: where it sits in a Segment message, which LaunchDarkly field it comes
// from, which kinds carry it and how it converts. The LaunchDarkly → Segment mapping,
// the Segment → LaunchDarkly mapping, the destination's fields and defaults, and the
// README's mapping table are all read from this list.

import * as convert from './conversions'
import { Conversion } from './conversions'
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
  /** Required to build a LaunchDarkly event (Segment → LaunchDarkly). */
  readonly required: boolean
  readonly label: string
  /** For the person mapping fields in the Segment UI. */
  readonly description: string
  /** The rule in one line, for the README's mapping table. */
  readonly rule: string
  readonly convert: Conversion
}

const ALL = EXPORT_KINDS
const prop = (name: string) => `properties.${name}` as const

export const EXPORT_SCHEMA: readonly SchemaProperty[] = [
  {
    name: 'timestamp',
    segment: 'timestamp',
    ld: 'creationDate',
    kinds: ALL,
    type: 'datetime',
    required: true,
    label: 'Timestamp',
    description: 'When the event happened. Sent to LaunchDarkly as creationDate (epoch milliseconds).',
    rule: 'ISO-8601 of `creationDate` (epoch ms)',
    convert: convert.epochMillisToIso
  },
  {
    name: 'environment',
    segment: prop('environment'),
    ld: null,
    kinds: ALL,
    type: 'string',
    required: false,
    label: 'LaunchDarkly environment',
    description:
      "Client-side ID of the LaunchDarkly environment the event came from. Events from the destination's own environment are not sent back to it.",
    rule: "the record's `environment`, else the `environmentId` setting",
    convert: convert.fromSource((e) => e.environment)
  },
  {
    name: 'project',
    segment: prop('project'),
    ld: null,
    kinds: ALL,
    type: 'string',
    required: false,
    label: 'LaunchDarkly project',
    description: 'ID of the LaunchDarkly project the event came from.',
    rule: "the record's `project`, else the `projectId` setting",
    convert: convert.fromSource((e) => e.project)
  },
  {
    name: 'key',
    segment: prop('key'),
    ld: 'key',
    kinds: ALL,
    type: 'string',
    required: true,
    label: 'Key',
    description: 'The flag key for feature events; the metric (goal) key for click, page view and custom events.',
    rule: '`key`',
    convert: convert.required('string', 'key', 'flag or metric key')
  },
  {
    name: 'contextKeys',
    segment: prop('contextKeys'),
    ld: 'contextKeys',
    kinds: ALL,
    type: 'object',
    required: true,
    label: 'Context keys',
    description:
      'The LaunchDarkly context as {contextKind: contextKey}, for example {"user": "user-123", "org": "org-9"}.',
    rule: '`{kind: key}` for every kind of `context` / `contextKeys` / legacy `user`, `userKey`',
    convert: convert.contextKeys
  },
  {
    name: 'eventId',
    segment: prop('eventId'),
    ld: 'id',
    kinds: ALL,
    type: 'string',
    required: false,
    label: 'Event ID',
    description: "The LaunchDarkly event ID, present for events from LaunchDarkly's Data Export.",
    rule: '`id`, only when the input has one',
    convert: convert.eventId
  },
  {
    name: 'value',
    segment: prop('value'),
    ld: 'value',
    kinds: ['feature'],
    type: 'json',
    required: false,
    label: 'Flag value',
    description: 'The value the flag evaluation served: any JSON value.',
    rule: '`value`, any JSON; absent becomes `null`',
    convert: convert.anyJson('value')
  },
  {
    name: 'flagVersion',
    segment: prop('flagVersion'),
    ld: 'version',
    kinds: ['feature'],
    type: 'integer',
    required: false,
    label: 'Flag version',
    description: 'Version of the flag configuration that was evaluated.',
    rule: '`version`, omitted when absent',
    convert: convert.optional('integer', 'version')
  },
  {
    name: 'variation',
    segment: prop('variation'),
    ld: 'variation',
    kinds: ['feature'],
    type: 'integer',
    required: false,
    label: 'Variation index',
    description: "Index of the variation served. Empty when the SDK served the application's fallback value.",
    rule: '`variation`, omitted when absent',
    convert: convert.optional('integer', 'variation')
  },
  {
    name: 'variationName',
    segment: prop('variationName'),
    ld: 'variationName',
    kinds: ['feature'],
    type: 'string',
    required: false,
    label: 'Variation name',
    description: 'Name of the variation served (export only; LaunchDarkly events carry the index).',
    rule: "the input's `variationName`, else looked up with the REST API; omitted when unknown",
    convert: convert.variationName
  },
  {
    name: 'reasonKind',
    segment: prop('reasonKind'),
    ld: 'reason.kind',
    kinds: ['feature'],
    type: 'string',
    required: false,
    label: 'Evaluation reason',
    description:
      'Why the flag served this variation: OFF, FALLTHROUGH, TARGET_MATCH, RULE_MATCH, PREREQUISITE_FAILED or ERROR.',
    rule: '`reason.kind`, omitted when there is no reason',
    convert: convert.optional('string', 'reason.kind')
  },
  {
    name: 'inExperiment',
    segment: prop('inExperiment'),
    ld: 'reason.inExperiment',
    kinds: ['feature'],
    type: 'boolean',
    required: false,
    label: 'In experiment',
    description: 'Whether this evaluation is part of an experiment.',
    rule: '`true` when `reason.inExperiment` is `true`, else `false` (always present)',
    convert: convert.inExperiment
  },
  {
    name: 'prereqOf',
    segment: prop('prereqOf'),
    ld: 'prereqOf',
    kinds: ['feature'],
    type: 'string',
    required: false,
    label: 'Prerequisite of',
    description: 'When this flag was evaluated as a prerequisite, the key of the flag that required it.',
    rule: '`prereqOf`, omitted when absent',
    convert: convert.optional('string', 'prereqOf')
  },
  {
    name: 'default',
    segment: prop('default'),
    ld: 'default',
    kinds: ['feature'],
    type: 'boolean',
    required: false,
    label: 'Served fallback value',
    description: "True when the SDK served the application's fallback value instead of a variation.",
    rule: "`true` when the event has no `variation`, else `false`; LaunchDarkly's own `default` (the fallback value) is not exported",
    convert: convert.servedFallback
  },
  {
    name: 'url',
    segment: prop('url'),
    ld: 'url',
    kinds: ['click', 'pageview'],
    type: 'string',
    required: false,
    label: 'URL',
    description: 'URL of the page where the click or page view happened.',
    rule: '`url`',
    convert: convert.optional('string', 'url')
  },
  {
    name: 'selector',
    segment: prop('selector'),
    ld: 'selector',
    kinds: ['click'],
    type: 'string',
    required: false,
    label: 'CSS selector',
    description: 'CSS selector of the element that was clicked.',
    rule: '`selector`',
    convert: convert.optional('string', 'selector')
  },
  {
    name: 'metricValue',
    segment: prop('metricValue'),
    ld: 'metricValue',
    kinds: ['custom'],
    type: 'number',
    required: false,
    label: 'Metric value',
    description: 'Numeric value for LaunchDarkly numeric metrics (for example revenue).',
    rule: '`metricValue` when a finite number (0 included), else omitted',
    convert: convert.finiteOrOmitted
  },
  {
    name: 'data',
    segment: prop('data'),
    ld: 'data',
    kinds: ['custom'],
    type: 'json',
    required: false,
    label: 'Custom data',
    description: 'Additional data attached to the custom event.',
    rule: "`data`, only with the `includeCustomData` setting (LaunchDarkly's own export drops it)",
    convert: convert.customData
  }
]

const BY_KIND = new Map<ExportKind, readonly SchemaProperty[]>(
  EXPORT_KINDS.map((kind) => [kind, EXPORT_SCHEMA.filter((p) => p.kinds.includes(kind))])
)

/** The properties an event of `kind` carries, in declaration order. */
export function propertiesOf(kind: ExportKind): readonly SchemaProperty[] {
  return BY_KIND.get(kind) as readonly SchemaProperty[]
}

/** A property that travels Segment → LaunchDarkly: it has a LaunchDarkly field and a way back. */
export type SentProperty = SchemaProperty & { readonly ld: string; readonly convert: Required<Conversion> }

/** Properties that also travel Segment → LaunchDarkly (the rest exist only in the export). */
export function isSentToLaunchDarkly(property: SchemaProperty): property is SentProperty {
  return property.ld !== null && property.convert.toLaunchDarkly !== undefined
}
