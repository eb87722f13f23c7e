// An outbox's folder (docs/relay.md "The outboxes"), its disk format:
// * `<created ms, 13 digits>-<seq, 6 digits>.ndjson`: segments, one record per line (a
//   Segment call as the batch API takes it, or one forwarded SDK request), oldest first;
//   appends go to the newest, which is replaced after SEGMENT_BYTES or SEGMENT_AGE_MS;
// * `<segment>.sent`: lines of how many bytes at the start of that segment the receiver
//   has acknowledged (the last whole line counts; absent: none); a segment is deleted
//   once all of it is acknowledged;
// * dead letters (dead-letters.ts).
// Every file is written, and segments read, through the append log (and its `openFile`
// seam), so a failing disk is met as WriteFailed, never as an error naming a path.
//
// The sender reads ahead of what is acknowledged (`read` runs ahead of `sent`), and its
// batches may settle out of order (several in flight): a segment's `sent` advances over
// the settled ranges that join it, so a restart sends again only what was not settled.

import { readdir, rm } from 'fs/promises'
import { join } from 'path'
import { AppendLog, asWriteFailed, OpenAppendFile } from '../append-log'
import { countLines, damaged, isRecord, readSent } from './framing'

const SEGMENT_BYTES = 8 * 1024 * 1024
const SEGMENT_AGE_MS = 60_000

const SEGMENT_NAME = /^\d{13}-\d{6}\.ndjson$/

/** Where records are: a byte range of whole lines in one segment. */
export interface Appended {
  segment: string
  from: number
  to: number
}

interface Segment {
  name: string
  createdMs: number
  log: AppendLog
  /** The `.sent` file, opened at the first acknowledgement. */
  /** Its `.sent` file, opened once on the first acknowledgement (concurrent ones share the opening). */
  acks?: Promise<AppendLog>
  /** Bytes acknowledged, in memory (ahead of `persisted` while the disk fails). */
  sent: number
  persisted: number
  /** Bytes handed to the sender. */
  read: number
  /** Records not yet acknowledged. */
  records: number
  sealed: boolean
  appending: number
  /** Settled ranges past `sent`, waiting for the ones before them. */
  settled: Array<{ from: number; to: number; lines: number }>
}

/** Whole records from a segment's read position. */
export interface Batch {
  readonly lines: readonly string[]
  /** Each line's length in bytes, newline included. */
  readonly sizes: readonly number[]
  readonly range: Appended
}

/** Bytes that are not a whole record, up to and including the next newline. */
export interface Corrupt {
  /** The bytes, as they were. */
  readonly corrupt: Buffer
  /** Newlines in them (0 when a record follows in the same line). */
  readonly lines: number
  readonly reason: string
  readonly range: Appended
}

export interface SegmentOptions {
  dir: string
  openFile: OpenAppendFile
  now: () => number
  /** Mode of the files created (the outbox of forwards holds SDK keys: 0600). */
  mode: number
  /** A longer line is not a record. */
  maxRecordBytes: number
}

export class Segments {
  private readonly list: Segment[] = []
  private seq = 0
  private rolling?: Promise<Segment>

  private constructor(private readonly options: SegmentOptions) {}

  /** Opens the folder's segments as a previous run left them (the folder exists). */
  static async open(options: SegmentOptions): Promise<Segments> {
    const segments = new Segments(options)
    await segments.recover()
    return segments
  }

  /** Records and bytes not yet acknowledged, and the age of the oldest segment holding some. */
  stats(): { records: number; bytes: number; oldestAgeMs: number } {
    let records = 0
    let bytes = 0
    let oldest: number | undefined
    for (const segment of this.list) {
      const unsent = segment.log.size - segment.sent
      if (unsent <= 0) continue
      records += segment.records
      bytes += unsent
      oldest ??= segment.createdMs
    }
    return { records, bytes, oldestAgeMs: oldest === undefined ? 0 : Math.max(0, this.options.now() - oldest) }
  }

