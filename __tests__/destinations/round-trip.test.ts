// LaunchDarkly → Segment → LaunchDarkly: real SDK events through the core module's source
// mapping (as the source function emits them), then through the destination with its
// default mappings. What reaches LaunchDarkly must be the original events' exported fields.

import { createTestIntegration } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import { readFileSync } from 'fs'
import { join } from 'path'
import destination from '../../destinations/launchdarkly-events'
import { convertDelivery, readDelivery } from '../../shared'
import type { SegmentCall } from '../../shared'
import { interceptBulk } from '../../destinations/launchdarkly-events/__tests__/__helpers__'

type Original = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const SOURCE = { projectId: 'project-1', environmentId: 'client-side-source-0002', includeCustomData: true }
// Events from another environment than the one the destination sends to, or the echo guard stops them.
const settings = { clientSideId: 'client-side-dest-0001' }

const ACTION_OF: Record<string, string> = {
  feature: 'sendFeatureEvent',
  click: 'sendClickEvent',
  pageview: 'sendPageViewEvent',
  custom: 'sendCustomEvent'
}
const EXPORTED = ['feature', 'click', 'pageview', 'custom']

const sdkBatch: Original[] = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'node-server-sdk-bulk.json'), 'utf8')
).body

/** Client-side SDK events (contextKeys) and the corners the server SDK capture lacks. */
const clientSideBatch: Original[] = [
  {
    kind: 'click',
    creationDate: 1795654790001,
    key: 'signup-button',
    contextKeys: { user: 'user-123' },
    url: 'https://example.com/pricing',
    selector: 'button.signup'
  },
  {
    kind: 'pageview',
    creationDate: 1795654790002,
    key: 'pricing-page',
    contextKeys: { user: 'user-123', org: 'org-9' },
    url: 'https://example.com/pricing'
  },
  // Served the fallback: no variation, and LaunchDarkly's default is the value served.
  {
    kind: 'feature',
    creationDate: 1795654790003,
    key: 'missing-flag',
    contextKeys: { user: 'anon-1' },
    value: 'fallback',
    default: 'fallback',
    reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' }
  },
  {
    kind: 'feature',
    creationDate: 1795654790004,
    key: 'null-flag',
    contextKeys: { device: 'd-1' },
    value: null,
    default: 'x',
    variation: 2,
    version: 1,
    reason: { kind: 'OFF', inExperiment: false }
  },
  {
    kind: 'feature',
    creationDate: 1795654790005,
    key: 'array-flag',
    user: { key: 'legacy-1' },
    value: [1, 'two', { three: 3 }],
    default: [],
    variation: 0,
    version: 4
  },
  {
    kind: 'custom',
    creationDate: 1795654790006,
    key: 'score',
    contextKeys: { device: 'd-1' },
    data: 'just text',
    metricValue: 0
  },
  {
    kind: 'custom',
    creationDate: 1795654790007,
    key: 'list',
    userKey: 'anon-9',
    contextKind: 'anonymousUser',
    data: [1, { a: null }]
  }
]

/** The original's context as {kind: key}, read independently of the core module. */
function contextKeysOf(original: Original): Record<string, string> {
  if (original.contextKeys) return original.contextKeys
  const context = original.context
  if (context?.kind === 'multi') {
    return Object.fromEntries(
      Object.keys(context)
        .filter((k) => k !== 'kind')
        .map((k) => [k, context[k].key])
    )
  }
  if (context) return { [context.kind ?? 'user']: context.key }
  if (original.user) return { user: original.user.key }
  // A legacy anonymous user (contextKind anonymousUser) is a user context marked anonymous.
  return { user: original.userKey }
}

/** What the export keeps of an original event, as a LaunchDarkly event. */
function exportedFields(original: Original): Original {
  const event: Original = {
    kind: original.kind,
    creationDate: original.creationDate,
    key: original.key,
    contextKeys: contextKeysOf(original)
  }
  switch (original.kind) {
    case 'feature':
      event.value = original.value ?? null
      if (original.version !== undefined) event.version = original.version
      if (original.variation !== undefined) event.variation = original.variation
      if (original.reason)
        event.reason = {
          kind: original.reason.kind,
          ...(original.reason.inExperiment === true ? { inExperiment: true } : {})
        }
      if (original.prereqOf !== undefined) event.prereqOf = original.prereqOf
      // Exported as "served the fallback" only; then the fallback is the value served.
      if (original.variation === undefined) event.default = original.default
      break
    case 'click':
      event.url = original.url
      event.selector = original.selector
      break
    case 'pageview':
      event.url = original.url
      break
    case 'custom':
      if (original.data !== undefined) event.data = original.data
      if (typeof original.metricValue === 'number') event.metricValue = original.metricValue
      break
  }
  return event
}

