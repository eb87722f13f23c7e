// The local runtime's environment variables (README "The local runtime").

import { configFromEnv } from '../../runtime/config'

test('LD_* variables become the source settings; blanks are unset', () => {
  const config = configFromEnv(
    {
      LD_PROJECT_ID: ' proj-1 ',
      LD_ENVIRONMENT_ID: 'env-1',
      LD_PROJECT_KEY: 'default',
      LD_ACCESS_TOKEN: 'api-1',
      LD_API_BASE_URL: 'http://127.0.0.1:9',
      LD_WEBHOOK_SECRET: 'whsec',
      LD_INGEST_TOKEN: '',
      LD_INCLUDE_CUSTOM_DATA: 'true'
    },
    '/project'
  )
  expect(config).toEqual({
    host: '127.0.0.1',
    port: 8787,
    settings: {
      projectId: 'proj-1',
      environmentId: 'env-1',
      projectKey: 'default',
      accessToken: 'api-1',
      apiBaseUrl: 'http://127.0.0.1:9',
      webhookSecret: 'whsec',
      includeCustomData: true
    },
    dataDir: '/project/.data',
    segmentWriteKey: undefined,
    segmentHost: undefined,
    forwardEventsTo: undefined
  })
})

test('PORT, the Segment sink, the data folder and forwarding', () => {
  expect(
    configFromEnv(
      {
        PORT: '0',
        SEGMENT_WRITE_KEY: 'wk',
        SEGMENT_HOST: 'http://127.0.0.1:1',
        LD_SEGMENT_DATA_DIR: '/tmp/x',
        LD_FORWARD_EVENTS_TO: 'https://events.launchdarkly.com',
        LD_INCLUDE_CUSTOM_DATA: 'no'
      },
      '/p'
    )
  ).toMatchObject({
    port: 0,
    segmentWriteKey: 'wk',
    segmentHost: 'http://127.0.0.1:1',
    dataDir: '/tmp/x',
    forwardEventsTo: 'https://events.launchdarkly.com',
    settings: { includeCustomData: false }
  })
})

test('bad values are refused with the variable named', () => {
  expect(() => configFromEnv({ PORT: 'eighty' }, '/p')).toThrow('PORT must be a port number, found "eighty"')
  expect(() => configFromEnv({ LD_FORWARD_EVENTS_TO: 'events.launchdarkly.com' }, '/p')).toThrow(
    'LD_FORWARD_EVENTS_TO must be an http(s) URL such as https://events.launchdarkly.com, found "events.launchdarkly.com"'
  )
})