  /** Appends whole lines (`data`, `lines` of them) to the newest segment; resolves once on disk. */
  async append(data: Buffer, lines: number): Promise<Appended> {
    let segment: Segment | undefined
    try {
      segment = await this.writable()
      segment.appending++
      const from = await segment.log.append(data)
      segment.records += lines
      return { segment: segment.name, from, to: from + data.length }
    } finally {
      if (segment) segment.appending--
    }
  }

  /**
   * The next records from the read position: whole lines within `maxBytes` (and
   * `maxLines`), or the bytes there that are not a record; undefined when all is read.
   */
  async readNext(maxBytes: number, maxLines = Infinity): Promise<Batch | Corrupt | undefined> {
    const segment = this.list.find((s) => s.log.size > s.read)
    if (!segment) return undefined
    const from = segment.read
    const window = await segment.log.read(Buffer.allocUnsafe(maxBytes), segment.log.size - from, from)
    const lines: string[] = []
    const sizes: number[] = []
    // `{"batch":[` + `],"sentAt":"…"}` plus commas stay well under what this reserves.
    let room = maxBytes - 100
    let start = 0
    while (lines.length < maxLines) {
      const newline = window.indexOf(0x0a, start)
      if (newline < 0) break
      const line = window.toString('utf8', start, newline)
      if (!isRecord(line, window.subarray(start, newline), this.options.maxRecordBytes)) {
        if (lines.length === 0) return this.corrupt(segment, from, window.subarray(0, newline + 1))
        break
      }
      const size = newline + 1 - start
      if (size > room && lines.length > 0) break
      lines.push(line)
      sizes.push(size)
      room -= size
      start = newline + 1
    }
    if (lines.length === 0) return this.corrupt(segment, from, await this.toNewline(segment, from, window))
    segment.read = from + start
    return { lines, sizes, range: { segment: segment.name, from, to: from + start } }
  }

  /** The receiver has settled these bytes (delivered or dead-lettered): acknowledges what joins `sent`. */
  async settle(range: Appended, lines: number): Promise<void> {
    const segment = this.list.find((s) => s.name === range.segment)
    if (!segment) return
    segment.settled.push({ from: range.from, to: range.to, lines })
    segment.settled.sort((a, b) => a.from - b.from)
    while (segment.settled.length && segment.settled[0].from === segment.sent) {
      const next = segment.settled.shift() as Segment['settled'][number]
      segment.sent = next.to
      segment.records -= next.lines
    }
    await this.persist(segment)
  }

  /** Records acknowledged in memory whose `.sent` could not be written, and segments not yet deleted: tried again. */
  async persistAll(): Promise<void> {
    for (const segment of [...this.list]) await this.persist(segment)
  }

  async close(): Promise<void> {
    for (const segment of this.list) {
      await segment.log.close()
      await closeAcks(segment)
    }
  }

  /** Reads on from a window that holds no newline, up to and including the next one. */
  private async toNewline(segment: Segment, from: number, window: Buffer): Promise<Buffer> {
    const parts = [window]
    let at = from + window.length
    while (at < segment.log.size) {
      const chunk = await segment.log.read(Buffer.allocUnsafe(1024 * 1024), segment.log.size - at, at)
      const newline = chunk.indexOf(0x0a)
      parts.push(newline < 0 ? Buffer.from(chunk) : Buffer.from(chunk.subarray(0, newline + 1)))
      if (newline >= 0 || chunk.length === 0) break
      at += chunk.length
    }
    return Buffer.concat(parts)
  }

  /** `line`: bytes from `from` that are not a record, up to and including the next newline. */
  private corrupt(segment: Segment, from: number, line: Buffer): Corrupt {
    const { end, reason } = damaged(line, this.options.maxRecordBytes)
    const cut = Buffer.from(line.subarray(0, end))
    segment.read = from + end
    return {
      corrupt: cut,
      lines: cut[cut.length - 1] === 0x0a ? 1 : 0,
      reason: `not a record: ${reason} at byte ${from} of ${segment.name}`,
      range: { segment: segment.name, from, to: from + end }
    }
  }

