// An outbox (docs/relay.md "The outboxes"): records kept on disk (segments.ts) from before
// the relay's 202 until their receiver has answered 2xx, sent through a sender: Segment's
// batch API (batch-api.ts) for the calls, LaunchDarkly's events service (forward-api.ts)
// for forwarded SDK requests. This module joins the two: it refuses appends past its
// limit; its send loop reads the oldest unsent records, keeps up to the sender's
// concurrency of requests in flight, acknowledges in order, retries with backoff, splits
// a batch refused for one of its records until that record is alone, dead-letters what
// is refused for good and bytes that are not a record. No error of the disk or the
// network ends it: each is logged once per kind (failure-log.ts), reported, and retried.
//
// Delivery is at least once: a batch whose acknowledgement was not recorded (a crash
// between the 2xx and the `.sent` write) is sent again, and the receiver drops the repeat
// (messageIds, payload ids).

import { mkdir, chmod } from 'fs/promises'
import type { Settlement } from '../../shared'
import { asWriteFailed, OpenAppendFile, openAppendFile, WriteFailed } from '../append-log'
import { Failing, FailureLog } from '../failure-log'
import { DEAD_LETTER_FILE, DeadLetterReason, DeadLetters } from './dead-letters'
import { Appended, Batch, Corrupt, Segments } from './segments'
import { backoff, OutboxWords, PostOutcome, Sender } from './sender'

/** Appends refused because the outbox holds `maxBytes` already. */
export class OutboxFull extends Error {
  constructor(readonly bytes: number, readonly maxBytes: number, words: OutboxWords) {
    super(
      `The ${words.name} holds ${bytes} bytes not yet accepted by ${words.receiver}, at its limit of ${maxBytes} (${words.limitVariable}); retry later`
    )
    this.name = 'OutboxFull'
  }
}

/** A record longer than the outbox keeps (and its receiver takes): never written. */
export class RecordTooLarge extends Error {
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`A record of ${bytes} bytes is over the outbox's limit of ${maxBytes} bytes`)
    this.name = 'RecordTooLarge'
  }
}

export interface OutboxOptions {
  dir: string
  sender: Sender
  maxBytes: number
  /** A longer record is refused at append, and bytes longer than that in a segment are not a record. */
  maxRecordBytes: number
  log(line: string): void
  /** Mode of the folder's files (default 0644 before the umask); the folder gets the execute bits of it. */
  mode?: number
  openFile?: OpenAppendFile
  /** Backoff after a failed request: base doubling up to max, with jitter. */
  retryBaseMs?: number
  retryMaxMs?: number
  /** Health says stalled when the outbox holds records and has settled none for this long. */
  stalledAfterMs?: number
  now?: () => number
  /** Hears what each request settled (the replay follows its own calls with it); must not throw. */
  onBatch?(report: BatchReport): void
}

/** One request's outcome, for the lines `from`…`to` (whole lines) of `segment`. */
export interface BatchReport extends Appended {
  /** Delivered: answered 2xx; refused: moved to the dead-letter file; retryable: still unsent, to be sent again. */
  settlement: Settlement
  /** The receiver's status, unless delivered or no answer came. */
  status?: number
  reason?: string
  /** Failed requests in a row, this one included (0 once one succeeds). */
  failures: number
}

export interface OutboxStats {
  records: number
  bytes: number
  /** Age of the oldest segment holding unsent records (0 when empty); precise to SEGMENT_AGE_MS. */
  oldestAgeMs: number
  deadLettered: number
  /** Stretches of bytes that were not a record, moved to the dead-letter file. */
  corrupt: number
  /** The last request failure while it lasts (cleared by a 2xx). */
  failing?: string
  /** How long it has held records without settling any, once that is past `stalledAfterMs`. */
  stalledMs?: number
  /** The disk's and the receiver's failures as they stand. */
  faults: Failing[]
}

export type { Appended }

export const DEFAULT_STALLED_AFTER_MS = 5 * 60_000

/** Why an outbox is not healthy, for /healthz: its folder fails, or it has stalled. */
export interface Problem {
  message: string
  stalled?: boolean
}

