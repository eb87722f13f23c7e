// An outbox (docs/relay.md "The outboxes"): records kept on disk (segments.ts) from before
// the relay's 202 until their receiver has answered 2xx, sent by a send loop
// (send-loop.ts) through a sender: Segment's batch API (batch-api.ts) for the calls,
// LaunchDarkly's events service (forward-api.ts) for forwarded SDK requests. This module
// opens the folder, takes appends within its limit, and tells how it stands.
//
// Delivery is at least once: a batch whose acknowledgement was not recorded (a crash
// between the 2xx and the `.sent` write) is sent again, and the receiver drops the repeat
// (messageIds, payload ids).

import { chmod, mkdir } from 'fs/promises'
import { OpenAppendFile, openAppendFile, WriteFailed } from '../append-log'
import { delay } from '../delay'
import type { Failing, LogLevelOf } from '../failure-log'
import { DeadLetters } from './dead-letters'
import { Appended, Segments } from './segments'
import { BatchReport, SendLoop } from './send-loop'
import { OutboxWords, Sender } from './sender'

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
  /** Outage lines are warnings; a level says otherwise (news at `info`, records refused for good at `error`). */
  log(line: string, level?: LogLevelOf): void
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

export interface OutboxStats {
  records: number
  bytes: number
  /** Age of the oldest segment holding unsent records (0 when empty); precise to SEGMENT_AGE_MS. */
  oldestAgeMs: number
  deadLettered: number
  /** Its limit (LD_OUTBOX_MAX_BYTES, LD_FORWARD_OUTBOX_MAX_BYTES). */
  maxBytes: number
  /** Stretches of bytes that were not a record, moved to the dead-letter file (absent: none). */
  corrupt?: number
  /** The last request failure while it lasts (cleared by a 2xx). */
  failing?: string
  /** How long it has held records without settling any, once that is past `stalledAfterMs`. */
  stalledMs?: number
  /** The disk's and the receiver's failures as they stand (absent: none). */
  faults?: Failing[]
}

export type { Appended, BatchReport }

const DEFAULT_STALLED_AFTER_MS = 5 * 60_000

/** Why an outbox is not healthy, for /healthz: its folder fails, or it has stalled. */
export interface Problem {
  message: string
  stalled?: boolean
}

export class Outbox {
  private reserved = 0
  private refusing = false
  private closed = false
  private readonly now: () => number

  private constructor(
    private readonly options: OutboxOptions,
    private readonly segments: Segments,
    private readonly deadLetters: DeadLetters,
    private readonly loop: SendLoop
  ) {
    this.now = options.now ?? Date.now
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
    const { records, bytes } = segments.stats()
    const { folder, records: unit } = options.sender.words
    if (records > 0)
      options.log(`${folder}: ${records} ${unit} (${bytes} bytes) from an earlier run are being sent`, 'info')
    const deadLetters = new DeadLetters(options.dir, openFile, mode, now)
    // The loop tells the outbox it progressed: the outbox holds the loop.
    const opened: { outbox?: Outbox } = {}
    const onProgress = (): void => opened.outbox?.progressed()
    const loop = new SendLoop({ ...options, now, onProgress }, segments, deadLetters)
    opened.outbox = new Outbox(options, segments, deadLetters, loop)
    return opened.outbox
  }

  get url(): string {
    return this.options.sender.url
  }

  /** As answers name it ("outbox", "forward outbox"). */
  get name(): string {
    return this.options.sender.words.name
  }

  stats(): OutboxStats {
    const figures = this.segments.stats()
    const idleMs = this.now() - this.loop.lastAdvanceMs
    const stalled = figures.records > 0 && idleMs >= (this.options.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS)
    const faults = this.loop.faults.failing()
    return {
      ...figures,
      deadLettered: this.loop.deadLettered,
      maxBytes: this.options.maxBytes,
      corrupt: this.loop.corrupt,
      failing: faults.find((f) => f.kind === 'send')?.last,
      ...(stalled ? { stalledMs: idleMs } : {}),
      faults
    }
  }

  /** Why it cannot take appends (a disk that fails, its limit), or has stalled; undefined when healthy. */
  problem(): Problem | undefined {
    const { name, records: unit, receiver, requests, limitVariable } = this.options.sender.words
    const { records, oldestAgeMs, stalledMs, failing } = this.stats()
    const faults = this.loop.faults.failing()
    const append = faults.find((f) => f.kind === 'append')
    if (append) return { message: `the ${name} cannot write (${append.last})` }
    if (this.full)
      return { message: `the ${name} is at its limit (${limitVariable}) while ${receiver} does not accept ${requests}` }
    const disk = faults.find((f) => f.kind === 'disk' || f.kind === 'acknowledge')
    if (disk) return { message: `the ${name} folder cannot be written or read (${disk.last}; ${disk.count} times)` }
    if (stalledMs === undefined) return undefined
    const seconds = (ms: number): number => Math.round(ms / 1000)
    return {
      stalled: true,
      message: `the ${name} has settled nothing for ${seconds(
        stalledMs
      )} s; it holds ${records} ${unit}, the oldest ${seconds(oldestAgeMs)} s old (${
        failing ? `last failure: ${failing}` : `${receiver} has not answered`
      })`
    }
  }

  /** Why any append would be refused now (at its limit), checked before a delivery runs. */
  refusal(): string | undefined {
    return this.full ? this.fullMessage() : undefined
  }

  /** Refusing appends: at the limit, or an append was refused and nothing has been settled since. */
  get full(): boolean {
    return this.refusing || this.held() >= this.options.maxBytes
  }

  /** Why `lines` would not be taken now (the limit), or undefined: checked for both outboxes before either is written. */
  refusalFor(lines: readonly string[]): string | undefined {
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0)
    if (this.held() + bytes <= this.options.maxBytes) return undefined
    // Refusing until something is settled, as a refused append does.
    this.refusing = true
    return this.fullMessage()
  }

  private fullMessage(): string {
    return new OutboxFull(this.held(), this.options.maxBytes, this.options.sender.words).message
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
    const held = this.held()
    if (held + data.length > this.options.maxBytes) {
      this.refusing = true
      throw new OutboxFull(held, this.options.maxBytes, this.options.sender.words)
    }
    // An outbox that was empty has not stalled: it starts waiting now.
    if (held === 0) this.loop.lastAdvanceMs = this.now()
    this.reserved += data.length
    try {
      const appended = await this.segments.append(data, lines.length)
      this.loop.faults.recovered(
        'append',
        (count) => `${this.words.folder}: new ${this.words.records} are written again (after ${count} failures)`
      )
      this.loop.poke()
      return appended
    } catch (error) {
      if (error instanceof WriteFailed) this.appendFailed(error)
      throw error
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
    while (this.held() > 0 && this.now() < deadline && !this.loop.faults.isFailing('send')) {
      this.loop.poke()
      await delay(20)
    }
    this.closed = true
    await this.loop.stop()
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

  /** One line for the first failed append of a run of them, then one a minute with the count. */
  private appendFailed(error: WriteFailed): void {
    const { folder, records } = this.words
    this.loop.faults.failed('append', error.message, (count) =>
      count === 1
        ? `${folder}: new ${records} cannot be written (${error.message}); deliveries get 503 until they can`
        : `${folder}: new ${records} could not be written ${count} times in a row (last: ${error.message})`
    )
  }

  private get words(): OutboxWords {
    return this.options.sender.words
  }

  private progressed(): void {
    this.refusing = false
  }

  /** Bytes not yet settled, and those being appended. */
  private held(): number {
    return this.segments.stats().bytes + this.reserved
  }
}
