// `--to segment`: calls sent to Segment under the relay's outbox rules (runtime/outbox/):
// kept on disk until Segment answers 2xx, refused calls moved to the dead-letter file,
// backoff in between. The outbox is the relay's, adapted in segment-outbox.ts; this target
// passes on how it settled each call.

import type { ReplayCall } from '../deliveries'
import { Batch, Outcome, Target } from './target'

/** What a replay needs from the relay's outbox. */
export interface SegmentOutbox {
  /** For reports: the outbox folder and Segment host, never the write key. */
  readonly description: string
  /**
   * Appends `calls` to the outbox on disk (durably, before anything is sent), then sends
   * them in Segment batches under its rules, and resolves with one settlement per call,
   * in order, once each is settled: refused when Segment's non-retryable answer was to it
   * alone (it is in the dead-letter file) or it is too large for Segment (never written);
   * retryable when retries were spent, the request refused, or the outbox is closing (the
   * reason says where it is).
   */
  submit(calls: readonly ReplayCall[]): Promise<readonly Outcome[]>
  /** Stops sending; calls not yet delivered stay on disk. */
  close(): Promise<void>
}

export function segmentTarget(outbox: SegmentOutbox, concurrency: number): Target {
  return {
    description: `segment ${outbox.description}`,
    concurrency,
    async send(batch: Batch): Promise<Outcome[]> {
      if (batch.calls.length === 0) return []
      const settled = await outbox.submit(batch.calls)
      return batch.calls.map(
        (_, i): Outcome => settled[i] ?? { settlement: 'retryable', reason: 'the outbox gave no answer for it' }
      )
    },
    close: () => outbox.close()
  }
}
