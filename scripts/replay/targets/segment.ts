// `--to segment`: calls sent to Segment under the relay's outbox rules (runtime/outbox.ts):
// kept on disk until Segment answers 2xx, refused calls moved to the dead-letter file,
// backoff in between. This target is only the mapping from the outbox's settlements to
// replay outcomes; the outbox is the relay's, adapted in segment-outbox.ts.

import type { ReplayCall } from '../deliveries'
import { Batch, Outcome, Target } from './target'

/** How the outbox settled one call. */
export type OutboxSettlement =
  /** Segment answered 2xx for the batch that held it. */
  | { readonly status: 'delivered' }
  /**
   * Refused for good, for a cause of its own: Segment's non-retryable answer to it alone
   * (it is in the dead-letter file), or too large for Segment to take (never written).
   */
  | { readonly status: 'dead-lettered'; readonly reason: string }
  /** Not delivered (retries spent, the request refused, the outbox closing); the reason says where it is. */
  | { readonly status: 'pending'; readonly reason: string }

/** What a replay needs from the relay's outbox. */
export interface SegmentOutbox {
  /** For reports: the outbox folder and Segment host, never the write key. */
  readonly description: string
  /**
   * Appends `calls` to the outbox on disk (durably, before anything is sent), then sends
   * them in Segment batches under its rules, and resolves with one settlement per call,
   * in order, once each is settled.
   */
  submit(calls: readonly ReplayCall[]): Promise<readonly OutboxSettlement[]>
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
      return batch.calls.map((_, i): Outcome => {
        const settlement = settled[i] ?? { status: 'pending', reason: 'the outbox gave no answer for it' }
        if (settlement.status === 'delivered') return { status: 'sent' }
        if (settlement.status === 'dead-lettered') return { status: 'rejected', reason: settlement.reason }
        return { status: 'failed', reason: settlement.reason }
      })
    },
    close: () => outbox.close()
  }
}
