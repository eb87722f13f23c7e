// Segment → LaunchDarkly (design §5): the destination's mapped fields in, a native
// LaunchDarkly analytics event out, read from the same schema declaration; and the legacy
// alias event, the way back of the alias call the source exports (design §3.2).

import { requiredValue } from './conversions'
import { MappingError } from './errors'
import { JsonObject, own } from './lib/json'
import { ExportKind } from './kinds'
import { propertiesOf } from './schema'
import { creationDateOf, isReadBack, toLaunchDarklyValue } from './schema-reverse'

/** What a destination builds: an event of an exported kind, or a legacy alias event. */
export type LaunchDarklyKind = ExportKind | 'alias'

export type LaunchDarklyEvent = JsonObject & {
  kind: LaunchDarklyKind
  creationDate: number
  key: string
}

/** A field of the alias event as the destinations map it: named like the Segment alias call's own field. */
export interface AliasField {
  readonly name: 'userId' | 'previousId' | 'timestamp'
  /** Where it lives in a Segment message; `previousId` falls back to `anonymousId` (identify calls). */
  readonly segment: 'userId' | 'previousId' | 'timestamp'
  readonly ld: 'key' | 'previousKey' | 'creationDate'
  readonly type: 'string' | 'datetime'
  readonly required: boolean
}

/**
 * LaunchDarkly's alias event, as SDKs before contexts send it and the source exports it
 * (`userId` = `key`, `previousId` = `previousKey`): a user who was anonymous, now known.
 */
export const ALIAS_FIELDS: readonly AliasField[] = [
  {
    name: 'userId',
    segment: 'userId',
    ld: 'key',
    type: 'string',
    required: true
  },
  {
    name: 'previousId',
    segment: 'previousId',
    ld: 'previousKey',
    type: 'string',
    required: true
  },
  {
    name: 'timestamp',
    segment: 'timestamp',
    ld: 'creationDate',
    type: 'datetime',
    required: false
  }
]

function writePath(target: JsonObject, path: string, value: unknown): void {
  const parts = path.split('.')
  let at = target
  for (const part of parts.slice(0, -1)) {
    if (own(at, part) === undefined) at[part] = {}
    at = at[part] as JsonObject
  }
  at[parts[parts.length - 1]] = value
}

function aliasEvent(fields: JsonObject, sentAt: number): LaunchDarklyEvent {
  const key = requiredValue(own(fields, 'userId'), 'string', 'userId', 'user key', MappingError) as string
  const previousKey = requiredValue(own(fields, 'previousId'), 'string', 'previousId', 'previous key', MappingError)
  return {
    kind: 'alias',
    key,
    contextKind: 'user',
    previousKey,
    previousContextKind: 'anonymousUser',
    creationDate: creationDateOf(own(fields, 'timestamp'), sentAt)
  }
}

/**
 * Throws MappingError (errors.ts) naming the field that cannot become part of the event.
 * `sentAt` (epoch milliseconds) stands in for a missing or unreadable timestamp.
 */
export function toLaunchDarklyEvent(kind: LaunchDarklyKind, fields: JsonObject, sentAt: number): LaunchDarklyEvent {
  if (kind === 'alias') return aliasEvent(fields, sentAt)
  const event: JsonObject = { kind }
  for (const property of propertiesOf(kind)) {
    if (!isReadBack(property)) continue
    const value = toLaunchDarklyValue(property, own(fields, property.name), fields, sentAt)
    if (value !== undefined && property.ld !== null) writePath(event, property.ld, value)
  }
  return event as LaunchDarklyEvent
}

/** An event exported from the environment it would be sent to must not go back (design §5). */
export function isEcho(fields: JsonObject, clientSideId: string): boolean {
  return own(fields, 'environment') === clientSideId
}
