// design §3.7: audit-log entries as Segment track calls (mapping only; signatures are the
// source function's job).

import { auditEntryToCall, convertDelivery, PayloadError, readDelivery, sha256Hex } from '../../shared'
import signed from '../fixtures/audit-webhook-signature.json'
import { AUDIT_FIXTURE_CALL } from '../fixtures/audit-webhook-signature.expected'

test('the captured audit entry', () => {
  expect(convertDelivery(readDelivery(signed.rawBody)).calls).toEqual([AUDIT_FIXTURE_CALL])
})

test('a full entry: title, member, several accesses, tags; versions are not exported', () => {
  const entry = {
    _id: '61f0',
    _accountId: 'acct',
    date: 1700000000000,
    kind: 'custom-role',
    name: 'Reviewers',
    description: 'long text',
    title: 'Ada updated the role',
    titleVerb: 'updated the role',
    member: { _id: 'm-1', email: 'ada@example.com' },
    accesses: [
      { action: 'updateName', resource: 'proj/web;mobile,beta:env/*:segment/vip' },
      { action: 'updatePolicy', resource: 'role/reviewers' }
    ],
    currentVersion: { huge: 'x'.repeat(1000) },
    previousVersion: { huge: 'y' }
  }
  expect(auditEntryToCall(entry)).toEqual({
    type: 'track',
    message: {
      event: 'Custom Role Changed',
      anonymousId: 'launchdarkly-audit-log',
      properties: {
        entryId: '61f0',
        kind: 'custom-role',
        name: 'Reviewers',
        title: 'Ada updated the role',
        titleVerb: 'updated the role',
        actions: ['updateName', 'updatePolicy'],
        resources: ['proj/web;mobile,beta:env/*:segment/vip', 'role/reviewers'],
        projectKey: 'web',
        memberId: 'm-1'
      },
      timestamp: '2023-11-14T22:13:20.000Z',
      messageId: 'ld-' + sha256Hex('61f0').slice(0, 32)
    }
  })
})

test.each([
  ['segment', 'Segment Changed'],
  ['environment', 'Environment Changed'],
  ['relayProxyConfig', 'Relay Proxy Config Changed'],
  ['member_role', 'Member Role Changed']
])('kind %s → %s', (kind, event) => {
  const call = auditEntryToCall({ _id: 'x', date: 1, kind, accesses: [] })
  expect(call.type === 'track' && call.message.event).toBe(event)
})

test.each([
  [
    { _id: '', date: 1, kind: 'flag', accesses: [] },
    'audit-log entry _id must be a non-empty string, found empty string'
  ],
  [
    { _id: 'a', date: 'yesterday', kind: 'flag', accesses: [] },
    'audit-log entry date must be epoch milliseconds, found string'
  ],
  [{ _id: 'a', date: 1, accesses: [] }, 'audit-log entry kind must be a non-empty string, found undefined'],
  [
    { _id: 'a', date: 1, kind: 'flag', accesses: [{ action: 'x' }] },
    'audit-log entry accesses[0] must be an object with string action and resource, found object'
  ]
])('an invalid entry fails the delivery: %j', (entry, message) => {
  expect(() => readDelivery(JSON.stringify(entry))).toThrow(new PayloadError(message))
})
