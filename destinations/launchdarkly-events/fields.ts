// The actions' fields, derived from the export schema (shared/schema.ts): one field per
// property the way back reads (shared/schema-reverse.ts), named like the Segment
// property, labelled and described as the schema says, defaulting to where LaunchDarkly's Segment Data Export
// puts it. A property added to the schema shows up here without an edit. The alias
// action's fields are the alias event's (shared/to-launchdarkly.ts), read the same way.

import type { InputField } from '@segment/actions-core'
import { ALIAS_TEXT, SCHEMA_TEXT } from './mapping'
import type { AliasField, JsonObject, LaunchDarklyKind, PropertyName, PropertyType } from './mapping'
import { fieldMapping } from './directives'
import { defaultSource, MappedField, mappedFields } from './message-rules'

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
  // Text, not Segment's datetime type, whose validation would refuse an unreadable
  // timestamp before the action could send the event with the time of sending.
  datetime: 'string',
  json: 'string'
}

const JSON_NOTE =
  'Mapped as JSON text: the default encodes the event property with the JSON function. Text that is not valid JSON is sent as a plain string.'

const TIMESTAMP_NOTE =
  'An ISO-8601 date or epoch milliseconds; when it is missing or cannot be read as a date, the time of sending.'

const CONTEXT_KEYS_NOTE =
  'Defaults to the event\'s contextKeys property, else {"user": userId or else anonymousId, "unauthenticatedUser": anonymousId} (the second key only when the event has an anonymousId), as Segment\'s LaunchDarkly destination keys it.'

/** What the Segment UI shows for a field: the schema property's text, or the alias event's. */
function textOf(kind: LaunchDarklyKind, field: MappedField): { label: string; description: string } {
  return kind === 'alias' ? ALIAS_TEXT[field.name as AliasField['name']] : SCHEMA_TEXT[field.name as PropertyName]
}

function fieldOf(kind: LaunchDarklyKind, field: MappedField): InputField {
  const { only } = field
  const { label, description } = textOf(kind, field)
  const notes = [description]
  if (field.name === 'contextKeys') notes.push(CONTEXT_KEYS_NOTE)
  if (field.type === 'json') notes.push(JSON_NOTE)
  if (field.type === 'datetime') notes.push(TIMESTAMP_NOTE)
  return {
    label,
    description: notes.join(' '),
    type: FIELD_TYPE[field.type],
    required: field.required,
    default: fieldMapping(field, defaultSource(field)),
    // Flag versions and variation indexes count from 0 (the reverse mapping rejects negatives).
    ...(field.type === 'integer' ? { minimum: only?.value ?? 0 } : {}),
    // A field that takes one value says so (Segment's UI and its generated tests read the bounds).
    ...(only ? { maximum: only.value } : {}),
    ...(field.type === 'object' ? { defaultObjectUI: 'keyvalue' as const } : {})
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
    'Maximum number of events in one request to LaunchDarkly. A batch LaunchDarkly finds too large is sent again in smaller pieces, sized by its bytes.',
  type: 'number',
  required: false,
  minimum: 1,
  maximum: 1000,
  default: 100
}

/** Every field of the action for `kind`, in schema order, then the delivery fields. */
export function fieldsFor(kind: LaunchDarklyKind): Record<string, InputField> {
  const fields: Record<string, InputField> = {}
  for (const field of mappedFields(kind)) fields[field.name] = fieldOf(kind, field)
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
export function schemaFieldsOf(kind: LaunchDarklyKind, payload: object): JsonObject {
  // Generated Payload interfaces have no index signature; the names read are the schema's.
  const mapped = payload as JsonObject
  const fields: JsonObject = {}
  for (const field of mappedFields(kind)) {
    const value = mapped[field.name]
    if (value !== undefined) fields[field.name] = field.type === 'json' ? fromJsonText(value) : value
  }
  return fields
}
