// The declaration's value sources (message-rules.ts) as Segment mapping directives, for the
// actions' field defaults and the presets' mappings.

import type { InputField } from '@segment/actions-core'
import type { MappedField, Source } from './message-rules'

type Default = NonNullable<InputField['default']>

const at = (path: string) => ({ '@path': `$.${path}` })

export function toDirective(source: Source): Default {
  if ('path' in source) return at(source.path)
  if ('ifExists' in source) {
    return { '@if': { exists: at(source.ifExists), then: toDirective(source.then), else: toDirective(source.else) } }
  }
  const object: Record<string, Default> = {}
  for (const [key, value] of Object.entries(source.object)) object[key] = toDirective(value)
  return object
}

/**
 * A field's mapping from `source`. Segment fields have no "any JSON" type, so JSON values
 * travel as JSON text (`@json` encode) and the sender decodes them (fields.ts).
 */
export function fieldMapping(field: Pick<MappedField, 'type'>, source: Source): Default {
  const value = toDirective(source)
  return field.type === 'json' ? { '@json': { mode: 'encode', value } } : value
}
