// The relay's environment variables (docs/relay.md "Variables"): parsed strictly, each
// refusal naming the variable and the values it accepts; the banner and the docs table
// derive from the one declaration in runtime/config/variables.ts.

import { readFileSync } from 'fs'
import { join } from 'path'
import { ConfigError, configFromEnv } from '../../../runtime/config/parse'
import {
  secretsOf,
  settingsInEffect,
  startupRefusal,
  variablesTable,
  warningsOf,
  withVariableNames
} from '../../../runtime/config/report'
import { fileVariableOf, RuntimeConfig, VARIABLES } from '../../../runtime/config/variables'

test('LD_* variables become the source settings; blanks are unset; LD_INGEST_TOKEN is a list the relay keeps', () => {
  const config = configFromEnv(
    {
      LD_PROJECT_ID: ' proj-1 ',
      LD_ENVIRONMENT_ID: 'env-1',
      LD_PROJECT_KEY: 'default',
      LD_ACCESS_TOKEN: 'api-1',
      LD_API_BASE_URL: 'http://127.0.0.1:9/',
      LD_WEBHOOK_SECRET: 'whsec',
      LD_INGEST_TOKEN: ' tok-1 , sdk-key-2,',
      LD_INCLUDE_CUSTOM_DATA: 'TRUE',
      LD_SEGMENT_DATA_DIR: ''
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
    ingestTokens: ['tok-1', 'sdk-key-2']
  })
})

test("the relay's own variables", () => {
  expect(
    configFromEnv(
      {
        HOST: '0.0.0.0',
        PORT: '0',
        SEGMENT_WRITE_KEY: 'wk',
        SEGMENT_HOST: 'http://127.0.0.1:1',
        LD_SEGMENT_DATA_DIR: 'relative/dir',
        LD_FORWARD_EVENTS_TO: 'https://events.launchdarkly.com/',
        LD_CLIENT_SIDE_IDS: 'cs-1,cs-2',
        LD_EVENTS_BASE_URL: 'http://127.0.0.1:2',
        LD_SDK_BASE_URL: 'http://127.0.0.1:3',
        LD_OUTBOX_MAX_BYTES: '64MiB',
        LD_FUNCTION_INSTANCES: '2',
        LD_LOG_CALLS: '1',
        LD_INCLUDE_CUSTOM_DATA: '0'
      },
      '/p'
    )
  ).toEqual({
    host: '0.0.0.0',
    port: 0,
    settings: { includeCustomData: false },
    dataDir: '/p/relative/dir',
    segmentWriteKey: 'wk',
    segmentHost: 'http://127.0.0.1:1',
    forwardEventsTo: 'https://events.launchdarkly.com',
    clientSideIds: ['cs-1', 'cs-2'],
    eventsBaseUrl: 'http://127.0.0.1:2',
    sdkBaseUrl: 'http://127.0.0.1:3',
    outboxMaxBytes: 64 * 1024 * 1024,
    functionInstances: 2,
    logCalls: true
  })
})

test('every refused value stops startup with the variable and the accepted values named, all at once', () => {
  const refuse = (env: NodeJS.ProcessEnv) => {
    try {
      configFromEnv(env, '/p')
    } catch (error) {
      return (error as Error).message.split('\n')
    }
    throw new Error('accepted')
  }
  expect(refuse({ LD_INCLUDE_CUSTOM_DATA: 'yes', PORT: 'eighty' })).toEqual([
    'PORT must be a whole number from 0 to 65535, found "eighty"',
    'LD_INCLUDE_CUSTOM_DATA must be true, false, 1 or 0, found "yes"'
  ])
  expect(refuse({ PORT: '65536' })).toEqual(['PORT must be a whole number from 0 to 65535, found "65536"'])
  expect(refuse({ LD_FORWARD_EVENTS_TO: 'events.launchdarkly.com' })).toEqual([
    'LD_FORWARD_EVENTS_TO must be an http(s) URL such as https://example.com, found "events.launchdarkly.com"'
  ])
  expect(refuse({ SEGMENT_HOST: 'ftp://x' })).toEqual([
    'SEGMENT_HOST must be an http(s) URL such as https://example.com, found "ftp://x"'
  ])
  expect(refuse({ LD_API_BASE_URL: 'https://app.launchdarkly.com/?x=1' })).toEqual([
    'LD_API_BASE_URL must be an http(s) URL such as https://example.com, found "https://app.launchdarkly.com/?x=1"'
  ])
  expect(refuse({ LD_OUTBOX_MAX_BYTES: '1TB' })).toEqual([
    'LD_OUTBOX_MAX_BYTES must be a whole number of bytes, optionally followed by KiB, MiB or GiB (such as 256MiB), found "1TB"'
  ])
  expect(refuse({ LD_LOG_CALLS: 'on' })).toEqual(['LD_LOG_CALLS must be true, false, 1 or 0, found "on"'])
  expect(refuse({ LD_FUNCTION_INSTANCES: '0' })).toEqual([
    'LD_FUNCTION_INSTANCES must be a whole number from 1 to 64, found "0"'
  ])
  expect(refuse({ HOST: 'a b' })).toEqual([
    'HOST must be an IP address or host name, such as 127.0.0.1 or 0.0.0.0, found "a b"'
  ])
  // A secret's refused value is not echoed.
  expect(refuse({ LD_INGEST_TOKEN: ' , ' })).toEqual(['LD_INGEST_TOKEN must be a comma-separated list'])
})

