// The outbox (docs/relay.md "The outbox"): Segment calls kept on disk (segments.ts) from
// before the relay's 202 until Segment's batch API (batch-api.ts) has answered 2xx for
// them. This module joins the two: it refuses appends past its limit, and its send loop
// posts the oldest unsent lines, acknowledges, retries with backoff, isolates a call
// Segment refuses by halving batches, and dead-letters it.
//
// Delivery is at least once: a batch whose acknowledgement was not recorded (a crash
// between Segment's 2xx and the `.sent` write) is sent again, and Segment drops the
// repeat by messageId.

import { mkdir } from 'fs/promises'
import { MAX_MESSAGE_BYTES } from '../../shared'
import type { Settlement } from '../../shared'
import { OpenAppendFile, openAppendFile, WriteFailed } from '../append-log'
import { delay } from '../delay'
import { backoff, BatchApi, MAX_BATCH_BYTES, PostOutcome } from './batch-api'
import { Appended, Batch, DEAD_LETTER_FILE, Segments } from './segments'

/** Appends refused because the outbox holds `maxBytes` already. */
export class OutboxFull extends Error {
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(
      `The outbox holds ${bytes} bytes not yet accepted by Segment, at its limit of ${maxBytes} (LD_OUTBOX_MAX_BYTES); retry later`
    )
    this.name = 'OutboxFull'
  }
}

/** A call the batch API would refuse (over 32 KB): never written. */
export class CallTooLarge extends Error {
  constructor(bytes: number) {
    super(`A Segment call is ${bytes} bytes of JSON, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes`)
    this.name = 'CallTooLarge'
  }
}

export interface OutboxOptions {
  dir: string
  writeKey: string
  /** Segment's Tracking API origin; `/v1/batch` is appended. */
  host: string
  maxBytes: number
  /** Outage lines are warnings; a level says otherwise (news at `info`, calls refused for good at `error`). */
  log(line: string, level?: 'info' | 'error'): void
  fetch?: typeof fetch
  openFile?: OpenAppendFile
  /** Backoff after a failed batch: base doubling up to max, with jitter. */
  retryBaseMs?: number
  retryMaxMs?: number
  /** Per batch request. */
  timeoutMs?: number
  now?: () => number
  /** Hears what each batch request settled (the replay follows its own calls with it); must not throw. */
  onBatch?(report: BatchReport): void
}

/** One batch request's outcome, for the lines `from`…`to` (whole lines) of `segment`. */
export interface BatchReport extends Appended {
  /** Delivered: answered 2xx; refused: moved to the dead-letter file; retryable: still unsent, to be sent again. */
  settlement: Settlement
  /** Segment's status, unless delivered or no answer came. */
  status?: number
  reason?: string
  /** Failed batch requests in a row, this one included (0 once one succeeds). */
  failures: number
  /** How many calls (lines) the batch held. */
  calls: number
}

export interface OutboxStats {
  records: number
  bytes: number
  /** Age of the oldest segment holding unsent calls (0 when empty); precise to SEGMENT_AGE_MS. */
  oldestAgeMs: number
  deadLettered: number
  /** LD_OUTBOX_MAX_BYTES. */
  maxBytes: number
  /** The last batch failure while it lasts (cleared by a 2xx). */
  failing?: string
}

export type { Appended }

export class Outbox {
  private reserved = 0
  private deadLettered = 0
  private refusing = false
  private failing?: string
  private failures = 0
  /** Set while halving batches to find the call Segment refuses (a 400 or 413 for a batch). */
  private maxLines?: number
  private lastFailureLog = 0
  private closed = false
  private wake?: () => void
  /** Cuts the backoff short when the outbox closes. */
  private readonly closing = new AbortController()
  private loop?: Promise<void>
  private readonly now: () => number

  private constructor(
    private readonly options: OutboxOptions,
    private readonly segments: Segments,
    private readonly api: BatchApi
  ) {
    this.now = options.now ?? Date.now
  }

  /** Opens the outbox (creating its folder), recovers what a previous run left, and starts sending. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const now = options.now ?? Date.now
    await mkdir(options.dir, { recursive: true })
    const segments = await Segments.open(options.dir, options.openFile ?? openAppendFile, now)
    const api = new BatchApi({ ...options, now })
    const outbox = new Outbox(options, segments, api)
    const { records, bytes } = segments.stats()
    if (records > 0) options.log(`outbox: ${records} calls (${bytes} bytes) from an earlier run are being sent`, 'info')
    outbox.loop = outbox.run()
    return outbox
  }

  get url(): string {
    return this.api.url
  }

  stats(): OutboxStats {
    const { deadLettered, failing } = this
    return { ...this.segments.stats(), deadLettered, maxBytes: this.options.maxBytes, failing }
  }

  /** Refusing appends: at the limit, or an append was refused and Segment has acknowledged nothing since. */
  get full(): boolean {
    return this.refusing || this.segments.stats().bytes + this.reserved >= this.options.maxBytes
  }

  fullMessage(): string {
    return new OutboxFull(this.segments.stats().bytes + this.reserved, this.options.maxBytes).message
  }

