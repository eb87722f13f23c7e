// Who may deliver to the built function: the ingest token (query or Bearer) and the
// audit-log webhook signature; and that no secret ever shows in an error or a log line.

import signed from '../../fixtures/audit-webhook-signature.json'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { InvocationResult } from '../../../runtime/sandbox/instance'
import { AUDIT_FIXTURE_CALL } from '../../fixtures/audit-webhook-signature.expected'
import { failure, loadSource, SETTINGS, useLocalNetworkOnly } from './helpers'

useLocalNetworkOnly()

const TOKEN = 'ingest-Zq8yWv3kP0'
const SDK_BODY = JSON.stringify(fixture.body)

const MISSING_TOKEN =
  'Missing ingest token: this source requires ?token=<ingest token> in the webhook URL or the header Authorization: Bearer <ingest token>'
const WRONG_TOKEN = 'Wrong ingest token: the token sent does not match the ingestToken setting'
const WRONG_SCHEME =
  'Wrong Authorization scheme: send the ingest token as Authorization: Bearer <ingest token>, or as ?token=<ingest token> in the webhook URL'
const MISSING_SIGNATURE =
  'Missing X-LD-Signature header: audit-log entries must be signed when the webhookSecret setting is set'
const WRONG_SIGNATURE =
  'Wrong X-LD-Signature: it is not the HMAC-SHA256 of the body keyed with the webhookSecret setting'

/** Every text a delivery left behind: error, logs and emitted messages. */
const everythingSaid = (result: InvocationResult): string =>
  JSON.stringify([result.ok ? null : result.error, result.logs, result.calls])

describe('ingestToken', () => {
  const settings = { ...SETTINGS, ingestToken: ` ${TOKEN} ` }

  it.each([
    ['as query token', { url: `/?token=${TOKEN}` }],
    [
      "as query token next to Segment's own query parameters",
      { url: `https://fn.segmentapis.com/?b=c2V0dGluZ3M&token=${encodeURIComponent(TOKEN)}` }
    ],
    ['as Authorization: Bearer', { headers: { authorization: `Bearer ${TOKEN}` } }],
    ['with the scheme in another case', { headers: { Authorization: `bearer  ${TOKEN}` } }],
    // LaunchDarkly SDKs put their SDK key in Authorization: the query token is what counts.
    ['as query token while Authorization carries an SDK key', { url: `/bulk?token=${TOKEN}`, headers: fixture.headers }]
  ])('is accepted %s', async (_how, request) => {
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY, ...request }, settings)
    expect(result.ok).toBe(true)
    expect(result.calls).toHaveLength(15)
  })

  it.each([
    ['no token at all', {}, MISSING_TOKEN],
    ['an empty query token', { url: '/?token=' }, MISSING_TOKEN],
    ['a wrong query token', { url: '/?token=ingest-Zq8yWv3kP1' }, WRONG_TOKEN],
    ['a prefix of the token', { url: '/?token=ingest-Zq8' }, WRONG_TOKEN],
    ['a wrong Bearer token', { headers: { authorization: 'Bearer nope' } }, WRONG_TOKEN],
    ['the token without a scheme', { headers: { authorization: TOKEN } }, WRONG_SCHEME],
    ['the token with the Basic scheme', { headers: { authorization: `Basic ${TOKEN}` } }, WRONG_SCHEME],
    ['only an SDK key in Authorization', { url: '/bulk', headers: fixture.headers }, WRONG_SCHEME]
  ])('refuses %s with ValidationError, emitting nothing', async (_what, request, message) => {
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY, ...request }, settings)
    expect(failure(result)).toEqual({ name: 'ValidationError', message })
    expect(result.calls).toEqual([])
    expect(result.logs).toEqual([])
    expect(everythingSaid(result)).not.toContain(TOKEN)
    expect(everythingSaid(result)).not.toContain(fixture.headers.authorization)
  })

  it('is checked before the body is read: a bad body from an unauthenticated caller is not described', async () => {
    const source = await loadSource()
    const result = await source.invoke({ body: 'not json' }, settings)
    expect(failure(result)).toEqual({ name: 'ValidationError', message: MISSING_TOKEN })
  })

  it('is not required when the setting is empty or blank', async () => {
    const source = await loadSource()
    for (const ingestToken of [undefined, '', '   ']) {
      expect((await source.invoke({ body: SDK_BODY }, { ...SETTINGS, ingestToken })).ok).toBe(true)
    }
  })
})

