// The metadata.json that segmentio/action-destinations keeps beside each destination (its CI
// step "Assert metadata payloads are up-to-date" regenerates every one and fails on a
// difference): the public shape of the definition, every optional key present (null when
// unset), in the order that repository's `./bin/run generate:metadata-payload` writes
// them, as JSON.stringify with two spaces and a final newline (its Prettier ignores
// metadata.json). Written here from our own reading of that format; a test compares the
// exported file with this function's output for the definition under the monorepo's
// toolchain (.ci/actions-monorepo).

import type { DestinationDefinition, InputField } from '@segment/actions-core'

// `undefined` stands for a key that JSON.stringify leaves out, as the monorepo's generator does for a few.
type Json = undefined | null | boolean | number | string | Json[] | { [key: string]: Json }
// Definitions are read loosely: a field may carry keys our actions-core's types do not name.
type Loose = Record<string, unknown>

function choicesOf(choices: unknown): Json {
  if (!Array.isArray(choices) || choices.length === 0) return null
  return choices.map((choice: unknown) =>
    typeof choice === 'object' && choice !== null && 'label' in choice && 'value' in choice
      ? (choice as { [key: string]: Json })
      : { label: String(choice), value: choice as Json }
  )
}

/** `required` as published: a conditions object as it is, else whether it is exactly true. */
function requiredOf(required: unknown): Json {
  return typeof required === 'object' && required !== null ? (required as Json) : required === true
}

const orNull = (value: unknown): Json => (value ?? null) as Json

function settingOf(field: Loose): Json {
  return {
    label: field.label as Json,
    description: field.description as Json,
    type: field.type as Json,
    required: requiredOf(field.required),
    multiple: (field.multiple ?? false) as Json,
    choices: choicesOf(field.choices),
    default: orNull(field.default),
    depends_on: orNull(field.depends_on)
  }
}

function fieldOf(field: Loose): Json {
  let properties: Json = null
  if (field.type === 'object' && typeof field.properties === 'object' && field.properties !== null) {
    properties = {}
    for (const [key, property] of Object.entries(field.properties as Record<string, Loose>)) {
      properties[key] = fieldOf(property)
    }
  }
  return {
    label: field.label as Json,
    description: field.description as Json,
    type: field.type as Json,
    required: requiredOf(field.required),
    multiple: (field.multiple ?? false) as Json,
    allowNull: (field.allowNull ?? false) as Json,
    dynamic: typeof field.dynamic === 'function' ? true : ((field.dynamic ?? false) as Json),
    default: orNull(field.default),
    choices: choicesOf(field.choices),
    placeholder: orNull(field.placeholder),
    properties,
    category: orNull(field.category),
    depends_on: orNull(field.depends_on),
    readOnly: orNull(field.readOnly),
    hidden: orNull(field.unsafe_hidden),
    minimum: orNull(field.minimum),
    maximum: orNull(field.maximum),
    defaultObjectUI: orNull(field.defaultObjectUI),
    disabledInputMethods: orNull(field.disabledInputMethods),
    displayMode: orNull(field.displayMode),
    format: orNull(field.format),
    additionalProperties: (field.additionalProperties ?? false) as Json
  }
}

function recordOf<T>(
  entries: Record<string, T> | undefined,
  each: (value: T, key: string) => Json
): { [key: string]: Json } {
  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(entries ?? {})) out[key] = each(value, key)
  return out
}

/**
 * The public metadata of a cloud destination without hooks, dynamic fields, sync modes or
 * audiences (this one has none; the definition is refused if it grows one, so that this
 * never writes a payload the monorepo's generator would write differently).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function publicMetadata(definition: DestinationDefinition<any>): Json {
  const loose = definition as unknown as Loose
  for (const key of ['audienceConfig', 'audienceFields']) {
    if (loose[key] !== undefined) throw new TypeError(`metadata: ${key} is not supported here`)
  }
  const actions = recordOf(definition.actions as unknown as Record<string, Loose>, (action, key) => {
    for (const key of ['hooks', 'dynamicFields', 'syncMode']) {
      if (action[key] !== undefined) throw new TypeError(`metadata: an action's ${key} is not supported here`)
    }
    return {
      title: (action.title ?? key) as Json,
      description: (action.description ?? '') as Json,
      platform: action.platform === 'web' ? 'web' : 'cloud',
      defaultSubscription: orNull(action.defaultSubscription),
      hidden: (action.hidden ?? false) as Json,
      hasPerformBatch: typeof action.performBatch === 'function',
      syncMode: null,
      hooks: null,
      dynamicFields: null,
      fields: recordOf(action.fields as Record<string, InputField>, (field) => fieldOf(field as unknown as Loose))
    }
  })
  const authentication = definition.authentication
  return {
    slug: definition.slug as Json,
    name: definition.name,
    mode: (definition.mode ?? 'cloud') as Json,
    description: definition.description as Json,
    authentication: authentication
      ? {
          scheme: authentication.scheme,
          fields: recordOf(authentication.fields as unknown as Record<string, Loose>, settingOf)
        }
      : null,
    audienceConfig: null,
    actions,
    presets: (definition.presets ?? []).map((preset) => {
      const p = preset as unknown as Loose
      return {
        name: p.name as Json,
        type: p.type as Json,
        partnerAction: p.partnerAction as Json,
        subscribe: p.subscribe as Json,
        mapping: (p.mapping ?? {}) as Json,
        eventSlug: orNull(p.eventSlug)
      }
    })
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function publicMetadataJson(definition: DestinationDefinition<any>): string {
  return JSON.stringify(publicMetadata(definition), null, 2) + '\n'
}