  /**
   * Writes the calls (JSON lines) to disk; resolves once they are there, with where they
   * are (undefined for no lines). Throws OutboxFull, CallTooLarge or WriteFailed, having
   * written nothing.
   */
  async append(lines: readonly string[]): Promise<Appended | undefined> {
    if (lines.length === 0) return undefined
    if (this.closed) throw new WriteFailed(undefined, new Error('the outbox is closed'))
    for (const line of lines) {
      const bytes = Buffer.byteLength(line)
      if (bytes > MAX_MESSAGE_BYTES) throw new CallTooLarge(bytes)
    }
    const data = Buffer.from(lines.join('\n') + '\n')
    const held = this.segments.stats().bytes + this.reserved
    if (held + data.length > this.options.maxBytes) {
      this.refusing = true
      throw new OutboxFull(held, this.options.maxBytes)
    }
    this.reserved += data.length
    try {
      const appended = await this.segments.append(data, lines.length)
      this.wake?.()
      return appended
    } finally {
      this.reserved -= data.length
    }
  }

  /**
   * Sends what it can for up to `flushMs` while Segment accepts, then stops: whatever is
   * left stays on disk for the next start.
   */
  async close(flushMs = 5000): Promise<void> {
    if (this.closed) return
    const deadline = this.now() + flushMs
    while ((this.segments.stats().records > 0 || this.reserved > 0) && this.now() < deadline && !this.failing) {
      this.wake?.()
      await delay(20)
    }
    this.closed = true
    this.api.stop()
    this.closing.abort()
    this.wake?.()
    await this.loop
    await this.segments.close()
    const { records, bytes } = this.segments.stats()
    if (records > 0)
      this.options.log(
        `outbox: ${records} calls (${bytes} bytes) not yet accepted by Segment stay on disk; they are sent on the next start`
      )
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const batch = await this.segments.readBatch(MAX_BATCH_BYTES, this.maxLines)
      if (!batch) {
        await this.idle()
        continue
      }
      const outcome = await this.api.post(batch.lines)
      if (this.closed && !outcome.ok) break
      if (outcome.ok) await this.delivered(batch)
      else if (!outcome.retry && (outcome.status === 400 || outcome.status === 413) && batch.lines.length > 1) {
        // One bad call must not take the others with it: halve until it is alone.
        this.maxLines = Math.ceil(batch.lines.length / 2)
      } else if (!outcome.retry) await this.refused(batch, outcome)
      else await this.retrying(batch, outcome)
    }
  }

  /** Nothing to send: collects sent segments, then waits for an append or close(). */
  private async idle(): Promise<void> {
    await this.segments.collect()
    await new Promise<void>((resolve) => {
      this.wake = resolve
      if (this.segments.hasUnsent() || this.closed) resolve()
    })
    this.wake = undefined
  }

  private async delivered(batch: Batch): Promise<void> {
    if (this.maxLines !== undefined) this.maxLines = this.maxLines >= 256 ? undefined : this.maxLines * 2
    if (this.failing)
      this.options.log(`outbox: Segment accepts batches again (after ${this.failures} failures)`, 'info')
    this.failing = undefined
    this.failures = 0
    this.refusing = false
    await this.segments.acknowledge(batch)
    this.options.onBatch?.({ ...batch.range, settlement: 'delivered', failures: 0, calls: batch.lines.length })
  }

  private async refused(batch: Batch, outcome: Extract<PostOutcome, { ok: false }>): Promise<void> {
    const { status, reason } = outcome
    await this.segments.deadLetter(batch, { status, reason })
    this.refusing = false
    this.deadLettered += batch.lines.length
    this.options.log(
      `outbox: Segment refused a batch of ${batch.lines.length} calls for good (${reason}); moved to ${DEAD_LETTER_FILE} in the outbox folder`,
      'error'
    )
    const calls = batch.lines.length
    this.options.onBatch?.({ ...batch.range, settlement: 'refused', status, reason, failures: this.failures, calls })
  }

  private async retrying(batch: Batch, outcome: Extract<PostOutcome, { ok: false }>): Promise<void> {
    this.failures++
    this.failing = outcome.reason
    const wait =
      outcome.retryAfterMs ?? backoff(this.failures, this.options.retryBaseMs ?? 500, this.options.retryMaxMs ?? 60_000)
    const { records, bytes } = this.segments.stats()
    // One line for the first failure, then at most one a minute while it lasts.
    if (this.failures === 1 || this.now() - this.lastFailureLog >= 60_000) {
      this.lastFailureLog = this.now()
      this.options.log(
        `outbox: Segment batch failed (${
          outcome.reason
        }); ${records} calls (${bytes} bytes) kept on disk, retrying in ${Math.round(wait)} ms`
      )
    }
    const { status, reason } = outcome
    const calls = batch.lines.length
    this.options.onBatch?.({ ...batch.range, settlement: 'retryable', status, reason, failures: this.failures, calls })
    await delay(wait, this.closing.signal)
  }
}
