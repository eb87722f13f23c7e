// Contexts (design §3.5): every way an event names who it is about, reduced to
// `contextKeys` ({kind: key}), plus Segment's userId / anonymousId.

import { defineProperty, keysOf, toJson } from './lib/builtins'
import { EventRejection } from './errors'
import { describe, isObject, own, JsonObject } from './lib/json'

export type ContextKeys = Record<string, string>

/**
 * Legacy SDKs' `contextKind` of an anonymous user. In the context model that is a `user`
 * context marked anonymous, not a kind of its own: it becomes `{user: key}` and a
 * `userId`, as the same visitor from a context SDK does, and an experiment randomized by
 * `user` counts it when it goes back to LaunchDarkly.
 */
const ANONYMOUS_USER = 'anonymousUser'

// LaunchDarkly's rule for kind names; "kind" and "multi" are reserved.
const KIND_PATTERN = /^[A-Za-z0-9._-]+$/

function isValidKind(kind: unknown): kind is string {
  return typeof kind === 'string' && KIND_PATTERN.test(kind) && kind !== 'kind' && kind !== 'multi'
}

// The checks below are inline where they run per kind of an event: the texts of their
// failures (some built from input) are made only when they fail.

function invalidKind(where: string, kind: unknown): EventRejection {
  return new EventRejection(`${where} is not a valid context kind (${describeKind(kind)})`)
}

function checkKind(kind: unknown, where: string): string {
  if (!isValidKind(kind)) throw invalidKind(where, kind)
  return kind
}

function describeKind(kind: unknown): string {
  return typeof kind === 'string' ? toJson(kind.slice(0, 64)) : describe(kind)
}

function isKey(key: unknown): key is string {
  return typeof key === 'string' && key.length > 0
}

function invalidKey(where: string, kind: string, key: unknown): EventRejection {
  return new EventRejection(`${where} for kind "${kind}" must be a non-empty string, found ${describe(key)}`)
}

function checkKey(key: unknown, kind: string, where: string): string {
  if (!isKey(key)) throw invalidKey(where, kind, key)
  return key
}

/** Sets a kind's key by plain assignment, except "__proto__", which assignment would treat as the prototype. */
function setKey(keys: ContextKeys, kind: string, key: string): void {
  if (kind === '__proto__')
    defineProperty(keys, kind, { value: key, enumerable: true, writable: true, configurable: true })
  else keys[kind] = key
}

/**
 * The event's context as `{kind: key}`. `contextKeys` wins when present, then `context`,
 * then the legacy `user` object or `userKey` (+ `contextKind`).
 */
export function contextKeysOf(event: JsonObject): ContextKeys {
  const given = own(event, 'contextKeys')
  if (given !== undefined) return checkedContextKeys(given, 'contextKeys')

  const context = own(event, 'context')
  if (context !== undefined) return fromContext(context)

  const user = own(event, 'user')
  if (user !== undefined) {
    if (!isObject(user)) throw new EventRejection(`user must be an object, found ${describe(user)}`)
    return { user: checkKey(own(user, 'key'), 'user', 'user.key') }
  }

  const userKey = own(event, 'userKey')
  if (userKey !== undefined) {
    const contextKind = own(event, 'contextKind') ?? 'user'
    if (contextKind !== 'user' && contextKind !== ANONYMOUS_USER) {
      throw new EventRejection(`contextKind must be "user" or "anonymousUser", found ${describeKind(contextKind)}`)
    }
    return { user: checkKey(userKey, 'user', 'userKey') }
  }
  throw new EventRejection('event has no context (expected context, contextKeys, user or userKey)')
}

/**
 * Validates a `{kind: key}` object; also used for the destination's mapped contextKeys.
 * The legacy kind name `anonymousUser` is read as `user` (see ANONYMOUS_USER), in both
 * directions: an export of an older version of this bundle carries it.
 */
export function checkedContextKeys(value: unknown, where: string): ContextKeys {
  if (!isObject(value)) throw new EventRejection(`${where} must be an object, found ${describe(value)}`)
  const kinds = keysOf(value)
  const keys: ContextKeys = {}
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i]
    if (!isValidKind(kind)) throw invalidKind(`${where} key ${describeKind(kind)}`, kind)
    const key = value[kind]
    if (!isKey(key)) throw invalidKey(`${where} key`, kind, key)
    setKey(keys, kind === ANONYMOUS_USER ? 'user' : kind, key)
  }
  if (kinds.length === 0) throw new EventRejection(`${where} is empty`)
  if (kinds.includes(ANONYMOUS_USER) && kinds.includes('user'))
    throw new EventRejection(
      `${where} has both "user" and "anonymousUser" (the legacy name of an anonymous user, read as "user")`
    )
  return keys
}

function fromContext(context: unknown): ContextKeys {
  if (!isObject(context)) throw new EventRejection(`context must be an object, found ${describe(context)}`)
  const kind = own(context, 'kind') ?? 'user'
  const keys: ContextKeys = {}
  if (kind !== 'multi') {
    const single = checkKind(kind, 'context.kind')
    setKey(keys, single, checkKey(own(context, 'key'), single, 'context.key'))
    return keys
  }
  const kinds = keysOf(context)
  let count = 0
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i]
    if (k === 'kind' || k === '_meta') continue
    const part = context[k]
    if (!isValidKind(k)) throw invalidKind(`multi-kind context kind ${describeKind(k)}`, k)
    if (!isObject(part)) throw new EventRejection(`context.${k} must be an object, found ${describe(part)}`)
    const key = own(part, 'key')
    if (!isKey(key)) throw invalidKey(`context.${k}.key`, k, key)
    setKey(keys, k, key)
    count++
  }
  if (count === 0) throw new EventRejection('multi-kind context has no kinds')
  return keys
}

function escapeKey(key: string): string {
  return key.replace(/%/g, '%25').replace(/:/g, '%3A')
}

/** LaunchDarkly's canonical key: the key for a lone user, else sorted `kind:key` pairs. */
export function canonicalKey(keys: ContextKeys): string {
  const kinds = keysOf(keys).sort()
  if (kinds.length === 1 && kinds[0] === 'user') return keys.user
  return kinds.map((kind) => `${kind}:${escapeKey(keys[kind])}`).join(':')
}

/**
 * Sets Segment's identity on a message: userId from the user kind, else an anonymousId
 * (never both); returns it. Onto the message rather than as an object: once per event.
 */
export function identify(message: JsonObject, keys: ContextKeys): string {
  const user = own(keys, 'user')
  return typeof user === 'string' ? (message.userId = user) : (message.anonymousId = canonicalKey(keys))
}
