// An outbox's send loop (outbox.ts keeps the records; this sends them): it reads the
// oldest unsent records, keeps up to the sender's concurrency of requests in flight, and
// settles each request's range (segments.ts acknowledges in order): delivered; retried
// with backoff; split in halves when refused for one of its records, so that only that
// one is dead-lettered and the batches after it are full size; dead-lettered when refused
// for good, as are bytes that are not a record. No error of the disk or the network
// leaves it: each is logged once per kind (failure-log.ts), shown to /healthz, retried.

import type { Settlement } from '../../shared'
import { asWriteFailed, WriteFailed } from '../append-log'
import { FailureLog, LogLevelOf } from '../failure-log'
import { DEAD_LETTER_FILE, DeadLetterReason, DeadLetters } from './dead-letters'
import { Appended, Batch, Corrupt, Segments } from './segments'
import { backoff, OutboxWords, PostOutcome, Sender } from './sender'

/** One request's outcome, for the lines `from`…`to` (whole lines) of `segment`. */
export interface BatchReport extends Appended {
  /** Delivered: answered 2xx; refused: moved to the dead-letter file; retryable: still unsent, to be sent again. */
  settlement: Settlement
  /** The receiver's status, unless delivered or no answer came. */
  status?: number
  reason?: string
  /** Failed requests in a row, this one included (0 once one succeeds). */
  failures: number
  /** How many records (lines) the request held. */
  calls: number
}

export interface SendLoopOptions {
  sender: Sender
  log(line: string, level?: LogLevelOf): void
  now: () => number
  /** Backoff after a failed request: base doubling up to max, with jitter. */
  retryBaseMs?: number
  retryMaxMs?: number
  /** Hears what each request settled; must not throw. */
  onBatch?(report: BatchReport): void
  /** Something was settled (delivered or dead-lettered): the outbox takes appends again. */
  onProgress(): void
}

interface DeadLetter {
  data: Buffer
  range: Appended
  lines: number
  why: DeadLetterReason
  corrupt: boolean
}

export class SendLoop {
  deadLettered = 0
  corrupt = 0
  /** When a record was last settled, or the loop started. */
  lastAdvanceMs: number
  readonly faults: FailureLog
  private failures = 0
  private diskFailures = 0
  private closed = false
  private resumeAt = 0
  private wake?: () => void
  private timer?: NodeJS.Timeout
  private timerAt = 0
  private readonly loop: Promise<void>
  /** Sends in flight. */
  private readonly flights = new Set<Promise<void>>()
  /** Batches to send again (after a failure, or halves of a split), in the order of the disk. */
  private readonly again: Batch[] = []
  /** Refused batches and corrupt bytes waiting for the dead-letter file. */
  private readonly toDeadLetter: DeadLetter[] = []
  private readonly now: () => number

  constructor(
    private readonly options: SendLoopOptions,
    private readonly segments: Segments,
    private readonly deadLetters: DeadLetters
  ) {
    this.now = options.now
    this.lastAdvanceMs = this.now()
    this.faults = new FailureLog(options.log, this.now)
    this.loop = this.run()
  }

  /** New records are on disk. */
  poke(): void {
    this.wake?.()
  }

