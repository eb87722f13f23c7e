// End to end with real clients and no mocks in the middle: LaunchDarkly's Node server
// SDKs (offline, TestData flags, events URI pointed at the local runtime) evaluate and
// track; the test reads the exact Segment messages from the NDJSON sink, and from a
// local stand-in of Segment's Tracking API fed by the relay's outbox. Besides
// @launchdarkly/node-server-sdk 9, the legacy launchdarkly-node-server-sdk 7 (contexts)
// and 6 (users, anonymous users and alias events) post the same session.

import { init, integrations, LDClient, LDContext } from '@launchdarkly/node-server-sdk'
import { runtimeWith, standIn, TestRuntime, waitFor } from './helpers'

jest.setTimeout(30_000)

const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1', includeCustomData: true }
const ORIGIN = { environment: 'env-1', project: 'proj-1' }

const ada: LDContext = { kind: 'user', key: 'user-123', name: 'Ada', email: 'ada@example.com' }
const anonymous: LDContext = { kind: 'user', key: 'anon-456', anonymous: true }
const multi: LDContext = { kind: 'multi', user: { key: 'user-123' }, org: { key: 'org-9', name: 'Acme' } }
const org: LDContext = { kind: 'org', key: 'org-only-1' }

const FLAGS = [
  {
    key: 'bool-tracked',
    version: 7,
    on: true,
    trackEvents: true,
    variations: [true, false],
    fallthrough: { variation: 0 },
    offVariation: 1,
    salt: 's1'
  },
  {
    // Experiment traffic: feature events are sent with reason.inExperiment.
    key: 'exp-flag',
    version: 12,
    on: true,
    variations: ['control', 'treatment'],
    offVariation: 0,
    salt: 's2',
    fallthrough: {
      rollout: {
        kind: 'experiment',
        seed: 61,
        variations: [
          { variation: 0, weight: 100000 },
          { variation: 1, weight: 0 }
        ]
      }
    }
  },
  { key: 'org-flag', version: 3, on: false, trackEvents: true, variations: ['a', 'b'], offVariation: 1, salt: 's3' }
]

const ts = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
const id = expect.stringMatching(/^ld-[0-9a-f]{32}$/)

/** The Segment calls (as the sink writes them: `{type, ...message}`) this session must produce. */
const EXPECTED = [
  {
    type: 'track',
    event: 'feature',
    userId: 'user-123',
    properties: {
      ...ORIGIN,
      key: 'bool-tracked',
      contextKeys: { user: 'user-123' },
      version: 1,
      value: true,
      flagVersion: 7,
      variation: 0,
      inExperiment: false,
      default: false
    },
    timestamp: ts,
    messageId: id
  },
  {
    type: 'track',
    event: 'feature',
    userId: 'user-123',
    properties: {
      ...ORIGIN,
      key: 'exp-flag',
      contextKeys: { user: 'user-123' },
      version: 1,
      value: 'control',
      flagVersion: 12,
      variation: 0,
      reasonKind: 'FALLTHROUGH',
      inExperiment: true,
      default: false
    },
    timestamp: ts,
    messageId: id
  },
  {
    type: 'track',
    event: 'feature',
    anonymousId: 'org:org-only-1',
    properties: {
      ...ORIGIN,
      key: 'org-flag',
      contextKeys: { org: 'org-only-1' },
      version: 1,
      value: 'b',
      flagVersion: 3,
      variation: 1,
      reasonKind: 'OFF',
      inExperiment: false,
      default: false
    },
    timestamp: ts,
    messageId: id
  },
  {
    type: 'track',
    event: 'feature',
    userId: 'user-123',
    properties: {
      ...ORIGIN,
      key: 'bool-tracked',
      contextKeys: { user: 'user-123', org: 'org-9' },
      version: 1,
      value: true,
      flagVersion: 7,
      variation: 0,
      inExperiment: false,
      default: false
    },
    timestamp: ts,
    messageId: id
  },
  {
    type: 'track',
    event: 'feature',
    userId: 'anon-456',
    properties: {
      ...ORIGIN,
      key: 'bool-tracked',
      contextKeys: { user: 'anon-456' },
      version: 1,
      value: true,
      flagVersion: 7,
      variation: 0,
      inExperiment: false,
      default: false
    },
    timestamp: ts,
    messageId: id
  },
  {
    type: 'track',
    event: 'custom',
    userId: 'user-123',
    properties: {
      ...ORIGIN,
      key: 'purchase',
      contextKeys: { user: 'user-123' },
      version: 1,
      metricValue: 42.5,
      data: { sku: 'A-1' }
    },
    timestamp: ts,
    messageId: id
  },
  {
    type: 'track',
    event: 'custom',
    userId: 'anon-456',
    properties: { ...ORIGIN, key: 'signup', contextKeys: { user: 'anon-456' }, version: 1 },
    timestamp: ts,
    messageId: id
  },
  {
    type: 'track',
    event: 'custom',
    anonymousId: 'org:org-only-1',
    properties: { ...ORIGIN, key: 'metric-only', contextKeys: { org: 'org-only-1' }, version: 1, metricValue: 0 },
    timestamp: ts,
    messageId: id
  }
]

async function runSdkSession(eventsUri: string): Promise<void> {
  const td = new integrations.TestData()
  for (const flag of FLAGS) await td.usePreconfiguredFlag(flag)
  const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }
  const client: LDClient = init('sdk-00000000-aaaa-bbbb-cccc-000000000000', {
    updateProcessor: td.getFactory(),
    eventsUri,
    sendEvents: true,
    diagnosticOptOut: true,
    flushInterval: 3600,
    logger: silent
  })
  try {
    await client.waitForInitialization({ timeout: 5 })
    await client.variation('bool-tracked', ada, false)
    await client.variation('exp-flag', ada, 'fallback')
    await client.variationDetail('org-flag', org, 'z')
    await client.variation('bool-tracked', multi, false)
    await client.variation('bool-tracked', anonymous, false)
    client.track('purchase', ada, { sku: 'A-1' }, 42.5)
    client.track('signup', anonymous)
    client.track('metric-only', org, undefined, 0)
    await client.flush()
  } finally {
    client.close()
  }
}

