// Where the relay keeps the Segment calls of an accepted delivery before answering 202:
// the NDJSON file (no SEGMENT_WRITE_KEY), or the outbox that sends them on to Segment.
// Either way each call is one line `{"type", …message}`, and a delivery's lines are
// written whole, in one append, or not at all.

import { mkdir } from 'fs/promises'
import { join } from 'path'
import { AppendLog, OpenAppendFile, WriteFailed } from './append-log'
import { DEFAULT_OUTBOX_MAX_BYTES, DEFAULT_SEGMENT_HOST, RuntimeConfig } from './config/variables'
import { CallTooLarge, Outbox, OutboxFull, OutboxOptions, OutboxStats } from './outbox/outbox'
import type { RecordedCall } from './sandbox/calls'
import { StartupError } from './startup'

export interface Sink {
  /** For the startup banner. */
  readonly description: string
  /** Resolves once the calls are on disk; throws a SinkError having kept none of them. */
  deliver(calls: readonly RecordedCall[]): Promise<void>
  /** Why the sink cannot take deliveries now (for /healthz), or undefined. */
  problem(): string | undefined
  /** The outbox's figures, when there is one. */
  outbox?(): OutboxStats
  /** Why any delivery would be refused now (an outbox at its limit), checked before running one. */
  refusal?(): string | undefined
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
  // The checked JSON text, with the type in front: the same as stringifying `{type, ...message}`
  // when the message has no `type` of its own (a text without the key anywhere has none).
  const json = call.json
  if (json !== undefined && json.length > 2 && (!json.includes('"type":') || !('type' in call.message)))
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
  readonly description: string
  private failing?: string

  private constructor(private readonly log: AppendLog, readonly path: string) {
    this.description = `embedded sink: appending to ${path}`
  }

  static async open(dataDir: string, openFile?: OpenAppendFile): Promise<NdjsonSink> {
    await mkdir(dataDir, { recursive: true })
    const path = join(dataDir, NDJSON_FILE)
    return new NdjsonSink(await AppendLog.open(path, openFile), path)
  }

  async deliver(calls: readonly RecordedCall[]): Promise<void> {
    if (calls.length === 0) return
    try {
      await this.log.append(Buffer.from(calls.map(lineOf).join('\n') + '\n'))
      this.failing = undefined
    } catch (error) {
      if (!(error instanceof WriteFailed)) throw error
      this.failing = error.message
      throw writeFailed('NDJSON sink file', error)
    }
  }

  problem(): string | undefined {
    return this.failing && `the NDJSON sink cannot write (${this.failing})`
  }

  close(): Promise<void> {
    return this.log.close()
  }
}

/** Keeps the calls in the outbox, which sends them to Segment's batch API. */
export class OutboxSink implements Sink {
  readonly description: string
  private failing?: string

  private constructor(private readonly box: Outbox) {
    this.description = `Segment: on-disk outbox, sent to ${box.url}`
  }

  static async open(dataDir: string, options: Omit<OutboxOptions, 'dir'>): Promise<OutboxSink> {
    return new OutboxSink(await Outbox.open({ ...options, dir: join(dataDir, OUTBOX_DIR) }))
  }

  async deliver(calls: readonly RecordedCall[]): Promise<void> {
    try {
      await this.box.append(calls.map(lineOf))
      this.failing = undefined
    } catch (error) {
      if (error instanceof OutboxFull) throw new SinkError('OutboxFull', error.message)
      if (error instanceof CallTooLarge) throw new SinkError('InvalidEventPayload', error.message)
      if (!(error instanceof WriteFailed)) throw error
      this.failing = error.message
      throw writeFailed('outbox', error)
    }
  }

  problem(): string | undefined {
    if (this.failing) return `the outbox cannot write (${this.failing})`
    if (this.box.full) return 'the outbox is at its limit (LD_OUTBOX_MAX_BYTES) while Segment does not accept batches'
    return undefined
  }

  outbox(): OutboxStats {
    return this.box.stats()
  }

  refusal(): string | undefined {
    return this.box.full ? this.box.fullMessage() : undefined
  }

  /** Sends for up to `flushMs` while Segment accepts; the rest stays on disk. */
  close(flushMs?: number): Promise<void> {
    return this.box.close(flushMs)
  }
}

/** The outbox's test seams: its retry timing and request timeout. */
export type OutboxTiming = Partial<Pick<OutboxOptions, 'retryBaseMs' | 'retryMaxMs' | 'timeoutMs'>>

/** LD_SINK, or the outbox when there is a write key to send with (startup refuses LD_SINK=segment without one). */
export function usesOutbox(config: RuntimeConfig): boolean {
  return config.sink === undefined ? Boolean(config.segmentWriteKey) : config.sink === 'segment'
}

/** The sink the configuration asks for: the outbox with SEGMENT_WRITE_KEY, else the NDJSON file. */
export async function openSink(
  config: RuntimeConfig,
  log: OutboxOptions['log'],
  seams: { openFile?: OpenAppendFile; outbox?: OutboxTiming; onBatch?: OutboxOptions['onBatch'] } = {}
): Promise<Sink> {
  try {
    await mkdir(config.dataDir, { recursive: true })
  } catch (error) {
    throw new StartupError(
      `LD_SEGMENT_DATA_DIR: the folder ${config.dataDir} cannot be created (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); set LD_SEGMENT_DATA_DIR to a folder this process can write`
    )
  }
  try {
    if (!usesOutbox(config) || !config.segmentWriteKey) return await NdjsonSink.open(config.dataDir, seams.openFile)
    return await OutboxSink.open(config.dataDir, {
      writeKey: config.segmentWriteKey,
      onBatch: seams.onBatch,
      host: config.segmentHost ?? DEFAULT_SEGMENT_HOST,
      maxBytes: config.outboxMaxBytes ?? DEFAULT_OUTBOX_MAX_BYTES,
      log,
      openFile: seams.openFile,
      ...seams.outbox
    })
  } catch (error) {
    throw new StartupError(
      `LD_SEGMENT_DATA_DIR: the files in ${config.dataDir} cannot be opened (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); set LD_SEGMENT_DATA_DIR to a folder this process can write`
    )
  }
}