export class Outbox {
  private reserved = 0
  private deadLettered = 0
  private corrupt = 0
  private refusing = false
  private failures = 0
  private diskFailures = 0
  private closed = false
  private resumeAt = 0
  private lastAdvanceMs: number
  private wake?: () => void
  private timer?: NodeJS.Timeout
  private loop?: Promise<void>
  /** Sends in flight. */
  private readonly flights = new Set<Promise<void>>()
  /** Batches to send again (after a failure, or halves of a split), in the order of the disk. */
  private readonly again: Batch[] = []
  /** Refused batches and corrupt bytes waiting for the dead-letter file. */
  private readonly toDeadLetter: Array<{
    data: Buffer
    range: Appended
    lines: number
    why: DeadLetterReason
    corrupt: boolean
  }> = []
  private readonly faults: FailureLog
  private readonly now: () => number

  private constructor(
    private readonly options: OutboxOptions,
    private readonly segments: Segments,
    private readonly deadLetters: DeadLetters
  ) {
    this.now = options.now ?? Date.now
    this.lastAdvanceMs = this.now()
    this.faults = new FailureLog(options.log, this.now)
  }

  /** Opens the outbox (creating its folder), recovers what a previous run left, and starts sending. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const now = options.now ?? Date.now
    const mode = options.mode ?? 0o644
    // The folder as private as its files: read and write bits, and execute where there is read.
    const folderMode = mode | ((mode & 0o444) >> 2)
    await mkdir(options.dir, { recursive: true, mode: folderMode })
    if (mode !== 0o644) await chmod(options.dir, folderMode)
    const openFile = options.openFile ?? openAppendFile
    const segments = await Segments.open({
      dir: options.dir,
      openFile,
      now,
      mode,
      maxRecordBytes: options.maxRecordBytes
    })
    const outbox = new Outbox(options, segments, new DeadLetters(options.dir, openFile, mode, now))
    const { records, bytes } = segments.stats()
    const { folder, records: unit } = options.sender.words
    if (records > 0) options.log(`${folder}: ${records} ${unit} (${bytes} bytes) from an earlier run are being sent`)
    outbox.loop = outbox.run()
    return outbox
  }

  get url(): string {
    return this.options.sender.url
  }

  stats(): OutboxStats {
    const figures = this.segments.stats()
    const idleMs = this.now() - this.lastAdvanceMs
    const stalled = figures.records > 0 && idleMs >= (this.options.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS)
    return {
      ...figures,
      deadLettered: this.deadLettered,
      corrupt: this.corrupt,
      failing: this.faults.failing().find((f) => f.kind === 'send')?.last,
      ...(stalled ? { stalledMs: idleMs } : {}),
      faults: this.faults.failing()
    }
  }

  /** A disk that fails (the folder cannot be read or written), or a stall; undefined when healthy. */
  problem(): Problem | undefined {
    const { name, records: unit, receiver } = this.words
    const disk = this.faults.failing().find((f) => f.kind === 'disk' || f.kind === 'acknowledge')
    if (disk) return { message: `the ${name} folder cannot be written or read (${disk.last}; ${disk.count} times)` }
    const { records, oldestAgeMs, stalledMs, failing } = this.stats()
    if (stalledMs === undefined) return undefined
    return {
      stalled: true,
      message: `the ${name} has settled nothing for ${Math.round(
        stalledMs / 1000
      )} s; it holds ${records} ${unit}, the oldest ${Math.round(oldestAgeMs / 1000)} s old (${
        failing ? `last failure: ${failing}` : `${receiver} has not answered`
      })`
    }
  }

  /** Refusing appends: at the limit, or an append was refused and nothing has been settled since. */
  get full(): boolean {
    return this.refusing || this.segments.stats().bytes + this.reserved >= this.options.maxBytes
  }