let runtime: TestRuntime | undefined
afterEach(async () => {
  await runtime?.close()
  runtime = undefined
})

test('SDK events arrive in the NDJSON sink as exactly the documented Segment calls', async () => {
  runtime = await runtimeWith(SETTINGS)
  await runSdkSession(runtime.url)
  const lines = await waitFor(() => runtime!.lines().length >= EXPECTED.length && runtime!.lines(), 'the sink lines')
  expect(lines).toEqual(EXPECTED)
  expect(new Set(lines.map((l) => l.messageId)).size).toBe(EXPECTED.length)
  // Context attributes other than keys (name, email) never leave.
  expect(JSON.stringify(lines)).not.toMatch(/Ada|ada@example.com|Acme/)
})

test('the same session through SEGMENT_WRITE_KEY reaches the Tracking API stand-in', async () => {
  const tracking = await standIn(() => ({ status: 200, body: { success: true } }))
  try {
    runtime = await runtimeWith(SETTINGS, { segmentWriteKey: 'write-key-1', segmentHost: tracking.url })
    await runSdkSession(runtime.url)
    await runtime.sink.close()
    const requests = await waitFor(() => tracking.requests.length > 0 && tracking.requests, 'the Tracking API')
    for (const request of requests) {
      expect(request).toMatchObject({
        method: 'POST',
        path: '/v1/batch',
        headers: { authorization: 'Basic ' + Buffer.from('write-key-1:').toString('base64') }
      })
    }
    const batch = requests.flatMap((r) => JSON.parse(r.body).batch as Array<Record<string, unknown>>)
    expect(batch).toEqual(EXPECTED.map((message) => expect.objectContaining(message)))
    expect(runtime.lines()).toEqual([])
  } finally {
    await tracking.close()
  }
})

/** The part of the legacy Node SDKs (launchdarkly-node-server-sdk 6 and 7) a session uses. */
interface LegacySdk {
  init(sdkKey: string, options: Record<string, unknown>): LegacyClient
}
interface LegacyClient {
  waitForInitialization(): Promise<unknown>
  variation(key: string, who: Record<string, unknown>, fallback: unknown): Promise<unknown>
  track(key: string, who: Record<string, unknown>, data?: unknown, metricValue?: number): void
  alias?(user: Record<string, unknown>, previous: Record<string, unknown>): void
  flush(): Promise<void>
  close(): void
}

/** A session of a legacy SDK: `users` are v6's user objects, v7's contexts of kind user. */
async function runLegacySession(module: string, eventsUri: string, users: boolean): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const sdk = require(module) as LegacySdk
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { TestData } = require(`${module}/integrations`) as {
    TestData: () => { usePreconfiguredFlag(flag: object): void }
  }
  const td = TestData()
  td.usePreconfiguredFlag(FLAGS[0])
  const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }
  const client = sdk.init('sdk-00000000-aaaa-bbbb-cccc-000000000000', {
    updateProcessor: td,
    eventsUri,
    sendEvents: true,
    diagnosticOptOut: true,
    flushInterval: 3600,
    logger: silent
  })
  const kind = users ? {} : { kind: 'user' }
  const user = { ...kind, key: 'user-123', name: 'Ada', email: 'ada@example.com' }
  const visitor = { ...kind, key: 'anon-456', anonymous: true }
  try {
    await client.waitForInitialization()
    await client.variation('bool-tracked', user, false)
    await client.variation('bool-tracked', visitor, false)
    client.track('purchase', user, { sku: 'A-1' }, 42.5)
    client.track('signup', visitor)
    if (users) client.alias?.(user, visitor)
    await client.flush()
  } finally {
    client.close()
  }
}

const boolTracked = (userId: string) => ({
  type: 'track',
  event: 'feature',
  userId,
  properties: {
    ...ORIGIN,
    key: 'bool-tracked',
    contextKeys: { user: userId },
    version: 1,
    value: true,
    flagVersion: 7,
    variation: 0,
    inExperiment: false,
    default: false
  },
  timestamp: ts,
  messageId: id
})

/** What both legacy sessions must produce; v6's anonymous user is a user like v7's. */
const LEGACY_EXPECTED = [
  boolTracked('user-123'),
  boolTracked('anon-456'),
  EXPECTED[EXPECTED.length - 3],
  EXPECTED[EXPECTED.length - 2]
]

test.each([
  ['launchdarkly-node-server-sdk 7', 'launchdarkly-node-server-sdk', false, LEGACY_EXPECTED],
  [
    'launchdarkly-node-server-sdk 6, with an alias event',
    'launchdarkly-node-server-sdk-v6',
    true,
    [...LEGACY_EXPECTED, { type: 'alias', userId: 'user-123', previousId: 'anon-456', timestamp: ts, messageId: id }]
  ]
])('%s: exactly the documented Segment calls', async (_name, module, users, expected) => {
  runtime = await runtimeWith(SETTINGS)
  await runLegacySession(module, runtime.url, users)
  const lines = await waitFor(() => runtime!.lines().length >= expected.length && runtime!.lines(), 'the sink lines')
  expect(lines).toEqual(expected)
  expect(new Set(lines.map((l) => l.messageId)).size).toBe(expected.length)
  expect(JSON.stringify(lines)).not.toMatch(/Ada|ada@example.com/)
})
