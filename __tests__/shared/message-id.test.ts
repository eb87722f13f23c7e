// design §3.9: deterministic message ids, and the hashing and JSON they rest on.

import { createHash } from 'crypto'
import fc from 'fast-check'
import {
  auditMessageId,
  canonicalJsonBytes,
  convertDelivery,
  MessageIds,
  payloadIdFor,
  readDelivery,
  sha256Hex
} from '../../shared'

const nodeSha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')
const canonicalJson = (value: unknown): string => Buffer.from(canonicalJsonBytes(value)).toString('utf8')

test('sha256Hex agrees with Node for ASCII, multi-byte text, surrogate pairs and block edges', () => {
  for (const text of [
    '',
    'abc',
    'a'.repeat(55),
    'a'.repeat(56),
    'a'.repeat(64),
    'a'.repeat(1000),
    'héllo wörld',
    '😀 emoji',
    '中文'
  ]) {
    expect(sha256Hex(text)).toBe(nodeSha(text))
  }
})

test('canonicalJson sorts keys at every depth and keeps array order', () => {
  expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, e: 'x' })).toBe(
    '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1,"e":"x"}'
  )
  expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}')
})

test('an event id is hashed with its environment', () => {
  expect(new MessageIds().forEvent('env', { kind: 'custom' }, 'id-1')).toBe('ld-' + nodeSha('env|id-1').slice(0, 32))
})

test('without an id: environment, canonical JSON and the count of earlier identical events', () => {
  const ids = new MessageIds()
  const event = { kind: 'custom', key: 'k' }
  const first = ids.forEvent('env', event, undefined)
  const second = ids.forEvent('env', { key: 'k', kind: 'custom' }, undefined)
  expect(first).toBe('ld-' + nodeSha('env|{"key":"k","kind":"custom"}|0').slice(0, 32))
  expect(second).toBe('ld-' + nodeSha('env|{"key":"k","kind":"custom"}|1').slice(0, 32))
  expect(new MessageIds().forEvent('other-env', event, undefined)).not.toBe(first)
})

test('a `|` or `%` in the environment or the id is escaped: `%25`, `%7C`', () => {
  const id = (environment: string, eventId: string) => new MessageIds().forEvent(environment, {}, eventId)
  expect(id('x', 'y|z')).toBe('ld-' + nodeSha('x|y%7Cz').slice(0, 32))
  expect(id('x|y', 'z')).toBe('ld-' + nodeSha('x%7Cy|z').slice(0, 32))
  expect(id('x', 'y|z')).not.toBe(id('x|y', 'z'))
  expect(id('a%7Cb', 'c')).toBe('ld-' + nodeSha('a%257Cb|c').slice(0, 32))
  expect(id('a%7Cb', 'c')).not.toBe(id('a|b', 'c'))
  const event = { kind: 'custom', key: 'k' }
  expect(new MessageIds().forEvent('e|1', event, undefined)).toBe(
    'ld-' + nodeSha('e%7C1|{"key":"k","kind":"custom"}|0').slice(0, 32)
  )
  expect(auditMessageId('a|b')).toBe('ld-' + nodeSha('a%7Cb').slice(0, 32))
  expect(auditMessageId('x|y')).not.toBe(id('x', 'y'))
})

test('no two different (environment, id) or (environment, event) inputs share a messageId', () => {
  // Few parts, made of the characters that matter, so that would-be collisions are common:
  // `x`+`y|z` and `x|y`+`z`, `%7C` and `|`, an id that reads like an event's `{}|0`.
  const part = fc.constantFrom('', 'a', '|', 'a|', '|a', 'a|a', '%', '%7C', 'a%7Ca', '{}|0', '%257C')
  const input = fc.oneof(
    fc.record({ environment: part, id: part }),
    fc.record({ environment: part, event: fc.dictionary(fc.constant('k'), part, { maxKeys: 1 }) })
  )
  const idOf = (i: { environment: string; id?: string; event?: Record<string, string> }) =>
    new MessageIds().forEvent(i.environment, i.event ?? {}, i.id)
  fc.assert(
    fc.property(input, input, (a, b) => {
      const same = canonicalJson(a) === canonicalJson(b)
      expect(idOf(a) === idOf(b)).toBe(same)
    }),
    { numRuns: 5000 }
  )
})

test('an injected hash gives the same ids', () => {
  const body = JSON.stringify([{ kind: 'custom', key: 'k', creationDate: 1, contextKeys: { user: 'u' } }])
  const a = convertDelivery(readDelivery(body, { projectId: 'p', environmentId: 'e' }))
  const b = convertDelivery(readDelivery(body, { projectId: 'p', environmentId: 'e', hash: nodeSha }))
  expect(a.calls).toEqual(b.calls)
})

test("payload ids are UUIDs derived from the batch's message ids", () => {
  const id = payloadIdFor(['m1', 'm2'])
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  expect(payloadIdFor(['m1', 'm2'])).toBe(id)
  expect(payloadIdFor(['m2', 'm1'])).not.toBe(id)
  expect(payloadIdFor(['m1'])).not.toBe(id)
})