  private async persist(segment: Segment): Promise<void> {
    const done = segment.sealed && segment.appending === 0 && segment.sent >= segment.log.size
    if (done) return this.remove(segment)
    if (segment.sent === segment.persisted) return
    const sent = segment.sent
    try {
      // Not flushed: after a power cut a record acknowledged but not recorded is sent again, and dropped as a repeat.
      segment.acks ??= AppendLog.open(
        this.path(segment.name) + '.sent',
        this.options.openFile,
        this.options.mode,
        false
      )
      const acks = await segment.acks.catch((error: unknown) => {
        // Opened again on the next acknowledgement.
        segment.acks = undefined
        throw error
      })
      await acks.append(Buffer.from(`${sent}\n`))
      segment.persisted = Math.max(segment.persisted, sent)
    } catch (error) {
      throw asWriteFailed(error)
    }
  }

  private async recover(): Promise<void> {
    const names = (await readdir(this.options.dir)).filter((name) => SEGMENT_NAME.test(name)).sort()
    for (const name of names) {
      const log = await this.openLog(name)
      const sent = await readSent(this.path(name) + '.sent', log)
      const segment: Segment = {
        name,
        createdMs: Number(name.slice(0, 13)),
        log,
        sent,
        persisted: sent,
        read: sent,
        records: await countLines(log, sent),
        sealed: true,
        appending: 0,
        settled: []
      }
      this.seq = Math.max(this.seq, Number(name.slice(14, 20)) + 1)
      this.list.push(segment)
      if (segment.sent >= log.size) await this.remove(segment)
    }
  }

  /** The segment new appends go to, replaced when it is large or old enough. */
  private async writable(): Promise<Segment> {
    const current = this.list[this.list.length - 1]
    if (
      current &&
      !current.sealed &&
      current.log.size < SEGMENT_BYTES &&
      this.options.now() - current.createdMs < SEGMENT_AGE_MS
    )
      return current
    this.rolling ??= this.roll(current).finally(() => {
      this.rolling = undefined
    })
    return this.rolling
  }

  private async roll(current: Segment | undefined): Promise<Segment> {
    const createdMs = this.options.now()
    const name = `${String(createdMs).padStart(13, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}.ndjson`
    const log = await this.openLog(name)
    // Sealed once the next one exists: a failed roll leaves appends going to the current one.
    if (current) current.sealed = true
    const segment: Segment = {
      name,
      createdMs,
      log,
      sent: 0,
      persisted: 0,
      read: 0,
      records: 0,
      sealed: false,
      appending: 0,
      settled: []
    }
    this.list.push(segment)
    return segment
  }

  private async openLog(name: string): Promise<AppendLog> {
    try {
      return await AppendLog.open(this.path(name), this.options.openFile, this.options.mode)
    } catch (error) {
      throw asWriteFailed(error, 'open')
    }
  }

  /** Deletes a segment acknowledged in full; one that cannot be deleted stays listed, tried again. */
  private async remove(segment: Segment): Promise<void> {
    try {
      await segment.log.close()
      await closeAcks(segment)
      await rm(this.path(segment.name), { force: true })
      await rm(this.path(segment.name) + '.sent', { force: true })
      await rm(this.path(segment.name) + '.sent.tmp', { force: true })
    } catch (error) {
      throw asWriteFailed(error)
    }
    const index = this.list.indexOf(segment)
    if (index >= 0) this.list.splice(index, 1)
  }

  private path(name: string): string {
    return join(this.options.dir, name)
  }
}

/** Closes a segment's `.sent` file if it was opened (or is being opened). */
async function closeAcks(segment: Segment): Promise<void> {
  const acks = segment.acks
  segment.acks = undefined
  const log = await acks?.catch(() => undefined)
  await log?.close()
}
