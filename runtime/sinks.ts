// Where the relay keeps the Segment calls of an accepted delivery before answering 202:
// the NDJSON file (no SEGMENT_WRITE_KEY), or the outbox that sends them on to Segment.
// Either way each call is one line `{"type", …message}`, and a delivery's lines are
// written whole, in one append, or not at all.

import { mkdir } from 'fs/promises'
import { join } from 'path'
import { AppendLog, OpenAppendFile, WriteFailed } from './append-log'
import { FailureLog } from './failure-log'
import { DEFAULT_OUTBOX_MAX_BYTES, DEFAULT_SEGMENT_HOST, RuntimeConfig } from './config/variables'
import { MAX_MESSAGE_BYTES } from '../shared'
import { BatchApi, CallTooLarge } from './outbox/batch-api'
import { Outbox, OutboxFull, OutboxOptions, OutboxStats, Problem, RecordTooLarge } from './outbox/outbox'
import type { RecordedCall } from './sandbox/calls'
import { StartupError } from './startup'

export interface Sink {
  /** For the startup banner. */
  readonly description: string
  /** Resolves once the calls are on disk; throws a SinkError having kept none of them. */
  deliver(calls: readonly RecordedCall[]): Promise<void>
  /** Why the sink cannot take deliveries now, or has stalled (for /healthz), or undefined. */
  problem(): Problem | undefined
  /** The outbox's figures, when there is one. */
  outbox?(): OutboxStats
  /** Why any delivery would be refused now (an outbox at its limit), checked before running one. */
  refusal?(): string | undefined
  /** Why these calls would be refused (past the limit), checked before anything of the delivery is written. */
  refusalFor?(calls: readonly RecordedCall[]): string | undefined
  /** Closes its files; the outbox first sends what it can for up to `flushMs` while Segment accepts. */
  close(flushMs?: number): Promise<void>
}

type SinkErrorName = 'SinkWriteFailed' | 'OutboxFull' | 'InvalidEventPayload'

/** A delivery the sink did not keep: the relay answers it with this name. */
export class SinkError extends Error {
  constructor(readonly errorName: SinkErrorName, message: string) {
    super(message)
    this.name = 'SinkError'
  }
}

export const NDJSON_FILE = 'segment-events.ndjson'
export const OUTBOX_DIR = 'outbox'

export function lineOf(call: RecordedCall): string {
  // The checked JSON text with the type in front (no second serialization): the same as
  // stringifying `{type, ...message}` when the message has no `type` of its own.
  const json = call.json
  if (json !== undefined && json.length > 2 && call.ownType === false)
    return `{"type":${JSON.stringify(call.type)},${json.slice(1)}`
  return JSON.stringify({ type: call.type, ...call.message })
}

function writeFailed(where: string, error: WriteFailed): SinkError {
  return new SinkError(
    'SinkWriteFailed',
    `The ${where} could not be written (${error.message}); nothing of this delivery was kept, retry later`
  )
}

/** Appends each call as one JSON line to `<data dir>/segment-events.ndjson`. */
class NdjsonSink implements Sink {
  readonly description = `embedded sink: appending to ${NDJSON_FILE} in LD_SEGMENT_DATA_DIR`
  private readonly faults: FailureLog

  private constructor(private readonly file: AppendLog, log: OutboxOptions['log']) {
    this.faults = new FailureLog(log)
  }

  static async open(dataDir: string, log: OutboxOptions['log'], openFile?: OpenAppendFile): Promise<NdjsonSink> {
    await mkdir(dataDir, { recursive: true })
    return new NdjsonSink(await AppendLog.open(join(dataDir, NDJSON_FILE), openFile), log)
  }

  async deliver(calls: readonly RecordedCall[]): Promise<void> {
    if (calls.length === 0) return
    try {
      await this.file.append(Buffer.from(calls.map(lineOf).join('\n') + '\n'))
      this.faults.recovered('write', (count) => `sink: ${NDJSON_FILE} is written again (after ${count} failures)`)
    } catch (error) {
      if (!(error instanceof WriteFailed)) throw error
      this.faults.failed('write', error.message, (count) =>
        count === 1
          ? `sink: ${NDJSON_FILE} cannot be written (${error.message}); deliveries get 503 until it can`
          : `sink: ${NDJSON_FILE} could not be written ${count} times in a row (last: ${error.message})`
      )
      throw writeFailed('NDJSON sink file', error)
    }
  }

  problem(): Problem | undefined {
    const failing = this.faults.failing()[0]
    return failing ? { message: `the NDJSON sink cannot write (${failing.last})` } : undefined
  }

  close(): Promise<void> {
    return this.file.close()
  }
}

