// Shared by the destination's tests: settings, sample events and a nock interceptor for
// LaunchDarkly's bulk events endpoint that records what went over the wire.

import nock from 'nock'
import type { SegmentEvent } from '@segment/actions-core'
import type { Settings } from '../../generated-types'

export const CLIENT_SIDE_ID = 'client-side-dest-0001'
export const SOURCE_ENVIRONMENT = 'client-side-source-0002'
export const EVENTS_BASE = 'https://events.launchdarkly.com'
export const SDK_BASE = 'https://clientsdk.launchdarkly.com'
export const BULK_PATH = `/events/bulk/${CLIENT_SIDE_ID}`
export const settings: Settings = { clientSideId: CLIENT_SIDE_ID }

export const TIMESTAMP = '2026-11-26T00:59:49.876Z'
export const CREATION_DATE = 1795654789876

/** The headers every request to LaunchDarkly carries, besides the payload ID. */
export const FIXED_HEADERS = {
  'content-type': 'application/json',
  'x-launchdarkly-event-schema': '4',
  'user-agent': 'SegmentLaunchDarklyEvents/1.0.0'
}

export interface Captured {
  readonly headers: Record<string, string>
  readonly body: unknown
}

/**
 * A request's headers as one string each, as sent. nock 13 (action-destinations' version)
 * records header values as arrays, nock 14 as strings: tests read them only through here.
 */
export function headersOf(request: { headers: Record<string, unknown> }): Record<string, string> {
  const sent: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers))
    sent[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  return sent
}

type Reply = number | { status: number; body?: unknown; headers?: Record<string, string> }

/**
 * Answers the next `replies.length` POSTs to the bulk endpoint in order, recording each
 * request's headers (as sent) and parsed body.
 */
export function interceptBulk(replies: Reply[], path = BULK_PATH, base = EVENTS_BASE): Captured[] {
  const captured: Captured[] = []
  for (const reply of replies) {
    const { status, body, headers } =
      typeof reply === 'number' ? { status: reply, body: undefined, headers: undefined } : reply
    nock(base)
      .post(path)
      .reply(function (_uri, requestBody) {
        captured.push({ headers: headersOf(this.req), body: requestBody })
        return [status, body === undefined ? '' : (body as nock.Body), headers ?? {}]
      })
  }
  return captured
}

/** The four LaunchDarkly headers of a captured request. */
export function launchDarklyHeaders(request: Captured): Record<string, string> {
  const { headers } = request
  return {
    'content-type': headers['content-type'],
    'x-launchdarkly-event-schema': headers['x-launchdarkly-event-schema'],
    'user-agent': headers['user-agent'],
    'x-launchdarkly-payload-id': headers['x-launchdarkly-payload-id']
  }
}

/** A Segment call with nothing of createTestEvent's sample data that the test did not ask for. */
export function segmentEvent(event: Partial<SegmentEvent> & Pick<SegmentEvent, 'type'>): SegmentEvent {
  return { userId: undefined, anonymousId: undefined, context: {}, ...event }
}

/** A track call in the export schema (LaunchDarkly's Segment Data Export). */
export function exportedTrack(event: string, messageId: string, properties: Record<string, unknown>): SegmentEvent {
  return segmentEvent({
    type: 'track',
    event,
    messageId,
    timestamp: TIMESTAMP,
    userId: 'user-123',
    properties: {
      environment: SOURCE_ENVIRONMENT,
      project: 'project-1',
      contextKeys: { user: 'user-123' },
      ...properties
    }
  })
}

export function exportedPage(messageId: string, properties: Record<string, unknown>): SegmentEvent {
  return segmentEvent({
    type: 'page',
    messageId,
    timestamp: TIMESTAMP,
    userId: 'user-123',
    properties: {
      environment: SOURCE_ENVIRONMENT,
      project: 'project-1',
      contextKeys: { user: 'user-123' },
      ...properties
    }
  })
}

beforeAll(() => nock.disableNetConnect())
afterEach(() => {
  const pending = nock.pendingMocks()
  // Delayed replies (timeout tests) keep a timer alive until aborted.
  nock.abortPendingRequests()
  nock.cleanAll()
  // Every interceptor a test sets up must have been used: a missing request is a failure.
  if (pending.length) throw new Error(`requests not made: ${pending.join(', ')}`)
})
afterAll(() => nock.enableNetConnect())
