// A Segment Protocols tracking plan derived from the export schema (schema.ts): one rule
// per exported event (track `feature`, `click`, `custom`; the page call) in the rule format
// of Segment's Public API (`{type, key, version, jsonSchema}`, the body of
// `PUT /tracking-plans/{id}/rules`). `npm run build` writes it to dist/tracking-plan.json and
// `npm run deploy -- --tracking-plan <name>` puts it in the workspace; tests validate every
// call the built function emits against it, so the plan and the converter cannot drift.
// Keyed by property name like schema-text.ts, and like it left out of the source function.

import type { JsonObject } from './lib/json'
import { EXPORT_KINDS, ExportKind, SEGMENT_CALL } from './kinds'
import { propertiesOf, PropertyName, PropertyType, SchemaProperty } from './schema'
import { textOf } from './schema-text'

export interface TrackingPlanRule {
  readonly type: 'TRACK' | 'PAGE'
  /** The track event's name; a page call has none, so its rule covers every page call. */
  readonly key?: string
  /** The rule's version in Segment (1 for a new rule). */
  readonly version: number
  readonly jsonSchema: JsonObject
}

export interface TrackingPlan {
  readonly rules: readonly TrackingPlanRule[]
}

/**
 * Whether every call of the property's kinds carries it; the others appear when the event
 * has them (design §3.3, 3.4).
 */
const ALWAYS: Readonly<Record<PropertyName, boolean>> = {
  timestamp: true,
  environment: true,
  project: true,
  key: true,
  contextKeys: true,
  eventId: false,
  version: true,
  value: true,
  flagVersion: false,
  variation: false,
  variationName: false,
  reasonKind: false,
  inExperiment: true,
  prereqOf: false,
  default: true,
  url: false,
  selector: false,
  metricValue: false,
  data: false
}

/** Each property type as JSON Schema; `json` is any JSON value, `null` included. */
const TYPE_SCHEMA: Readonly<Record<PropertyType, JsonObject>> = {
  string: { type: 'string' },
  integer: { type: 'integer', minimum: 0 },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  // contextKeys: {kind: key}, at least one kind, every key a non-empty string.
  object: { type: 'object', minProperties: 1, additionalProperties: { type: 'string', minLength: 1 } },
  datetime: { type: 'string', format: 'date-time' },
  json: {}
}

/** Properties whose text is never empty (an event without one is rejected, design §3.3). */
const NON_EMPTY: ReadonlySet<string> = new Set(['environment', 'project', 'key'])

function propertySchema(property: SchemaProperty): JsonObject {
  const schema: JsonObject = { description: textOf(property).description, ...TYPE_SCHEMA[property.type] }
  if (NON_EMPTY.has(property.name)) schema.minLength = 1
  return schema
}

/** The JSON Schema of one exported kind's Segment call: its properties exactly, nothing else. */
function callSchema(kind: ExportKind): JsonObject {
  const properties: JsonObject = {}
  const required: string[] = []
  for (const property of propertiesOf(kind)) {
    // timestamp is a field of the message itself, which Segment checks on its own.
    if (property.segment === 'timestamp') continue
    properties[property.name] = propertySchema(property)
    if (ALWAYS[property.name as PropertyName]) required.push(property.name)
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      context: {},
      traits: {},
      properties: { type: 'object', properties, required, additionalProperties: false }
    },
    required: ['properties']
  }
}

export function trackingPlan(): TrackingPlan {
  return {
    rules: EXPORT_KINDS.map((kind): TrackingPlanRule => {
      const { event } = SEGMENT_CALL[kind]
      const jsonSchema = callSchema(kind)
      return event === undefined
        ? { type: 'PAGE', version: 1, jsonSchema }
        : { type: 'TRACK', key: event, version: 1, jsonSchema }
    })
  }
}

/** The rule a Segment call of `type` (and `event`) is checked against, if the plan has one. */
export function ruleFor(plan: TrackingPlan, type: string, event: string | undefined): TrackingPlanRule | undefined {
  return plan.rules.find((rule) => rule.type === type.toUpperCase() && rule.key === event)
}