/**
 * Appends records to an outbox: resolves once they are on disk, or throws a SinkError
 * having kept none of them (`tooLarge` words a record over the outbox's limit).
 */
export async function keepIn(
  box: Outbox,
  lines: readonly string[],
  tooLarge: (bytes: number) => string
): Promise<void> {
  try {
    await box.append(lines)
  } catch (error) {
    if (error instanceof OutboxFull) throw new SinkError('OutboxFull', error.message)
    if (error instanceof RecordTooLarge) throw new SinkError('InvalidEventPayload', tooLarge(error.bytes))
    if (!(error instanceof WriteFailed)) throw error
    throw writeFailed(box.name, error)
  }
}

/** Keeps the calls in the outbox, which sends them to Segment's batch API. */
export class OutboxSink implements Sink {
  readonly description: string
  private readonly lines = new WeakMap<readonly RecordedCall[], string[]>()

  private constructor(private readonly box: Outbox) {
    this.description = `Segment: on-disk outbox, sent to ${box.url}`
  }

  static async open(dataDir: string, options: SegmentOutboxOptions): Promise<OutboxSink> {
    const { writeKey, host, timeoutMs, retryMaxMs, ...rest } = options
    const sender = new BatchApi({ writeKey, host, timeoutMs, retryMaxMs })
    const dir = join(dataDir, OUTBOX_DIR)
    return new OutboxSink(await Outbox.open({ ...rest, retryMaxMs, sender, maxRecordBytes: MAX_MESSAGE_BYTES, dir }))
  }

  deliver(calls: readonly RecordedCall[]): Promise<void> {
    return keepIn(this.box, this.linesOf(calls), (bytes) => new CallTooLarge(bytes).message)
  }

  problem(): Problem | undefined {
    return this.box.problem()
  }

  outbox(): OutboxStats {
    return this.box.stats()
  }

  refusal(): string | undefined {
    return this.box.refusal()
  }

  refusalFor(calls: readonly RecordedCall[]): string | undefined {
    return this.box.refusalFor(this.linesOf(calls))
  }

  /** A delivery's lines, made once for the check of room and the append that follows it. */
  private linesOf(calls: readonly RecordedCall[]): string[] {
    let lines = this.lines.get(calls)
    if (!lines) this.lines.set(calls, (lines = calls.map(lineOf)))
    return lines
  }

  /** Sends for up to `flushMs` while Segment accepts; the rest stays on disk. */
  close(flushMs?: number): Promise<void> {
    return this.box.close(flushMs)
  }
}

/** The Segment outbox: Segment's batch API and the outbox's own options. */
export type SegmentOutboxOptions = Omit<OutboxOptions, 'dir' | 'sender' | 'maxRecordBytes'> & {
  writeKey: string
  host: string
  /** Per batch request. */
  timeoutMs?: number
}

/** The outboxes' test seams: their retry timing and request timeout. */
export type OutboxTiming = Partial<Pick<SegmentOutboxOptions, 'retryBaseMs' | 'retryMaxMs' | 'timeoutMs'>>

/** LD_SINK, or the outbox when there is a write key to send with (startup refuses LD_SINK=segment without one). */
export function usesOutbox(config: RuntimeConfig): boolean {
  return config.sink === undefined ? Boolean(config.segmentWriteKey) : config.sink === 'segment'
}

/** The sink the configuration asks for (in the data folder, held already): the outbox with SEGMENT_WRITE_KEY, else the NDJSON file. */
export async function openSink(
  config: RuntimeConfig,
  log: OutboxOptions['log'],
  seams: { openFile?: OpenAppendFile; outbox?: OutboxTiming; onBatch?: OutboxOptions['onBatch'] } = {}
): Promise<Sink> {
  try {
    if (!usesOutbox(config) || !config.segmentWriteKey)
      return await NdjsonSink.open(config.dataDir, log, seams.openFile)
    return await OutboxSink.open(config.dataDir, {
      writeKey: config.segmentWriteKey,
      onBatch: seams.onBatch,
      host: config.segmentHost ?? DEFAULT_SEGMENT_HOST,
      maxBytes: config.outboxMaxBytes ?? DEFAULT_OUTBOX_MAX_BYTES,
      stalledAfterMs: config.outboxStalledSeconds && config.outboxStalledSeconds * 1000,
      log,
      openFile: seams.openFile,
      ...seams.outbox
    })
  } catch (error) {
    throw new StartupError(
      `LD_SEGMENT_DATA_DIR: the files in the folder cannot be opened (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); set LD_SEGMENT_DATA_DIR to a folder this process can write`
    )
  }
}
