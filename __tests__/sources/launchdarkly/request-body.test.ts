// The built source function in a runtime that gives it only what Segment documents:
// `request.json()`, `headers` and `url`, no `request.text()` (design §4). JSON bodies work
// as before; NDJSON and X-LD-Signature need the raw body, and say so when they are needed.

import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_CALLS } from '../../fixtures/node-server-sdk-bulk.expected'
import signed from '../../fixtures/audit-webhook-signature.json'
import { AUDIT_FIXTURE_CALL } from '../../fixtures/audit-webhook-signature.expected'
import { failure, loadSource, SETTINGS, useLocalNetworkOnly } from './helpers'

useLocalNetworkOnly()

const WITHOUT_TEXT = { requestText: false }

test('an SDK batch: the same 15 Segment calls as with the raw body', async () => {
  const source = await loadSource(WITHOUT_TEXT)
  const result = await source.invoke(
    { body: JSON.stringify(fixture.body), headers: fixture.headers, url: '/bulk' },
    SETTINGS
  )
  expect(result).toMatchObject({ ok: true, returned: { emitted: 15 } })
  expect(result.calls).toEqual(SDK_FIXTURE_CALLS)
})

test('NDJSON cannot be read from the parsed body: InvalidEventPayload says why', async () => {
  const source = await loadSource(WITHOUT_TEXT)
  const events = (fixture.body as unknown[]).slice(0, 3).map((event) => JSON.stringify(event))
  const result = await source.invoke({ body: events.join('\n') }, SETTINGS)
  expect(failure(result)).toEqual({
    name: 'InvalidEventPayload',
    message:
      'Expected a Pub/Sub push, an audit-log entry, a Data Export record, a LaunchDarkly SDK event, a JSON array of records and events, or NDJSON; found a body that is not JSON, and this runtime gives the function no raw body (request.text()) to read NDJSON from'
  })
  // With request.text(), the same body is read as NDJSON.
  const withText = await loadSource()
  expect(await withText.invoke({ body: events.join('\n') }, SETTINGS)).toMatchObject({ ok: true })
})

test('an audit-log entry with webhookSecret set: ValidationError, as its signature cannot be checked', async () => {
  const source = await loadSource(WITHOUT_TEXT)
  const result = await source.invoke(
    { body: signed.rawBody, headers: signed.headers },
    { ...SETTINGS, webhookSecret: signed.secret }
  )
  expect(failure(result)).toEqual({
    name: 'ValidationError',
    message:
      'Cannot check X-LD-Signature: it signs the raw body, and this runtime gives the function only the parsed body (no request.text()). Use the ingestToken setting to protect this source instead of webhookSecret'
  })
  expect(result.logs).toEqual(['launchdarkly: X-LD-Signature not checked before parsing: no raw body (request.text())'])
  expect(result.calls).toEqual([])
})

test('an audit-log entry without webhookSecret, guarded by the ingest token: accepted', async () => {
  const source = await loadSource(WITHOUT_TEXT)
  const result = await source.invoke(
    { body: signed.rawBody, headers: { ...signed.headers, authorization: 'Bearer ingest-token-123456' } },
    { ...SETTINGS, ingestToken: 'ingest-token-123456' }
  )
  expect(result.calls).toEqual([AUDIT_FIXTURE_CALL])
})
