// The outbox's folder (docs/relay.md "The outbox"), its disk format:
// * `<created ms, 13 digits>-<seq, 6 digits>.ndjson`: segments, one Segment call per line
//   as the batch API takes it (`{"type": "track", …message}`), oldest first; appends go to
//   the newest, which is replaced after SEGMENT_BYTES or SEGMENT_AGE_MS;
// * `<segment>.sent`: how many bytes at the start of that segment Segment has acknowledged
//   (absent: none); a segment is deleted once all of it is acknowledged;
// * `dead-letter.ndjson`: calls Segment refused for good, same format;
// * `dead-letter-reasons.ndjson`: one line per refused batch: time, status, reason, messageIds.

import { open, readdir, readFile, rename, rm, writeFile } from 'fs/promises'
import { join } from 'path'
import { AppendLog, OpenAppendFile } from '../append-log'

const SEGMENT_BYTES = 8 * 1024 * 1024
export const SEGMENT_AGE_MS = 60_000
export const DEAD_LETTER_FILE = 'dead-letter.ndjson'
export const DEAD_LETTER_REASONS_FILE = 'dead-letter-reasons.ndjson'

const SEGMENT_NAME = /^\d{13}-\d{6}\.ndjson$/

/** Where an append's lines are: a byte range of whole lines in one segment. */
export interface Appended {
  segment: string
  from: number
  to: number
}

interface Segment {
  name: string
  createdMs: number
  log: AppendLog
  /** Bytes acknowledged by Segment. */
  sent: number
  /** Records not yet acknowledged. */
  records: number
  sealed: boolean
  appending: number
}

/** Whole lines from the first unsent byte of the oldest segment holding any. */
export interface Batch {
  readonly segment: Segment
  readonly lines: string[]
  readonly bytes: number
  /** Where they are. */
  readonly range: Appended
}

/** Why a batch went to the dead-letter file. */
interface DeadLetterReason {
  status?: number
  reason: string
}

export class Segments {
  private readonly list: Segment[] = []
  private seq = 0
  private rolling?: Promise<Segment>

  private constructor(
    private readonly dir: string,
    private readonly openFile: OpenAppendFile,
    private readonly now: () => number
  ) {}

  /** Opens the folder's segments as a previous run left them (the folder exists). */
  static async open(dir: string, openFile: OpenAppendFile, now: () => number): Promise<Segments> {
    const segments = new Segments(dir, openFile, now)
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
    return { records, bytes, oldestAgeMs: oldest === undefined ? 0 : Math.max(0, this.now() - oldest) }
  }

  hasUnsent(): boolean {
    return this.list.some((s) => s.log.size > s.sent)
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

  /** Whole lines from the first unsent byte, within `maxBytes` (and `maxLines`); undefined when all is sent. */
  async readBatch(maxBytes: number, maxLines?: number): Promise<Batch | undefined> {
    const segment = this.list.find((s) => s.log.size > s.sent)
    if (!segment) return undefined
    const end = Math.min(segment.log.size, segment.sent + maxBytes)
    const handle = await open(join(this.dir, segment.name), 'r')
    let text: string
    try {
      const buffer = Buffer.alloc(end - segment.sent)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, segment.sent)
      text = buffer.subarray(0, bytesRead).toString('utf8')
    } finally {
      await handle.close()
    }
    const lines: string[] = []
    let bytes = 0
    // `{"batch":[` + `],"sentAt":"…"}` plus commas stay well under what this reserves.
    let room = maxBytes - 100
    for (let start = 0; ; ) {
      const newline = text.indexOf('\n', start)
      if (newline < 0) break
      const line = text.slice(start, newline)
      const size = Buffer.byteLength(line) + 1
      if ((size > room || lines.length === maxLines) && lines.length > 0) break
      lines.push(line)
      bytes += size
      room -= size
      start = newline + 1
    }
    return { segment, lines, bytes, range: { segment: segment.name, from: segment.sent, to: segment.sent + bytes } }
  }

