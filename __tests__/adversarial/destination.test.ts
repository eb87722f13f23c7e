// The adversarial corpus (./cases) through the destination, for the cases with a
// `destination` part: hostile Segment events in a batch (performBatch, as Segment's
// platform calls it) against nock. Besides each case's own expectation: the batch never
// throws (a throw would fail every event of it), every event gets a status, valid events
// are delivered in one request, and the host's prototypes are left as they were. Each
// event alone (perform) either succeeds or fails with an actions-core error class.

import {
  createTestIntegration,
  IntegrationError,
  InvalidAuthenticationError,
  RetryableError
} from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import nock from 'nock'
import destination from '../../destinations/launchdarkly-events'
import { Case, DestinationPart, loadCases, prototypeFingerprint, reviveNumbers } from './corpus'

const EVENTS_BASE = 'https://events.launchdarkly.com'
const DEFAULT_SETTINGS = { clientSideId: 'adversarial-destination-env' }

const cases = loadCases().filter((c): c is Case & { destination: DestinationPart } => c.destination !== undefined)
const hostPrototypes = prototypeFingerprint()

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())
afterAll(() => nock.enableNetConnect())

interface Sent {
  body: Array<Record<string, unknown>>
  payloadId: string
}

/** Answers the next requests with `replies`, in order, recording what was sent. */
function intercept(replies: readonly number[]): Sent[] {
  const sent: Sent[] = []
  for (const status of replies) {
    nock(EVENTS_BASE)
      .post(/^\/events\/bulk\//)
      .reply(function (_uri, body) {
        sent.push({ body: body as Sent['body'], payloadId: String(this.req.headers['x-launchdarkly-payload-id']) })
        return [status, '']
      })
  }
  return sent
}

function mappingOf(part: DestinationPart): JSONObject | undefined {
  const preset = part.preset === undefined ? undefined : destination.presets?.find((p) => p.name === part.preset)
  if (part.preset !== undefined && (!preset || !('mapping' in preset)))
    throw new Error(`no preset named ${part.preset}`)
  const base = preset && 'mapping' in preset ? preset.mapping : undefined
  return base || part.mapping ? ({ ...(base ?? {}), ...(part.mapping ?? {}) } as JSONObject) : undefined
}

/** What a failed perform may throw: actions-core's errors, or its own payload validation. */
function isTyped(error: unknown): boolean {
  if (
    error instanceof IntegrationError ||
    error instanceof RetryableError ||
    error instanceof InvalidAuthenticationError
  )
    return true
  return (error as { name?: unknown } | null)?.name === 'AggregateAjvError'
}

test('there are destination cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(10)
})

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
  const part = testCase.destination
  const events = reviveNumbers(part.events) as SegmentEvent[]
  const settings = (part.settings ?? DEFAULT_SETTINGS) as { clientSideId: string }
  const mapping = mappingOf(part)
  const action = part.preset
    ? (destination.presets?.find((p) => p.name === part.preset) as { partnerAction: string }).partnerAction
    : part.action

  test(`batch: ${testCase.description.slice(0, 90)}`, async () => {
    const sent = intercept(part.replies)
    const runs: number[][] = []
    const messages: string[][] = []
    for (let i = 0; i < (part.repeat ?? 1); i++) {
      const test = createTestIntegration(destination)
      // Must not throw: a throw fails every event of the batch.
      await test.testBatchAction(action, { events, settings, mapping, useDefaultMappings: true })
      const statuses =
        (test.results[0] as { multistatus?: Array<{ status: number; errormessage?: string }> }).multistatus ?? []
      runs.push(statuses.map((s) => s.status))
      messages.push(statuses.map((s) => s.errormessage ?? ''))
    }
    expect(nock.pendingMocks()).toEqual([])
    expect(sent).toHaveLength(part.expect.requests)
    for (const statuses of runs) expect(statuses).toEqual(part.expect.statuses)
    if (part.expect.sentKeys) {
      const once = sent.slice(0, sent.length / (part.repeat ?? 1))
      expect(once.flatMap((request) => request.body.map((event) => event.key))).toEqual(part.expect.sentKeys)
    }
    for (const [index, text] of Object.entries(part.expect.messagesInclude ?? {}))
      expect(messages[0][Number(index)]).toContain(text)
    // A retried batch carries the same payload ID, so LaunchDarkly drops the repeat.
    if ((part.repeat ?? 1) > 1)
      expect(new Set(sent.map((request) => request.payloadId)).size).toBe(sent.length / (part.repeat ?? 1))

    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(prototypeFingerprint()).toBe(hostPrototypes)
  })

  test('perform: each event alone succeeds or fails with a typed error', async () => {
    nock(EVENTS_BASE)
      .persist()
      .post(/^\/events\/bulk\//)
      .reply(202, '')
    for (const [index, event] of events.entries()) {
      const test = createTestIntegration(destination)
      let outcome: string
      try {
        await test.testAction(action, { event, settings, mapping, useDefaultMappings: true })
        outcome = 'delivered'
      } catch (error) {
        outcome = isTyped(error) ? 'failed' : `untyped ${String(error)}`
      }
      // Alone, against a LaunchDarkly that takes everything: delivered where the batch
      // delivered it or LaunchDarkly refused its size; otherwise refused by us, typed.
      const status = part.expect.statuses[index]
      expect([index, outcome]).toEqual([
        index,
        (status >= 200 && status < 300) || status === 413 ? 'delivered' : 'failed'
      ])
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(prototypeFingerprint()).toBe(hostPrototypes)
  })
})