  /** Why `lines` would not be taken now (the limit), or undefined: checked for both outboxes before either is written. */
  refusalFor(lines: readonly string[]): string | undefined {
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0)
    const held = this.segments.stats().bytes + this.reserved
    if (held + bytes <= this.options.maxBytes) return undefined
    // Refusing until something is settled, as a refused append does.
    this.refusing = true
    return this.fullMessage()
  }

  fullMessage(): string {
    return new OutboxFull(this.segments.stats().bytes + this.reserved, this.options.maxBytes, this.options.sender.words)
      .message
  }

  /**
   * Writes the records (JSON lines) to disk; resolves once they are there, with where they
   * are (undefined for no lines). Throws OutboxFull, RecordTooLarge or WriteFailed, having
   * written nothing.
   */
  async append(lines: readonly string[]): Promise<Appended | undefined> {
    if (lines.length === 0) return undefined
    if (this.closed) throw new WriteFailed(undefined, new Error('the outbox is closed'))
    for (const line of lines) {
      const bytes = Buffer.byteLength(line)
      if (bytes > this.options.maxRecordBytes) throw new RecordTooLarge(bytes, this.options.maxRecordBytes)
    }
    const data = Buffer.from(lines.join('\n') + '\n')
    const held = this.segments.stats().bytes + this.reserved
    if (held + data.length > this.options.maxBytes) {
      this.refusing = true
      throw new OutboxFull(held, this.options.maxBytes, this.options.sender.words)
    }
    // An outbox that was empty has not stalled: it starts waiting now.
    if (held === 0) this.lastAdvanceMs = this.now()
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
   * Sends what it can for up to `flushMs` while the receiver accepts, then stops: whatever
   * is left stays on disk for the next start.
   */
  async close(flushMs = 5000): Promise<void> {
    if (this.closed) return
    const deadline = this.now() + flushMs
    while (
      (this.segments.stats().records > 0 || this.reserved > 0) &&
      this.now() < deadline &&
      !this.faults.isFailing('send')
    ) {
      this.wake?.()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    this.closed = true
    this.options.sender.stop()
    clearTimeout(this.timer)
    this.wake?.()
    await this.loop
    await Promise.allSettled([...this.flights])
    await this.segments.persistAll().catch(() => undefined)
    await this.segments.close().catch(() => undefined)
    await this.deadLetters.close().catch(() => undefined)
    const { records, bytes } = this.segments.stats()
    const { folder, receiver, records: unit } = this.options.sender.words
    if (records > 0)
      this.options.log(
        `${folder}: ${records} ${unit} (${bytes} bytes) not yet accepted by ${receiver} stay on disk; they are sent on the next start`
      )
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
    this.refusing = false
    this.lastAdvanceMs = this.now()
    this.options.onBatch?.({ ...batch.range, settlement: 'delivered', failures: 0 })
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
    this.faults.note('refused', (count) =>
      count === 1
        ? `${folder}: ${receiver} refused a ${request} of ${batch.lines.length} ${records} for good (${reason}); moved to ${DEAD_LETTER_FILE} in the ${folder} folder`
        : `${folder}: ${receiver} refused ${count} more ${requests} for good (last: ${reason}); moved to ${DEAD_LETTER_FILE} in the ${folder} folder`
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
    this.faults.note('corrupt', (count) =>
      count === 1
        ? `${folder}: ${found.reason}; moved to ${DEAD_LETTER_FILE} in the ${folder} folder, and what follows is sent`
        : `${folder}: ${count} more stretches of bytes that are not records moved to ${DEAD_LETTER_FILE} (last: ${found.reason})`
    )
  }

  private async writeDeadLetters(): Promise<void> {
    while (this.toDeadLetter.length) {
      const next = this.toDeadLetter[0]
      await this.deadLetters.keep(next.data, next.why)
      this.toDeadLetter.shift()
      if (next.corrupt) this.corrupt++
      else this.deadLettered += next.lines
      this.refusing = false
      this.lastAdvanceMs = this.now()
      const { status, reason } = next.why
      this.options.onBatch?.({ ...next.range, settlement: 'refused', status, reason, failures: this.failures })
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
    this.options.onBatch?.({ ...batch.range, settlement: 'retryable', status, reason, failures: this.failures })
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

  private wakeAt(time: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.wake?.(), Math.max(0, time - this.now()))
  }
}
