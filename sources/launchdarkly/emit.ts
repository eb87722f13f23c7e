// Hands the converted calls to Segment.

import type { SegmentApi, SegmentCall } from '../../shared'

export function emit(segment: SegmentApi, calls: readonly SegmentCall[]): void {
  for (const call of calls) segment[call.type](call.message)
}
