// The actions' fields, derived from the export schema (shared/schema.ts): one field per
// property that travels to LaunchDarkly, named like the Segment property, labelled and
// described as the schema says, defaulting to where LaunchDarkly's Segment Data Export
// puts it. A property added to the schema shows up here without an edit.

import type { InputField } from '@segment/actions-core'
import { EXPORT_SCHEMA, isSentToLaunchDarkly, propertiesOf, textOf } from './core'
import type { ExportKind, JsonObject, PropertyType, SchemaProperty } from './core'

type Default = NonNullable<InputField['default']>

const at = (path: string) => ({ '@path': path })

/**
 * Segment fields have no "any JSON" type: `object` rejects the booleans, strings and
 * numbers a flag can serve, and a field without a type cannot be registered. So JSON
 * values travel as JSON text in a string field (the `@json` mapping function encodes
 * them) and the sender decodes them: lossless for every JSON value, null included.
 */
const FIELD_TYPE: Record<PropertyType, InputField['type']> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  object: 'object',
  datetime: 'datetime',
  json: 'string'
}

const JSON_NOTE =
  'Mapped as JSON text: the default encodes the event property with the JSON function. Text that is not valid JSON is sent as a plain string.'

/** design §5: exported events carry contextKeys; an ordinary Segment call is about its user. */
export const CONTEXT_KEYS_DEFAULT: Default = {
  '@if': {
    exists: at('$.properties.contextKeys'),
    then: at('$.properties.contextKeys'),
    else: {
      '@if': {
        exists: at('$.userId'),
        then: { user: at('$.userId') },
        else: { user: at('$.anonymousId') }
      }
    }
  }
}

const CONTEXT_KEYS_NOTE =
  'Defaults to the event\'s contextKeys property, else {"user": userId}, else {"user": anonymousId}.'

/** `@json` encode: any JSON value (or nothing) in, JSON text (or nothing) out. */
export function asJsonText<Source>(source: Source): { '@json': { mode: 'encode'; value: Source } } {
  return { '@json': { mode: 'encode', value: source } }
}

/** Where the property sits in a Segment message, as a mapping path. */
export function segmentPath(property: SchemaProperty): string {
  return `$.${property.segment}`
}

function fieldOf(property: SchemaProperty): InputField {
  const isContextKeys = property.name === 'contextKeys'
  const source: Default = isContextKeys ? CONTEXT_KEYS_DEFAULT : at(segmentPath(property))
  const text = textOf(property)
  const notes = [text.description]
  if (isContextKeys) notes.push(CONTEXT_KEYS_NOTE)
  if (property.type === 'json') notes.push(JSON_NOTE)
  return {
    label: text.label,
    description: notes.join(' '),
    type: FIELD_TYPE[property.type],
    required: property.required,
    default: property.type === 'json' ? asJsonText(source) : source,
    ...(property.type === 'object' ? { defaultObjectUI: 'keyvalue' as const } : {})
  }
}

/** The schema properties an action of `kind` sends to LaunchDarkly. */
export function sentProperties(kind: ExportKind): readonly SchemaProperty[] {
  return propertiesOf(kind).filter(isSentToLaunchDarkly)
}

function schemaProperty(name: string): SchemaProperty {
  const property = EXPORT_SCHEMA.find((p) => p.name === name)
  if (!property) throw new Error(`the export schema has no ${name} property`)
  return property
}

/** Read by the echo guard only: the event is never sent with it. */
function environmentField(): InputField {
  const property = schemaProperty('environment')
  const { label, description } = textOf(property)
  return {
    label,
    description,
    type: 'string',
    required: false,
    default: at(segmentPath(property))
  }
}

const MESSAGE_ID: InputField = {
  label: 'Segment message ID',
  description:
    'The Segment messageId. The request header X-LaunchDarkly-Payload-ID is derived from the messageIds of a batch, so a batch that Segment retries carries the same ID and LaunchDarkly drops the repeat.',
  type: 'string',
  required: false,
  unsafe_hidden: true,
  default: at('$.messageId')
}

const ENABLE_BATCHING: InputField = {
  label: 'Send in batches',
  description: 'When enabled, Segment sends events to LaunchDarkly in batches: one request per batch.',
  type: 'boolean',
  required: false,
  default: true
}

const BATCH_SIZE: InputField = {
  label: 'Batch size',
  description:
    'Maximum number of events in one request to LaunchDarkly. A batch LaunchDarkly finds too large is split in halves and sent again.',
  type: 'number',
  required: false,
  minimum: 1,
  maximum: 1000,
  default: 100
}

/** Every field of the action for `kind`, in schema order, then the delivery fields. */
export function fieldsFor(kind: ExportKind): Record<string, InputField> {
  const fields: Record<string, InputField> = {}
  for (const property of sentProperties(kind)) fields[property.name] = fieldOf(property)
  fields.environment = environmentField()
  fields.messageId = MESSAGE_ID
  fields.enable_batching = ENABLE_BATCHING
  fields.batch_size = BATCH_SIZE
  return fields
}

function fromJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/**
 * A mapped payload as the schema-named fields the core module's reverse mapping reads:
 * JSON-text fields decoded, delivery fields (messageId, batching) left out.
 */
export function schemaFieldsOf(kind: ExportKind, payload: object): JsonObject {
  // Generated Payload interfaces have no index signature; the names read are the schema's.
  const mapped = payload as JsonObject
  const fields: JsonObject = {}
  for (const property of sentProperties(kind)) {
    const value = mapped[property.name]
    if (value !== undefined) fields[property.name] = property.type === 'json' ? fromJsonText(value) : value
  }
  if (mapped.environment !== undefined) fields.environment = mapped.environment
  return fields
}
