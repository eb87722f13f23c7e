// The function fails a delivery only with Segment's error classes (SPEC 3.8). Inside, a
// failure is a SourceError naming the class; onRequest turns it into the runtime's class
// at the boundary, after taking every secret out of its message.

import { EXPECTED_FORMS } from '../../shared/envelopes'
import { PayloadError } from '../../shared/errors'
import { ApiUnavailable } from './launchdarkly-api'
import { segmentError, SegmentErrorName } from './runtime'

export class SourceError extends Error {
  constructor(
    readonly segmentName: SegmentErrorName,
    message: string
  ) {
    super(message)
    this.name = 'SourceError'
  }
}

export const UNREADABLE_BODY = `Expected ${EXPECTED_FORMS}; found a body that could not be read as text`

const REDACTED = '[redacted]'

/** Shorter shared runs are too common in ordinary text to mean anything. */
const MIN_LEAK = 8

/**
 * Replaces every run of 8 or more characters that also occurs in a secret: messages may
 * quote a truncated piece of the body (24 characters of it, a key cut at 32), and a piece
 * of a secret is a leak too (a secret shorter than that is replaced where it occurs
 * whole). A mangled message beats a leaked secret.
 */
export function redact(text: string, secrets: readonly string[]): string {
  // Marked on the original text first, so that replacements cannot interact.
  const hidden = new Uint8Array(text.length)
  for (const secret of secrets) {
    const run = Math.min(secret.length, MIN_LEAK)
    if (run === 0) continue
    for (let start = 0; start + run <= secret.length; start++) {
      const seed = secret.slice(start, start + run)
      for (let at = text.indexOf(seed); at >= 0; at = text.indexOf(seed, at + 1)) {
        // Widen the match as far as text and secret keep agreeing.
        let end = at + run
        while (end < text.length && start + (end - at) < secret.length && text[end] === secret[start + (end - at)]) end++
        hidden.fill(1, at, end)
      }
    }
  }
  let out = ''
  for (let i = 0; i < text.length; ) {
    if (!hidden[i]) out += text[i++]
    else {
      out += REDACTED
      while (hidden[i]) i++
    }
  }
  return out
}

/** What the delivery fails with: always one of Segment's classes, never holding a secret. */
export function toSegmentError(error: unknown, secrets: readonly string[]): Error {
  const [name, message] = classify(error)
  return segmentError(name, redact(message, secrets))
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
  return ['RetryError', `Unexpected error in the LaunchDarkly source function (${what}); Segment will retry the delivery`]
}
