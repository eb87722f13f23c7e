// Segment → LaunchDarkly (design §5): the destination's mapped fields in, a native
// LaunchDarkly analytics event out, read from the same schema declaration.

import { JsonObject, own } from './lib/json'
import { ExportKind } from './kinds'
import { propertiesOf } from './schema'
import { isReadBack, toLaunchDarklyValue } from './schema-reverse'

export type LaunchDarklyEvent = JsonObject & {
  kind: ExportKind
  creationDate: number
  key: string
  contextKeys: Record<string, string>
}

function writePath(target: JsonObject, path: string, value: unknown): void {
  const parts = path.split('.')
  let at = target
  for (const part of parts.slice(0, -1)) {
    if (own(at, part) === undefined) at[part] = {}
    at = at[part] as JsonObject
  }
  at[parts[parts.length - 1]] = value
}

/** Throws MappingError (errors.ts) naming the field that cannot become part of the event. */
export function toLaunchDarklyEvent(kind: ExportKind, fields: JsonObject): LaunchDarklyEvent {
  const event: JsonObject = { kind }
  for (const property of propertiesOf(kind)) {
    if (!isReadBack(property)) continue
    const value = toLaunchDarklyValue(property, own(fields, property.name), fields)
    if (value !== undefined && property.ld !== null) writePath(event, property.ld, value)
  }
  return event as LaunchDarklyEvent
}

/** An event exported from the environment it would be sent to must not go back (design §5). */
export function isEcho(fields: JsonObject, clientSideId: string): boolean {
  return own(fields, 'environment') === clientSideId
}