function toSegment(originals: Original[]): SegmentCall[] {
  return convertDelivery(readDelivery(JSON.stringify(originals), SOURCE)).calls
}

const kindOf = (call: SegmentCall): string =>
  call.type === 'page' ? 'pageview' : call.type === 'track' ? call.message.event : call.type
const asEvent = (call: SegmentCall): SegmentEvent => ({ type: call.type, context: {}, ...call.message } as SegmentEvent)

describe.each([
  ['the Node server SDK capture', sdkBatch],
  ['client-side SDK events and corner cases', clientSideBatch]
])('%s', (_name, originals) => {
  const exportable = originals.filter((e) => EXPORTED.includes(e.kind))
  const calls = toSegment(originals)

  test('every exportable event became a Segment call, in order', () => {
    expect(calls.map(kindOf)).toEqual(exportable.map((e) => e.kind))
  })

  const kindsPresent = EXPORTED.filter((kind) => exportable.some((e) => e.kind === kind))
  test.each(kindsPresent.map((kind) => [kind]))(
    '%s events: the action with its default mapping, one request per batch',
    async (kind) => {
      const originalsOfKind = exportable.filter((e) => e.kind === kind)
      const callsOfKind = calls.filter((c) => kindOf(c) === kind)
      const requests = interceptBulk([202])
      const testDestination = createTestIntegration(destination)
      await testDestination.testBatchAction(ACTION_OF[kind], {
        events: callsOfKind.map(asEvent),
        settings,
        useDefaultMappings: true
      })
      expect(requests).toHaveLength(1)
      expect(requests[0].body).toEqual(originalsOfKind.map(exportedFields))
      expect(testDestination.results[0].multistatus?.map((s) => s.status)).toEqual(originalsOfKind.map(() => 202))
    }
  )

  test('one at a time (perform), too', async () => {
    const requests = interceptBulk(calls.map(() => 202))
    const testDestination = createTestIntegration(destination)
    for (const call of calls) {
      await testDestination.testAction(ACTION_OF[kindOf(call)], {
        event: asEvent(call),
        settings,
        useDefaultMappings: true
      })
    }
    expect(requests.map((r) => r.body)).toEqual(exportable.map((e) => [exportedFields(e)]))
  })

  test('through the presets, as Segment routes a batch', async () => {
    const kinds = new Set(exportable.map((e) => e.kind))
    const requests = interceptBulk([...kinds].map(() => 202))
    const subscriptions = (destination.presets ?? []).map((p) => ({ ...p })) as unknown as JSONObject[]
    await createTestIntegration(destination).onBatch(calls.map(asEvent), {
      ...settings,
      subscriptions
    } as unknown as JSONObject)
    const received = requests.flatMap((r) => r.body as Original[])
    const byTime = (a: Original, b: Original) => a.creationDate - b.creationDate || a.key.localeCompare(b.key)
    expect([...received].sort(byTime)).toEqual(exportable.map(exportedFields).sort(byTime))
  })
})

test("the same events exported from the destination's own environment all stop at the echo guard", async () => {
  const calls = convertDelivery(
    readDelivery(JSON.stringify(sdkBatch), { ...SOURCE, environmentId: settings.clientSideId })
  ).calls
  const testDestination = createTestIntegration(destination)
  await testDestination.testBatchAction('sendFeatureEvent', {
    events: calls.filter((c) => kindOf(c) === 'feature').map(asEvent),
    settings,
    useDefaultMappings: true
  })
  const statuses = testDestination.results[0].multistatus ?? []
  expect(statuses).toHaveLength(sdkBatch.filter((e) => e.kind === 'feature').length)
  for (const status of statuses) {
    expect(status).toMatchObject({
      status: 400,
      errortype: 'PAYLOAD_VALIDATION_FAILED',
      errormessage: expect.stringContaining('so it is not sent back')
    })
  }
})