describe('audit-log webhooks and webhookSecret (fixture audit-webhook-signature.json)', () => {
  const settings = { ...SETTINGS, webhookSecret: signed.secret }
  const auditCall = AUDIT_FIXTURE_CALL

  it('accepts the entry with a good signature and emits one track call', async () => {
    const source = await loadSource()
    const result = await source.invoke({ body: signed.rawBody, headers: signed.headers }, settings)
    expect(result).toMatchObject({ ok: true, logs: ['launchdarkly: emitted 1, skipped 0, rejected 0'] })
    expect(result.calls).toEqual([auditCall])
  })

  it('accepts the signature in upper-case hex too', async () => {
    const source = await loadSource()
    const headers = { ...signed.headers, 'x-ld-signature': signed.headers['x-ld-signature'].toUpperCase() }
    expect((await source.invoke({ body: signed.rawBody, headers }, settings)).ok).toBe(true)
  })

  it.each([
    ['a missing signature', { 'content-type': 'application/json' }, MISSING_SIGNATURE],
    ['an empty signature', { 'x-ld-signature': ' ' }, MISSING_SIGNATURE],
    [
      'a signature of another body',
      { 'x-ld-signature': signed.headers['x-ld-signature'].replace(/^b/, 'c') },
      WRONG_SIGNATURE
    ],
    ['a signature that is not hex', { 'x-ld-signature': 'sha256=abc' }, WRONG_SIGNATURE]
  ])('refuses %s with ValidationError', async (_what, headers, message) => {
    const source = await loadSource()
    const result = await source.invoke({ body: signed.rawBody, headers }, settings)
    expect(failure(result)).toEqual({ name: 'ValidationError', message })
    expect(result.calls).toEqual([])
    expect(everythingSaid(result)).not.toContain(signed.secret)
  })

  it('refuses a body that differs from the signed one (a re-serialized body, for instance)', async () => {
    const source = await loadSource()
    const reserialized = JSON.stringify(JSON.parse(signed.rawBody), null, 1)
    const result = await source.invoke({ body: reserialized, headers: signed.headers }, settings)
    expect(failure(result)).toEqual({ name: 'ValidationError', message: WRONG_SIGNATURE })
  })

  it('accepts unsigned entries when no webhookSecret is set', async () => {
    const source = await loadSource()
    const result = await source.invoke({ body: signed.rawBody }, SETTINGS)
    expect(result.calls).toEqual([auditCall])
  })

  it('does not ask SDK batches for a signature, but refuses a wrong one', async () => {
    const source = await loadSource()
    expect((await source.invoke({ body: SDK_BODY }, settings)).ok).toBe(true)
    const result = await source.invoke(
      { body: SDK_BODY, headers: { 'x-ld-signature': signed.headers['x-ld-signature'] } },
      settings
    )
    expect(failure(result)).toEqual({ name: 'ValidationError', message: WRONG_SIGNATURE })
  })

  it('needs both the token and the signature when both are set', async () => {
    const source = await loadSource()
    const both = { ...settings, ingestToken: TOKEN }
    expect(failure(await source.invoke({ body: signed.rawBody, headers: signed.headers }, both))).toEqual({
      name: 'ValidationError',
      message: MISSING_TOKEN
    })
    const result = await source.invoke({ body: signed.rawBody, headers: signed.headers, url: `/?token=${TOKEN}` }, both)
    expect(result.calls).toEqual([auditCall])
  })
})

describe('secrets never appear in errors or logs', () => {
  const secrets = { accessToken: 'api-0f1e2d3c4b5a', webhookSecret: 'whsec-9a8b7c6d', ingestToken: 'tok-5e6f7a8b' }
  const settings = { ...SETTINGS, ...secrets }
  const url = `/?token=${secrets.ingestToken}`

  it.each([
    // Bodies that echo the secrets back in the places messages describe: object keys, kinds, context kinds.
    ['object keys', JSON.stringify({ [secrets.accessToken]: 1, [secrets.webhookSecret]: 2 })],
    [
      'an unknown kind',
      JSON.stringify([
        { kind: secrets.webhookSecret, creationDate: 1, contextKeys: { user: 'u' } },
        { kind: 'custom', key: 'k', creationDate: 1, contextKeys: { user: 'u' } }
      ])
    ],
    [
      'a context kind',
      JSON.stringify([{ kind: 'custom', key: 'k', creationDate: 1, contextKeys: { [`${secrets.ingestToken}!`]: 'u' } }])
    ],
    ['NDJSON text', `${secrets.accessToken} ${secrets.ingestToken}`]
  ])('not even when the body echoes them in %s', async (_where, body) => {
    const source = await loadSource()
    const result = await source.invoke({ body, url }, settings)
    const said = JSON.stringify([result.ok ? null : result.error, result.logs])
    for (const secret of Object.values(secrets)) expect(said).not.toContain(secret)
    expect(said).toContain('[redacted]')
  })
})
