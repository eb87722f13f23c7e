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

test('a plain-http URL to a host that is not local is refused when the connection is tested, before any request', async () => {
  await expect(
    createTestIntegration(destination).testAuthentication({
      clientSideId: CLIENT_SIDE_ID,
      eventsBaseUrl: 'http://relay.internal:8030'
    })
  ).rejects.toThrow(
    'The eventsBaseUrl setting must be an https URL: plain http is used only for a local host (localhost, 127.0.0.1, [::1]), so requests to relay.internal would go over https.'
  )
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
