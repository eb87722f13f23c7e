// testAuthentication (design §5): LaunchDarkly's goals endpoint knows every client-side ID.

import { createTestIntegration } from '@segment/actions-core'
import nock from 'nock'
import destination from '..'
import { CLIENT_SIDE_ID, FIXED_HEADERS, SDK_BASE } from './__helpers__'

test('a known client-side ID (200) is valid', async () => {
  const scope = nock(SDK_BASE)
    .get(`/sdk/goals/${CLIENT_SIDE_ID}`)
    .matchHeader('user-agent', FIXED_HEADERS['user-agent'])
    .reply(200, [])
  await expect(
    createTestIntegration(destination).testAuthentication({ clientSideId: CLIENT_SIDE_ID })
  ).resolves.toBeUndefined()
  expect(scope.isDone()).toBe(true)
})

test('an unknown client-side ID (404) is invalid, and the message says why', async () => {
  nock(SDK_BASE).get('/sdk/goals/not-an-id').reply(404, 'Not Found')
  await expect(createTestIntegration(destination).testAuthentication({ clientSideId: 'not-an-id' })).rejects.toThrow(
    new Error(
      'Credentials are invalid:  LaunchDarkly has no environment with this client-side ID. Copy it from Project settings → Environments in LaunchDarkly.'
    )
  )
})

test('a LaunchDarkly failure (503) is reported as such, not as a wrong ID', async () => {
  nock(SDK_BASE).get(`/sdk/goals/${CLIENT_SIDE_ID}`).reply(503)
  await expect(createTestIntegration(destination).testAuthentication({ clientSideId: CLIENT_SIDE_ID })).rejects.toThrow(
    new Error('Credentials are invalid:  LaunchDarkly could not check the client-side ID (HTTP 503); try again.')
  )
})

test('sdkBaseUrl is honoured', async () => {
  nock('https://relay.example.com').get(`/sdk/goals/${CLIENT_SIDE_ID}`).reply(200, [])
  await expect(
    createTestIntegration(destination).testAuthentication({
      clientSideId: CLIENT_SIDE_ID,
      sdkBaseUrl: 'https://relay.example.com'
    })
  ).resolves.toBeUndefined()
})

test('a missing client-side ID is refused before any request', async () => {
  await expect(createTestIntegration(destination).testAuthentication({} as { clientSideId: string })).rejects.toThrow(
    "The root value is missing the required field 'clientSideId'."
  )
})

describe('the URL settings name an https origin, checked before any request', () => {
  const refused: Array<[string, Record<string, string>, string]> = [
    [
      'plain http to a host that is not local',
      { eventsBaseUrl: 'http://relay.internal:8030' },
      'The eventsBaseUrl setting must be an https origin, such as https://events.launchdarkly.com, without a path, query or credentials: plain http is kept only for a local host (localhost, 127.0.0.1, [::1]), not relay.internal.'
    ],
    [
      'a path',
      { sdkBaseUrl: 'https://relay.example.com/ld' },
      'The sdkBaseUrl setting must be an https origin, such as https://clientsdk.launchdarkly.com, without a path, query or credentials: it has a path (/ld).'
    ],
    [
      'a query',
      { eventsBaseUrl: 'https://events.launchdarkly.com?to=elsewhere' },
      'The eventsBaseUrl setting must be an https origin, such as https://events.launchdarkly.com, without a path, query or credentials: it has a query or fragment.'
    ],
    [
      'an empty fragment',
      { eventsBaseUrl: 'https://events.launchdarkly.com#' },
      'The eventsBaseUrl setting must be an https origin, such as https://events.launchdarkly.com, without a path, query or credentials: it has a query or fragment.'
    ],
    [
      'credentials',
      { sdkBaseUrl: 'https://user:secret@relay.example.com' },
      'The sdkBaseUrl setting must be an https origin, such as https://clientsdk.launchdarkly.com, without a path, query or credentials: it carries credentials.'
    ],
    [
      'another scheme',
      { eventsBaseUrl: 'ftp://events.launchdarkly.com' },
      'The eventsBaseUrl setting must be an https origin, such as https://events.launchdarkly.com, without a path, query or credentials: ftp: is not https.'
    ]
  ]
  test.each(refused)('%s is refused by Test connection', async (_name, urls, message) => {
    const error = await createTestIntegration(destination)
      .testAuthentication({ clientSideId: CLIENT_SIDE_ID, ...urls })
      .catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe(`Credentials are invalid:  ${message}`)
    // The secret of the refused URL is not repeated back.
    expect((error as Error).message).not.toContain('secret')
  })

  test('an origin with a port and a trailing slash is accepted', async () => {
    nock('https://relay.example.com:8443').get(`/sdk/goals/${CLIENT_SIDE_ID}`).reply(200, [])
    await expect(
      createTestIntegration(destination).testAuthentication({
        clientSideId: CLIENT_SIDE_ID,
        eventsBaseUrl: 'https://relay.example.com:8443/',
        sdkBaseUrl: 'https://relay.example.com:8443'
      })
    ).resolves.toBeUndefined()
  })

  test("the settings' JSON Schema refuses a value that is not a URL (format uri)", async () => {
    await expect(
      createTestIntegration(destination).testAuthentication({
        clientSideId: CLIENT_SIDE_ID,
        eventsBaseUrl: 'events.launchdarkly.com'
      })
    ).rejects.toThrow('Events base URL must be a valid URI string but it was not.')
  })
})

test('plain http to a local host is kept (a Relay Proxy or stand-in on this machine)', async () => {
  nock('http://127.0.0.1:8030').get(`/sdk/goals/${CLIENT_SIDE_ID}`).reply(200, [])
  await expect(
    createTestIntegration(destination).testAuthentication({
      clientSideId: CLIENT_SIDE_ID,
      eventsBaseUrl: 'http://127.0.0.1:8030',
      sdkBaseUrl: 'http://127.0.0.1:8030'
    })
  ).resolves.toBeUndefined()
})
