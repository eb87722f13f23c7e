// LaunchDarkly audit-log webhook entries (design §3.7) as Segment track calls.

import { assign, isArray, NativeDate } from './lib/builtins'
import { PayloadError } from './errors'
import { describe, isFiniteNumber, isNonEmptyString, JsonObject, own, ownAt } from './lib/json'
import { auditMessageId, Hash } from './message-id'
import { SegmentCall } from './segment'

/** Audit entries must not create a user profile in Segment. */
export const AUDIT_ANONYMOUS_ID = 'launchdarkly-audit-log'

export function isAuditEntry(value: JsonObject): boolean {
  return own(value, '_id') !== undefined && own(value, 'date') !== undefined && isArray(own(value, 'accesses'))
}

/** `flag` → `Flag`, `custom-role` → `Custom Role`, `relayProxyConfig` → `Relay Proxy Config`. */
function titleCase(kind: string): string {
  return kind
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((word) => word)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ')
}

const RESOURCE_KEYS: Record<string, string> = { proj: 'projectKey', env: 'environmentKey', flag: 'flagKey' }

/** `proj/default;tag:env/production:flag/my-flag` → {projectKey, environmentKey, flagKey}. */
function resourceKeys(resource: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (resource === undefined) return out
  for (const part of resource.split(':')) {
    const slash = part.indexOf('/')
    if (slash < 0) continue
    const property = own(RESOURCE_KEYS, part.slice(0, slash))
    // Tags after ';' qualify a resource; they are not part of its key.
    const key = part.slice(slash + 1).split(';')[0]
    if (typeof property === 'string' && key && key !== '*') out[property] = key
  }
  return out
}

function invalid(field: string, wanted: string, value: unknown): PayloadError {
  return new PayloadError(`audit-log entry ${field} must be ${wanted}, found ${describe(value)}`)
}

export function auditEntryToCall(entry: JsonObject, hash?: Hash): SegmentCall {
  const id = own(entry, '_id')
  const date = own(entry, 'date')
  const kind = own(entry, 'kind')
  if (!isNonEmptyString(id)) throw invalid('_id', 'a non-empty string', id)
  if (!isFiniteNumber(date) || !isFiniteNumber(new NativeDate(date).getTime()))
    throw invalid('date', 'epoch milliseconds', date)
  if (!isNonEmptyString(kind)) throw invalid('kind', 'a non-empty string', kind)

  const actions: string[] = []
  const resources: string[] = []
  ;(own(entry, 'accesses') as unknown[]).forEach((access, i) => {
    const action = ownAt(access, 'action')
    const resource = ownAt(access, 'resource')
    if (typeof action !== 'string' || typeof resource !== 'string') {
      throw invalid(`accesses[${i}]`, 'an object with string action and resource', access)
    }
    actions.push(action)
    resources.push(resource)
  })

  const properties: JsonObject = { entryId: id, kind }
  for (const field of ['name', 'title', 'titleVerb']) {
    const value = own(entry, field)
    if (typeof value === 'string') properties[field] = value
  }
  assign(properties, { actions, resources }, resourceKeys(resources[0]))
  const memberId = ownAt(entry, 'member', '_id')
  if (typeof memberId === 'string') properties.memberId = memberId

  return {
    type: 'track',
    message: {
      event: `${titleCase(kind)} Changed`,
      anonymousId: AUDIT_ANONYMOUS_ID,
      properties,
      timestamp: new NativeDate(date).toISOString(),
      messageId: auditMessageId(id, hash)
    }
  }
}