const base: RuntimeConfig = { host: '127.0.0.1', port: 8787, settings: {}, dataDir: '/d' }

test('the settings in effect show secrets as set / not set, never their values', () => {
  const lines = settingsInEffect({
    ...base,
    settings: { projectId: 'proj-1', accessToken: 'api-secret-value' },
    ingestTokens: ['tok-secret-1', 'tok-secret-2'],
    segmentWriteKey: 'write-key-secret'
  })
  const text = lines.join('\n')
  expect(text).not.toMatch(/secret/)
  expect(lines.map((line) => line.replace(/ +/, ' '))).toEqual(
    expect.arrayContaining([
      'HOST 127.0.0.1',
      'PORT 8787',
      'LD_SEGMENT_DATA_DIR /d',
      'SEGMENT_WRITE_KEY set',
      'SEGMENT_HOST https://api.segment.io (default)',
      'LD_OUTBOX_MAX_BYTES 256MiB (default)',
      'LD_FORWARD_EVENTS_TO not set',
      'LD_PROJECT_ID proj-1',
      'LD_ENVIRONMENT_ID not set',
      'LD_ACCESS_TOKEN set',
      'LD_WEBHOOK_SECRET not set',
      'LD_INGEST_TOKEN set (2)',
      'LD_INCLUDE_CUSTOM_DATA false (default)'
    ])
  )
})

test('startup warns, naming the variable and the consequence', () => {
  expect(warningsOf(base)).toEqual([
    'LD_PROJECT_ID is not set: SDK events (which name no project) are rejected with 400 until it is set to the LaunchDarkly project ID',
    'LD_ENVIRONMENT_ID is not set: SDK events on /bulk and /mobile (which name no environment) are rejected with 400 until it is set to the client-side ID; /events/bulk/{id} uses the ID in its path'
  ])
  const configured = { ...base, settings: { projectId: 'p', environmentId: 'e' } }
  expect(warningsOf(configured)).toEqual([])
  expect(warningsOf({ ...configured, host: '0.0.0.0' })).toEqual([
    'HOST is 0.0.0.0, not a loopback address, and LD_INGEST_TOKEN is not set: anyone who can reach this port can send events to your Segment source and use the destination routes'
  ])
  expect(warningsOf({ ...configured, host: '0.0.0.0', ingestTokens: ['t'], clientSideIds: ['cs'] })).toEqual([])
  expect(warningsOf({ ...configured, ingestTokens: ['t'] })).toEqual([
    'LD_CLIENT_SIDE_IDS is not set: /events/bulk/{id} accepts any client-side ID without a token (browsers cannot send one); list your client-side IDs to accept only those'
  ])
})

test('a message naming a setting also names its variable', () => {
  expect(withVariableNames('no environment: the payload carries none and the environmentId setting is empty')).toBe(
    'no environment: the payload carries none and the environmentId setting (LD_ENVIRONMENT_ID) is empty'
  )
  expect(withVariableNames('the fooBar setting is odd')).toBe('the fooBar setting is odd')
})

test('docs/relay.md lists the variables as runtime/config/variables.ts declares them', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'relay.md'), 'utf8')
  // On failure, paste the expected table (printed below) into docs/relay.md.
  expect(doc).toContain(variablesTable())
})

