// The function fails a delivery only with Segment's error classes (design §3.8). Inside, a
// failure is a SourceError naming the class; onRequest turns it into the runtime's class
// at the boundary, after taking every secret out of its message.

import { assign, EXPECTED_FORMS, NothingExported, PayloadError, redact, redactSummary } from '../../shared'
import type { SegmentErrorName } from '../../shared'
import { ApiUnavailable } from './launchdarkly-api'
import { segmentError } from '../../segment-functions/globals'

export class SourceError extends Error {
  constructor(readonly segmentName: SegmentErrorName, message: string) {
    super(message)
    this.name = 'SourceError'
  }
}

export const UNREADABLE_BODY = `Expected ${EXPECTED_FORMS}; found a body that could not be read as text`

/**
 * What the delivery fails with: always one of Segment's classes, never holding a secret.
 * A delivery that exported nothing keeps its summary on the error, for a caller that
 * reports each event (the relay's record); Segment ignores it.
 */
export function toSegmentError(error: unknown, secrets: readonly string[]): Error {
  const [name, message] = classify(error)
  const failure = segmentError(name, redact(message, secrets))
  if (error instanceof NothingExported) assign(failure, { summary: redactSummary(error.summary, secrets) })
  return failure
}

function classify(error: unknown): [SegmentErrorName, string] {
  if (error instanceof SourceError) return [error.segmentName, error.message]
  if (error instanceof PayloadError) return ['InvalidEventPayload', error.message]
  if (error instanceof ApiUnavailable) {
    return ['RetryError', `Variation names could not be looked up: ${error.message}; Segment will retry the delivery`]
  }
  // A bug, or a runtime failure such as Segment refusing a call. A retry costs nothing
  // (messageIds are deterministic) and may succeed; failing for good would lose the events.
  const name = (error as { name?: unknown } | null)?.name
  const message = (error as { message?: unknown } | null)?.message
  const what = typeof message === 'string' ? `${typeof name === 'string' ? name : 'Error'}: ${message}` : String(error)
  return [
    'RetryError',
    `Unexpected error in the LaunchDarkly source function (${what}); Segment will retry the delivery`
  ]
}
