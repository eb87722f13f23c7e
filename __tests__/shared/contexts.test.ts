// design §3.5: every way an event names its context, identities and canonical keys.

import { canonicalKey, contextKeysOf, EventRejection, identify } from '../../shared'
import type { ContextKeys } from '../../shared'

describe('contextKeysOf', () => {
  test.each([
    ['single-kind context (kind defaults to user)', { context: { key: 'u1', name: 'Ada' } }, { user: 'u1' }],
    ['single-kind non-user context', { context: { kind: 'org', key: 'o1' } }, { org: 'o1' }],
    [
      'multi-kind context, _meta ignored',
      { context: { kind: 'multi', user: { key: 'u1' }, org: { key: 'o1', _meta: {} } } },
      { user: 'u1', org: 'o1' }
    ],
    ['contextKeys as given', { contextKeys: { device: 'd1', user: 'u1' } }, { device: 'd1', user: 'u1' }],
    ['contextKeys win over context', { contextKeys: { org: 'o1' }, context: { key: 'u1' } }, { org: 'o1' }],
    ['legacy user object', { user: { key: 'u1', email: 'x' } }, { user: 'u1' }],
    ['legacy userKey', { userKey: 'u1' }, { user: 'u1' }],
    // A legacy anonymous user is a user context marked anonymous, as a context SDK has it.
    ['legacy userKey of an anonymous user', { userKey: 'a1', contextKind: 'anonymousUser' }, { user: 'a1' }],
    [
      'the legacy kind name in contextKeys',
      { contextKeys: { anonymousUser: 'a1', org: 'o1' } },
      { user: 'a1', org: 'o1' }
    ]
  ])('%s', (_name, event, keys) => {
    expect(contextKeysOf(event)).toEqual(keys)
  })

  test.each([
    ['no context at all', {}, 'event has no context (expected context, contextKeys, user or userKey)'],
    ['context not an object', { context: 'u1' }, 'context must be an object, found string'],
    [
      'empty key',
      { context: { key: '' } },
      'context.key for kind "user" must be a non-empty string, found empty string'
    ],
    [
      'missing key',
      { context: { kind: 'org' } },
      'context.key for kind "org" must be a non-empty string, found undefined'
    ],
    ['invalid kind', { context: { kind: 'o r g', key: 'x' } }, 'context.kind is not a valid context kind ("o r g")'],
    ['kind not a string', { context: { kind: 3, key: 'x' } }, 'context.kind is not a valid context kind (number)'],
    ['multi with no kinds', { context: { kind: 'multi' } }, 'multi-kind context has no kinds'],
    [
      'multi part not an object',
      { context: { kind: 'multi', org: 'o1' } },
      'context.org must be an object, found string'
    ],
    [
      'multi part with numeric key',
      { context: { kind: 'multi', org: { key: 1 } } },
      'context.org.key for kind "org" must be a non-empty string, found number'
    ],
    ['contextKeys not an object', { contextKeys: ['u1'] }, 'contextKeys must be an object, found array'],
    ['contextKeys empty', { contextKeys: {} }, 'contextKeys is empty'],
    [
      'contextKeys with null key',
      { contextKeys: { user: null } },
      'contextKeys key for kind "user" must be a non-empty string, found null'
    ],
    [
      'contextKeys with the reserved kind "kind"',
      { contextKeys: { kind: 'x' } },
      'contextKeys key "kind" is not a valid context kind ("kind")'
    ],
    [
      'contextKeys naming a user twice, once by the legacy name',
      { contextKeys: { user: 'u1', anonymousUser: 'a1' } },
      'contextKeys has both "user" and "anonymousUser" (the legacy name of an anonymous user, read as "user")'
    ],
    [
      'legacy user without key',
      { user: { name: 'x' } },
      'user.key for kind "user" must be a non-empty string, found undefined'
    ],
    ['legacy user not an object', { user: 'u1' }, 'user must be an object, found string'],
    [
      'legacy contextKind of another kind',
      { userKey: 'x', contextKind: 'org' },
      'contextKind must be "user" or "anonymousUser", found "org"'
    ]
  ])('rejects %s', (_name, event, message) => {
    expect(() => contextKeysOf(event)).toThrow(new EventRejection(message))
  })

  test('a "__proto__" kind stays an own property and pollutes nothing', () => {
    const keys = contextKeysOf(JSON.parse('{"contextKeys":{"__proto__":"p1","user":"u1"}}'))
    expect(Object.getPrototypeOf(keys)).toBe(Object.prototype)
    expect(Object.keys(keys)).toEqual(['__proto__', 'user'])
    expect(({} as Record<string, unknown>).p1).toBeUndefined()
  })
})

describe('canonicalKey', () => {
  test.each([
    [{ user: 'u1' }, 'u1'],
    [{ user: 'a:b%c' }, 'a:b%c'],
    [{ org: 'o1' }, 'org:o1'],
    [{ org: 'a:b%c' }, 'org:a%3Ab%25c'],
    [{ user: 'u:1', org: 'o%1', device: 'd' }, 'device:d:org:o%251:user:u%3A1']
  ])('%j → %s', (keys, key) => {
    expect(canonicalKey(keys)).toBe(key)
  })
})

/** The identity fields `identify` sets on an empty message. */
function identityOf(keys: ContextKeys): Record<string, unknown> {
  const message = {}
  identify(message, keys)
  return message
}

describe('identify', () => {
  test('the user kind gives the userId', () => {
    expect(identityOf({ org: 'o1', user: 'u1' })).toEqual({ userId: 'u1' })
  })
  test('a legacy anonymous user is a user: it gets the userId', () => {
    expect(identityOf(contextKeysOf({ userKey: 'a1', contextKind: 'anonymousUser' }))).toEqual({ userId: 'a1' })
  })
  test('otherwise the canonical key is the anonymousId', () => {
    expect(identityOf({ org: 'o1', device: 'd:1' })).toEqual({ anonymousId: 'device:d%3A1:org:o1' })
  })
})