test('the operations variables: LD_SINK, LD_DRAIN_SECONDS, LD_METRICS_PORT, LOG_* (case aside), the proxies', () => {
  expect(
    configFromEnv(
      {
        LD_SINK: 'NDJSON',
        LD_DRAIN_SECONDS: '10',
        LD_METRICS_PORT: '9464',
        LOG_LEVEL: 'Debug',
        LOG_FORMAT: 'json',
        LOG_SUMMARY_SECONDS: '0',
        https_proxy: 'http://user:p%40ss@proxy.internal:3128',
        HTTP_PROXY: 'http://proxy.internal:3128',
        no_proxy: '.internal, 127.0.0.1'
      },
      '/project'
    )
  ).toEqual({
    host: '127.0.0.1',
    port: 8787,
    settings: {},
    dataDir: '/project/.data',
    sink: 'ndjson',
    drainSeconds: 10,
    metricsPort: 9464,
    logLevel: 'debug',
    logFormat: 'json',
    logSummarySeconds: 0,
    httpsProxy: 'http://user:p%40ss@proxy.internal:3128',
    httpProxy: 'http://proxy.internal:3128',
    noProxy: ['.internal', '127.0.0.1']
  })
  const refused = (env: NodeJS.ProcessEnv): string[] => {
    try {
      configFromEnv(env, '/p')
      return []
    } catch (error) {
      return (error as ConfigError).problems.map((p) => p.message)
    }
  }
  expect(refused({ LOG_LEVEL: 'verbose', LOG_FORMAT: 'yaml', LD_SINK: 'file', LD_DRAIN_SECONDS: '90000' })).toEqual([
    'LD_SINK must be segment or ndjson, found "file"',
    'LD_DRAIN_SECONDS must be a whole number of seconds from 0 to 86400, found "90000"',
    'LOG_LEVEL must be debug, info, warn or error, found "verbose"',
    'LOG_FORMAT must be json or text, found "yaml"'
  ])
  // The proxy's password is a secret: shown masked, kept out of every line.
  const config = configFromEnv({ HTTPS_PROXY: 'http://user:p%40ss-w0rd-long@proxy.internal:3128' }, '/p')
  expect(settingsInEffect(config)).toContainEqual(
    expect.stringMatching(/^HTTPS_PROXY +http:\/\/user:\*\*\*@proxy\.internal:3128\/$/)
  )
  expect(secretsOf(config)).toEqual(['p%40ss-w0rd-long', 'p@ss-w0rd-long'])
})

describe('secrets from files (<NAME>_FILE), as container platforms mount them', () => {
  const files: Record<string, string> = { '/run/secrets/key': 'write-key-from-file\n', '/run/secrets/tokens': 'a,b\n' }
  const read = (path: string): string => {
    if (path in files) return files[path]
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' })
  }
  const problems = (env: NodeJS.ProcessEnv): string[] => {
    try {
      configFromEnv(env, '/p', read)
      return []
    } catch (error) {
      return (error as ConfigError).problems.map((p) => p.message)
    }
  }

  test('every secret variable of the table has its _FILE twin, and no other variable has one', () => {
    expect(VARIABLES.filter((v) => fileVariableOf(v)).map((v) => fileVariableOf(v))).toEqual([
      'SEGMENT_WRITE_KEY_FILE',
      'LD_ACCESS_TOKEN_FILE',
      'LD_WEBHOOK_SECRET_FILE',
      'LD_INGEST_TOKEN_FILE'
    ])
    expect(variablesTable()).toContain(
      '| `SEGMENT_WRITE_KEY` |  | any text; or `SEGMENT_WRITE_KEY_FILE`: a file holding it |'
    )
  })

  test('the file is read, its trailing newline dropped, and parsed as the variable would be', () => {
    const config = configFromEnv(
      { SEGMENT_WRITE_KEY_FILE: '/run/secrets/key', LD_INGEST_TOKEN_FILE: '/run/secrets/tokens' },
      '/p',
      read
    )
    expect([config.segmentWriteKey, config.ingestTokens]).toEqual(['write-key-from-file', ['a', 'b']])
  })

  test('both set, a missing file, an empty file: refused, naming the variable, never the path or the content', () => {
    files['/run/secrets/empty'] = '\n'
    expect(
      problems({
        SEGMENT_WRITE_KEY: 'k',
        SEGMENT_WRITE_KEY_FILE: '/run/secrets/key',
        LD_ACCESS_TOKEN_FILE: '/run/secrets/missing',
        LD_WEBHOOK_SECRET_FILE: '/run/secrets/empty'
      })
    ).toEqual([
      'SEGMENT_WRITE_KEY and SEGMENT_WRITE_KEY_FILE are both set: set one of them',
      'LD_ACCESS_TOKEN_FILE names a file this process cannot read (ENOENT)',
      'LD_WEBHOOK_SECRET_FILE names an empty file'
    ])
  })
})

test('beyond loopback, no NDJSON file unless asked for; LD_SINK=segment needs the write key', () => {
  const exposed = { ...base, host: '0.0.0.0', clientSideIds: ['cs-1'] }
  expect(startupRefusal(base)).toBeUndefined()
  expect(startupRefusal(exposed)).toBe(
    'HOST is 0.0.0.0, beyond loopback, and SEGMENT_WRITE_KEY is not set: every call would go to the NDJSON file in LD_SEGMENT_DATA_DIR, which grows without bound. Set SEGMENT_WRITE_KEY to send them to Segment, or LD_SINK=ndjson to keep that file on purpose'
  )
  expect(startupRefusal({ ...exposed, sink: 'ndjson' })).toBeUndefined()
  expect(startupRefusal({ ...exposed, segmentWriteKey: 'k' })).toBeUndefined()
  expect(startupRefusal({ ...base, sink: 'segment' })).toBe(
    "LD_SINK is segment but SEGMENT_WRITE_KEY is not set: set it to your Segment source's write key"
  )
  // Both guards at once: one line each.
  expect(startupRefusal({ ...base, host: '0.0.0.0' })?.split('\n')).toHaveLength(2)
})
