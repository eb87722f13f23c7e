// design §3.9: deterministic message ids, and the hashing and JSON they rest on.

import { createHash } from 'crypto'
import { canonicalJson, convertDelivery, MessageIds, payloadIdFor, readDelivery, sha256Hex } from '../../shared'

const nodeSha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

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
