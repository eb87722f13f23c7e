// Hands the converted calls to Segment. Segment refuses a message over 32 KB by failing
// the whole invocation, so such a message (a huge flag value or custom data) is
// rejected alone beforehand, like any other bad event, and the rest still go out.

import { utf8Length } from '../../shared/sha256'
import type { Rejection } from '../../shared/to-segment'
import type { SegmentCall } from '../../shared/segment'
import { SegmentApi } from './runtime'

/** Segment's limit on one emitted message, in bytes of JSON. */
export const MAX_MESSAGE_BYTES = 32768

/** Splits the calls into those Segment accepts and rejections (by body index) for the rest. */
export function withinSizeLimit(
  calls: readonly SegmentCall[],
  indexes: readonly number[]
): { accepted: SegmentCall[]; rejected: Rejection[] } {
  const accepted: SegmentCall[] = []
  const rejected: Rejection[] = []
  calls.forEach((call, i) => {
    const bytes = utf8Length(JSON.stringify(call.message))
    if (bytes <= MAX_MESSAGE_BYTES) accepted.push(call)
    else rejected.push({ index: indexes[i], reason: `the Segment message would be ${bytes} bytes, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes (32 KB)` })
  })
  return { accepted, rejected }
}

export function emit(segment: SegmentApi, calls: readonly SegmentCall[]): void {
  for (const call of calls) {
    switch (call.type) {
      case 'track':
        segment.track(call.message)
        break
      case 'page':
        segment.page(call.message)
        break
      case 'alias':
        segment.alias(call.message)
        break
    }
  }
}