  /** Records that Segment has the batch: its segment's `.sent`, or the segment deleted once all of it is. */
  async acknowledge(batch: Batch): Promise<void> {
    const { segment } = batch
    segment.sent += batch.bytes
    segment.records -= batch.lines.length
    const path = join(this.dir, segment.name)
    if (segment.sent >= segment.log.size && segment.sealed && segment.appending === 0) await this.remove(segment)
    else await writeAtomically(path + '.sent', String(segment.sent))
  }

  /** Moves the batch to the dead-letter file, with one line of reasons, then acknowledges it. */
  async deadLetter(batch: Batch, why: DeadLetterReason): Promise<void> {
    const messageIds = batch.lines.map((line) => {
      try {
        return (JSON.parse(line) as { messageId?: unknown }).messageId
      } catch {
        return undefined
      }
    })
    // A partial line here is possible only on a crash, and the record then stays in the outbox.
    await appendFileDurably(join(this.dir, DEAD_LETTER_FILE), batch.lines.join('\n') + '\n')
    await appendFileDurably(
      join(this.dir, DEAD_LETTER_REASONS_FILE),
      JSON.stringify({ time: new Date(this.now()).toISOString(), status: why.status, reason: why.reason, messageIds }) +
        '\n'
    )
    await this.acknowledge(batch)
  }

  /** Deletes sealed segments that Segment has acknowledged in full. */
  async collect(): Promise<void> {
    for (const segment of [...this.list])
      if (segment.sealed && segment.appending === 0 && segment.sent >= segment.log.size) await this.remove(segment)
  }

  async close(): Promise<void> {
    for (const segment of this.list) await segment.log.close()
  }

  private async recover(): Promise<void> {
    const names = (await readdir(this.dir)).filter((name) => SEGMENT_NAME.test(name)).sort()
    for (const name of names) {
      const path = join(this.dir, name)
      const log = await AppendLog.open(path, this.openFile)
      const sent = Math.min(await readSent(path + '.sent'), log.size)
      const segment: Segment = {
        name,
        createdMs: Number(name.slice(0, 13)),
        log,
        sent,
        records: await countLines(path, sent, log.size),
        sealed: true,
        appending: 0
      }
      this.seq = Math.max(this.seq, Number(name.slice(14, 20)) + 1)
      if (segment.sent >= log.size) await this.remove(segment)
      else this.list.push(segment)
    }
  }

  /** The segment new appends go to, replaced when it is large or old enough. */
  private async writable(): Promise<Segment> {
    const current = this.list[this.list.length - 1]
    if (
      current &&
      !current.sealed &&
      current.log.size < SEGMENT_BYTES &&
      this.now() - current.createdMs < SEGMENT_AGE_MS
    )
      return current
    this.rolling ??= this.roll(current).finally(() => {
      this.rolling = undefined
    })
    return this.rolling
  }

  private async roll(current: Segment | undefined): Promise<Segment> {
    if (current) current.sealed = true
    const createdMs = this.now()
    const name = `${String(createdMs).padStart(13, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}.ndjson`
    const log = await AppendLog.open(join(this.dir, name), this.openFile)
    const segment: Segment = { name, createdMs, log, sent: 0, records: 0, sealed: false, appending: 0 }
    this.list.push(segment)
    return segment
  }

  private async remove(segment: Segment): Promise<void> {
    const index = this.list.indexOf(segment)
    if (index >= 0) this.list.splice(index, 1)
    await segment.log.close()
    const path = join(this.dir, segment.name)
    await rm(path, { force: true })
    await rm(path + '.sent', { force: true })
  }
}

async function readSent(path: string): Promise<number> {
  try {
    const value = Number((await readFile(path, 'utf8')).trim())
    return Number.isSafeInteger(value) && value > 0 ? value : 0
  } catch {
    return 0
  }
}

async function countLines(path: string, from: number, to: number): Promise<number> {
  const handle = await open(path, 'r')
  try {
    const chunk = Buffer.alloc(1024 * 1024)
    let count = 0
    for (let at = from; at < to; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, to - at), at)
      if (bytesRead === 0) break
      for (let i = 0; i < bytesRead; i++) if (chunk[i] === 0x0a) count++
      at += bytesRead
    }
    return count
  } finally {
    await handle.close()
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, path)
}

async function appendFileDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a')
  try {
    await handle.write(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
}
