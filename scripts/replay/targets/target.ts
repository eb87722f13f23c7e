// What every replay target is: a batch of Segment calls in, one outcome per call out,
// nothing counted as sent until the target acknowledged it. The NDJSON file, a source
// function's webhook and Segment (through the relay's outbox) are implementations.

import type { Settled } from '../../../shared'
import type { ReplayCall } from '../deliveries'

export interface Batch {
  /** Converted or passed-through calls, in input order. */
  readonly calls: readonly ReplayCall[]
  /**
   * The LaunchDarkly delivery the calls came from, as the source function takes it (a
   * JSON body of at most 512 KiB); absent for Segment calls read as such.
   */
  readonly body?: string
}

/**
 * What became of one call (shared/settlement.ts): delivered (written and flushed, or answered
 * 2xx), refused for cause (sending it again cannot help), or retryable (network, outage,
 * retries spent, interrupted: a rerun should send it).
 */
export type Outcome = Settled

export interface Target {
  /** For reports; never holds a secret. */
  readonly description: string
  /** Batches that may be in flight at once; acknowledgements are checkpointed in input order whatever this is. */
  readonly concurrency: number
  /** Never rejects for a delivery's sake: each call gets its outcome, in order. */
  send(batch: Batch): Promise<Outcome[]>
  /**
   * What a resumed run must restore (the NDJSON file's length), read after a send has
   * settled; only targets with a concurrency of 1 have one.
   */
  mark?(): TargetMark
  close(): Promise<void>
}

export interface TargetMark {
  readonly outputBytes: number
}

/** The same outcome for every call of a batch (a webhook answers for the whole body). */
export function every(batch: Batch, outcome: Outcome): Outcome[] {
  return batch.calls.map(() => outcome)
}

/** A target that cannot start (bad URL, unusable output file): a usage error. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TargetError'
  }
}