  /** Stops: requests in flight are aborted (what they carried stays on disk), the loop ends. */
  async stop(): Promise<void> {
    this.closed = true
    this.options.sender.stop()
    clearTimeout(this.timer)
    this.wake?.()
    await this.loop
    await Promise.allSettled([...this.flights])
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const woken = new Promise<void>((resolve) => (this.wake = resolve))
      await this.step()
      await woken
    }
  }

  /** Does what can be done now: dead letters, acknowledgements, new requests. Never throws. */
  private async step(): Promise<void> {
    if (this.now() < this.resumeAt) return this.wakeAt(this.resumeAt)
    try {
      await this.writeDeadLetters()
      await this.launch()
      if (this.diskFailures > 0) {
        this.diskFailures = 0
        this.faults.recovered('disk', (count) => `${this.words.folder}: the disk works again (after ${count} failures)`)
      }
    } catch (error) {
      this.diskFailed(asWriteFailed(error))
    }
    // Idle: acknowledgements the disk refused are written now, acknowledged segments deleted.
    if (this.flights.size === 0) await this.persist(() => this.segments.persistAll())
  }

  /** Starts requests while the sender's concurrency allows and there is something to send. */
  private async launch(): Promise<void> {
    const { sender } = this.options
    while (!this.closed && this.now() >= this.resumeAt && this.flights.size < sender.concurrency) {
      let next: Batch | Corrupt | undefined = this.again.shift()
      if (!next) {
        // Read ahead only while what is handed out leaves room: memory stays a few batches.
        if (this.window() >= sender.concurrency) return
        next = await this.segments.readNext(sender.batchBytes, sender.batchLines)
      }
      if (!next) return
      if ('corrupt' in next) {
        this.corrupted(next)
        await this.writeDeadLetters()
        continue
      }
      const flight: Promise<void> = this.send(next).finally(() => {
        this.flights.delete(flight)
        this.wake?.()
      })
      this.flights.add(flight)
    }
  }

  /** Batches handed out and not yet settled. */
  private window(): number {
    return this.flights.size + this.again.length + this.toDeadLetter.length
  }

  private async send(batch: Batch): Promise<void> {
    let outcome: PostOutcome
    try {
      outcome = await this.options.sender.post(batch.lines)
    } catch (error) {
      outcome = { settlement: 'retryable', reason: (error as Error).name || 'error' }
    }
    // Stopping: whatever was not delivered stays on disk for the next start.
    if (this.closed && outcome.settlement !== 'delivered') return
    if (outcome.settlement === 'delivered') await this.delivered(batch)
    else if (outcome.settlement === 'retryable') this.retrying(batch, outcome)
    else if (outcome.oneOf && batch.lines.length > 1) this.split(batch)
    else this.refused(batch, outcome)
  }

  private async delivered(batch: Batch): Promise<void> {
    const { folder, receiver, requests } = this.words
    this.faults.recovered(
      'send',
      (count) => `${folder}: ${receiver} accepts ${requests} again (after ${count} failures)`
    )
    this.failures = 0
    this.options.onProgress()
    this.lastAdvanceMs = this.now()
    this.options.onBatch?.({ ...batch.range, settlement: 'delivered', failures: 0, calls: batch.lines.length })
    await this.persist(() => this.segments.settle(batch.range, batch.lines.length))
  }

  /** Records acknowledgements (settled in memory first); a disk that refuses is tried again when idle. */
  private async persist(write: () => Promise<void>): Promise<void> {
    try {
      await write()
      const { folder, receiver } = this.words
      this.faults.recovered(
        'acknowledge',
        (count) => `${folder}: what ${receiver} accepted is recorded again (after ${count} failures)`
      )
    } catch (error) {
      this.acknowledgementFailed(asWriteFailed(error))
    }
  }

  private get words(): OutboxWords {
    return this.options.sender.words
  }

  /** Refused for one of its records: both halves are sent again, in order, at once. */
  private split(batch: Batch): void {
    const half = Math.ceil(batch.lines.length / 2)
    const cut = batch.range.from + batch.sizes.slice(0, half).reduce((a, b) => a + b, 0)
    const part = (from: number, to: number, lines: readonly string[], sizes: readonly number[]): Batch => ({
      lines,
      sizes,
      range: { segment: batch.range.segment, from, to }
    })
    this.requeue(
      part(batch.range.from, cut, batch.lines.slice(0, half), batch.sizes.slice(0, half)),
      part(cut, batch.range.to, batch.lines.slice(half), batch.sizes.slice(half))
    )
  }

  private refused(batch: Batch, outcome: Extract<PostOutcome, { settlement: 'refused' }>): void {
    const { status, reason } = outcome
    const data = Buffer.from(batch.lines.join('\n') + '\n')
    const why = { status, reason, ...this.options.sender.idsOf(batch.lines) }
    this.toDeadLetter.push({ data, range: batch.range, lines: batch.lines.length, why, corrupt: false })
    const { folder, receiver, records, request, requests } = this.words
    this.faults.note(
      'refused',
      (count) =>
        count === 1
          ? `${folder}: ${receiver} refused a ${request} of ${batch.lines.length} ${records} for good (${reason}); moved to ${DEAD_LETTER_FILE} in the ${folder} folder`
          : `${folder}: ${receiver} refused ${count} more ${requests} for good (last: ${reason}); moved to ${DEAD_LETTER_FILE} in the ${folder} folder`,
      'error'
    )
  }

  private corrupted(found: Corrupt): void {
    // The dead-letter file stays one line per entry.
    const data = found.lines ? found.corrupt : Buffer.concat([found.corrupt, Buffer.from('\n')])
    this.toDeadLetter.push({
      data,
      range: found.range,
      lines: found.lines,
      why: { reason: found.reason },
      corrupt: true
    })
    const { folder } = this.words
    this.faults.note(
      'corrupt',
      (count) =>
        count === 1
          ? `${folder}: ${found.reason}; moved to ${DEAD_LETTER_FILE} in the ${folder} folder, and what follows is sent`
          : `${folder}: ${count} more stretches of bytes that are not records moved to ${DEAD_LETTER_FILE} (last: ${found.reason})`,
      'error'
    )
  }

  private async writeDeadLetters(): Promise<void> {
    while (this.toDeadLetter.length) {
      const next = this.toDeadLetter[0]
      await this.deadLetters.keep(next.data, next.why)
      this.toDeadLetter.shift()
      if (next.corrupt) this.corrupt++
      else this.deadLettered += next.lines
      this.options.onProgress()
      this.lastAdvanceMs = this.now()
      const { status, reason } = next.why
      const calls = next.lines
      this.options.onBatch?.({ ...next.range, settlement: 'refused', status, reason, failures: this.failures, calls })
      await this.persist(() => this.segments.settle(next.range, next.lines))
    }
  }

  private retrying(batch: Batch, outcome: Extract<PostOutcome, { settlement: 'retryable' }>): void {
    this.failures++
    const delay =
      outcome.retryAfterMs ?? backoff(this.failures, this.options.retryBaseMs ?? 100, this.options.retryMaxMs ?? 60_000)
    this.resumeAt = Math.max(this.resumeAt, this.now() + delay)
    this.requeue(batch)
    const { records, bytes } = this.segments.stats()
    const { folder, receiver, request, requests, records: unit } = this.words
    this.faults.failed('send', outcome.reason, (count) =>
      count === 1
        ? `${folder}: ${receiver} ${request} failed (${
            outcome.reason
          }); ${records} ${unit} (${bytes} bytes) kept on disk, retrying in ${Math.round(delay)} ms`
        : `${folder}: ${receiver} ${requests} failed ${count} times in a row (last: ${outcome.reason}); ${records} ${unit} (${bytes} bytes) kept on disk, retrying`
    )
    const { status, reason } = outcome
    const calls = batch.lines.length
    this.options.onBatch?.({ ...batch.range, settlement: 'retryable', status, reason, failures: this.failures, calls })
  }

  /** Back among the batches to send again, in the order of the disk. */
  private requeue(...batches: Batch[]): void {
    this.again.push(...batches)
    this.again.sort((a, b) =>
      a.range.segment === b.range.segment ? a.range.from - b.range.from : a.range.segment < b.range.segment ? -1 : 1
    )
  }

  /** The disk failed reading, dead-lettering or deleting: tried again after a pause; sending waits. */
  private diskFailed(error: WriteFailed): void {
    this.diskFailures++
    const delay = backoff(this.diskFailures, 100, 5_000)
    this.resumeAt = Math.max(this.resumeAt, this.now() + delay)
    this.wakeAt(this.resumeAt)
    const { folder } = this.words
    this.faults.failed('disk', error.message, (count) =>
      count === 1
        ? `${folder}: the ${folder} folder cannot be ${error.operation === 'read' ? 'read' : 'written'} (${
            error.message
          }); nothing is lost, tried again in ${Math.round(delay)} ms`
        : `${folder}: the ${folder} folder failed ${count} times in a row (last: ${error.message}); nothing is lost, tried again`
    )
  }

  /** The 2xx is kept in memory and written when the disk allows; only a restart before that sends those records again. */
  private acknowledgementFailed(error: WriteFailed): void {
    const { folder, receiver } = this.words
    this.faults.failed('acknowledge', error.message, (count) =>
      count === 1
        ? `${folder}: what ${receiver} accepted cannot be recorded (${error.message}); kept in memory and written when the disk allows`
        : `${folder}: what ${receiver} accepted could not be recorded ${count} times (last: ${error.message}); kept in memory`
    )
    this.wakeAt(this.now() + 1000)
  }

  /** Wakes the loop at `time`, or at the earlier time already set. */
  private wakeAt(time: number): void {
    if (this.timer && this.timerAt <= time && this.timerAt > this.now()) return
    clearTimeout(this.timer)
    this.timerAt = time
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.wake?.()
    }, Math.max(0, time - this.now()))
  }
}
