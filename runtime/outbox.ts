// The outbox (docs/relay.md "The outbox"): Segment calls kept on disk from before the
// relay's 202 until Segment's batch API has answered 2xx for them.
//
// On disk, under its folder:
// * `<created ms, 13 digits>-<seq, 6 digits>.ndjson`: segments, one Segment call per line
//   as the batch API takes it (`{"type": "track", …message}`), oldest first; appends go to
//   the newest, which is replaced after SEGMENT_BYTES or SEGMENT_AGE_MS;
// * `<segment>.sent`: how many bytes at the start of that segment Segment has acknowledged
//   (absent: none); a segment is deleted once all of it is acknowledged;
// * `dead-letter.ndjson`: calls Segment refused for good (a 4xx other than 408, 423 and 429), same format;
// * `dead-letter-reasons.ndjson`: one line per refused batch: time, status, reason, messageIds.
//
// Delivery is at least once: a batch whose acknowledgement was not recorded (a crash
// between Segment's 2xx and the `.sent` write) is sent again, and Segment drops the
// repeat by messageId.
//
// We post the batch API ourselves rather than through @segment/analytics-node: the
// library queues in memory (unbounded in an outage), gives up after its retries, and
// composes batches itself, so it cannot tell which records of the outbox a 2xx covers.

import { randomUUID } from 'crypto'
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'fs/promises'
import { join } from 'path'
import { MAX_MESSAGE_BYTES, redact } from '../shared'
import { AppendLog, OpenAppendFile, openAppendFile, WriteFailed } from './append-log'

/** Segment's limit for one batch request. */
export const MAX_BATCH_BYTES = 500 * 1024
export const SEGMENT_BYTES = 8 * 1024 * 1024
export const SEGMENT_AGE_MS = 60_000
export const DEAD_LETTER_FILE = 'dead-letter.ndjson'
export const DEAD_LETTER_REASONS_FILE = 'dead-letter-reasons.ndjson'

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
  log(line: string): void
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

/** Where an append's lines are: a byte range of whole lines in one segment. */
export interface Appended {
  segment: string
  from: number
  to: number
}

/** One batch request's outcome, for the lines `from`…`to` (whole lines) of `segment`. */
export interface BatchReport extends Appended {
  /** Delivered: answered 2xx; dead-lettered: moved to the dead-letter file; retrying: still unsent. */
  result: 'delivered' | 'dead-lettered' | 'retrying'
  /** Segment's status, unless delivered or no answer came. */
  status?: number
  reason?: string
  /** Failed batch requests in a row, this one included (0 once one succeeds). */
  failures: number
}

export interface OutboxStats {
  records: number
  bytes: number
  /** Age of the oldest segment holding unsent calls (0 when empty); precise to SEGMENT_AGE_MS. */
  oldestAgeMs: number
  deadLettered: number
  /** The last batch failure while it lasts (cleared by a 2xx). */
  failing?: string
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

type Outcome = { ok: true } | { ok: false; retry: boolean; status?: number; reason: string; retryAfterMs?: number }

export class Outbox {
  private readonly segments: Segment[] = []
  private seq = 0
  private rolling?: Promise<Segment>
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
  private sleeping?: { timer: NodeJS.Timeout; resolve(): void }
  private inflight?: AbortController
  private loop?: Promise<void>
  private readonly fetch: typeof fetch
  private readonly now: () => number
  private readonly openFile: OpenAppendFile
  private readonly authorization: string
  /** The write key and its Basic form: kept out of reasons Segment (or a proxy) might echo. */
  private readonly secrets: readonly string[]

  private constructor(private readonly options: OutboxOptions) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init))
    this.now = options.now ?? Date.now
    this.openFile = options.openFile ?? openAppendFile
    this.authorization = 'Basic ' + Buffer.from(options.writeKey + ':').toString('base64')
    this.secrets = [options.writeKey, this.authorization.slice('Basic '.length)]
  }

  /** Opens the outbox (creating its folder), recovers what a previous run left, and starts sending. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(options)
    await mkdir(options.dir, { recursive: true })
    await outbox.recover()
    outbox.loop = outbox.run()
    return outbox
  }

  get url(): string {
    return `${this.options.host}/v1/batch`
  }

  stats(): OutboxStats {
    let records = 0
    let bytes = 0
    let oldest: number | undefined
    for (const segment of this.segments) {
      const unsent = segment.log.size - segment.sent
      if (unsent <= 0) continue
      records += segment.records
      bytes += unsent
      oldest ??= segment.createdMs
    }
    return {
      records,
      bytes,
      oldestAgeMs: oldest === undefined ? 0 : Math.max(0, this.now() - oldest),
      deadLettered: this.deadLettered,
      failing: this.failing
    }
  }

  /** Refusing appends: at the limit, or an append was refused and Segment has acknowledged nothing since. */
  get full(): boolean {
    return this.refusing || this.stats().bytes + this.reserved >= this.options.maxBytes
  }

  fullMessage(): string {
    return new OutboxFull(this.stats().bytes + this.reserved, this.options.maxBytes).message
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
    const held = this.stats().bytes + this.reserved
    if (held + data.length > this.options.maxBytes) {
      this.refusing = true
      throw new OutboxFull(held, this.options.maxBytes)
    }
    this.reserved += data.length
    let segment: Segment | undefined
    let from: number
    try {
      segment = await this.writable()
      segment.appending++
      from = await segment.log.append(data)
      segment.records += lines.length
    } finally {
      if (segment) segment.appending--
      this.reserved -= data.length
    }
    this.wake?.()
    return { segment: segment.name, from, to: from + data.length }
  }

  /** Waits until Segment has acknowledged everything, up to `timeoutMs`; true when empty. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs
    while (this.stats().records > 0 || this.reserved > 0) {
      if (this.now() >= deadline || this.closed) return false
      this.wake?.()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return true
  }

  /**
   * Sends what it can for up to `flushMs` while Segment accepts, then stops: whatever is
   * left stays on disk for the next start.
   */
  async close(flushMs = 5000): Promise<void> {
    if (this.closed) return
    const deadline = this.now() + flushMs
    while ((this.stats().records > 0 || this.reserved > 0) && this.now() < deadline && !this.failing) {
      this.wake?.()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    this.closed = true
    this.inflight?.abort()
    this.sleeping?.resolve()
    this.wake?.()
    await this.loop
    for (const segment of this.segments) await segment.log.close()
    const { records, bytes } = this.stats()
    if (records > 0)
      this.options.log(
        `outbox: ${records} calls (${bytes} bytes) not yet accepted by Segment stay on disk; they are sent on the next start`
      )
  }

  private async recover(): Promise<void> {
    const names = (await readdir(this.options.dir)).filter((name) => /^\d{13}-\d{6}\.ndjson$/.test(name)).sort()
    for (const name of names) {
      const path = join(this.options.dir, name)
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
      else this.segments.push(segment)
    }
    const { records, bytes } = this.stats()
    if (records > 0) this.options.log(`outbox: ${records} calls (${bytes} bytes) from an earlier run are being sent`)
  }

  /** The segment new appends go to, replaced when it is large or old enough. */
  private async writable(): Promise<Segment> {
    const current = this.segments[this.segments.length - 1]
    if (
      current &&
      !current.sealed &&
      current.log.size < SEGMENT_BYTES &&
      this.now() - current.createdMs < SEGMENT_AGE_MS
    )
      return current
    if (!this.rolling) {
      this.rolling = (async () => {
        if (current) current.sealed = true
        const createdMs = this.now()
        const name = `${String(createdMs).padStart(13, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}.ndjson`
        const log = await AppendLog.open(join(this.options.dir, name), this.openFile)
        const segment: Segment = { name, createdMs, log, sent: 0, records: 0, sealed: false, appending: 0 }
        this.segments.push(segment)
        return segment
      })().finally(() => {
        this.rolling = undefined
      })
    }
    return this.rolling
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const segment = this.segments.find((s) => s.log.size > s.sent)
      if (!segment) {
        await this.collect()
        await new Promise<void>((resolve) => {
          this.wake = resolve
          if (this.segments.some((s) => s.log.size > s.sent) || this.closed) resolve()
        })
        this.wake = undefined
        continue
      }
      const batch = await this.readBatch(segment)
      const outcome = await this.post(batch.lines)
      if (this.closed && !outcome.ok) break
      const range = { segment: segment.name, from: segment.sent, to: segment.sent + batch.bytes }
      if (outcome.ok) {
        if (this.maxLines !== undefined) this.maxLines = this.maxLines >= 256 ? undefined : this.maxLines * 2
        if (this.failing) this.options.log(`outbox: Segment accepts batches again (after ${this.failures} failures)`)
        this.failing = undefined
        this.failures = 0
        await this.acknowledge(segment, batch)
        this.options.onBatch?.({ ...range, result: 'delivered', failures: 0 })
      } else if (!outcome.retry && (outcome.status === 400 || outcome.status === 413) && batch.lines.length > 1) {
        // One bad call must not take the others with it: halve until it is alone.
        this.maxLines = Math.ceil(batch.lines.length / 2)
      } else if (!outcome.retry) {
        await this.deadLetter(segment, batch, outcome)
        const { status, reason } = outcome
        this.options.onBatch?.({ ...range, result: 'dead-lettered', status, reason, failures: this.failures })
      } else {
        this.failures++
        this.failing = outcome.reason
        const delay = outcome.retryAfterMs ?? this.backoff()
        const { records, bytes } = this.stats()
        // One line for the first failure, then at most one a minute while it lasts.
        if (this.failures === 1 || this.now() - this.lastFailureLog >= 60_000) {
          this.lastFailureLog = this.now()
          this.options.log(
            `outbox: Segment batch failed (${
              outcome.reason
            }); ${records} calls (${bytes} bytes) kept on disk, retrying in ${Math.round(delay)} ms`
          )
        }
        const { status, reason } = outcome
        this.options.onBatch?.({ ...range, result: 'retrying', status, reason, failures: this.failures })
        await this.sleep(delay)
      }
    }
  }

  private backoff(): number {
    const base = this.options.retryBaseMs ?? 500
    const max = this.options.retryMaxMs ?? 60_000
    const ceiling = Math.min(max, base * 2 ** Math.min(this.failures - 1, 30))
    // Equal jitter: half fixed, half random, so many relays do not retry in step.
    return ceiling / 2 + (Math.random() * ceiling) / 2
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.sleeping = { timer, resolve }
    }).finally(() => {
      if (this.sleeping) clearTimeout(this.sleeping.timer)
      this.sleeping = undefined
    })
  }

  /** Whole lines from the first unsent byte, as many as fit in one batch request. */
  private async readBatch(segment: Segment): Promise<{ lines: string[]; bytes: number }> {
    const end = Math.min(segment.log.size, segment.sent + MAX_BATCH_BYTES)
    const handle = await open(join(this.options.dir, segment.name), 'r')
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
    let room = MAX_BATCH_BYTES - 100
    for (let start = 0; ; ) {
      const newline = text.indexOf('\n', start)
      if (newline < 0) break
      const line = text.slice(start, newline)
      const size = Buffer.byteLength(line) + 1
      if ((size > room || lines.length === this.maxLines) && lines.length > 0) break
      lines.push(line)
      bytes += size
      room -= size
      start = newline + 1
    }
    return { lines, bytes }
  }

  private async post(lines: readonly string[]): Promise<Outcome> {
    const body = `{"batch":[${lines.join(',')}],"sentAt":${JSON.stringify(new Date(this.now()).toISOString())}}`
    const controller = new AbortController()
    this.inflight = controller
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 30_000)
    try {
      const res = await this.fetch(this.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: this.authorization,
          'X-Request-Id': randomUUID()
        },
        body,
        signal: controller.signal
      })
      const text = await res.text().catch(() => '')
      if (res.status >= 200 && res.status < 300) return { ok: true }
      // As Segment's own platform retries: a timeout, a lock, a rate limit or a server error.
      const retry = res.status === 408 || res.status === 423 || res.status === 429 || res.status >= 500
      const retryAfter = Number(res.headers.get('retry-after'))
      return {
        ok: false,
        retry,
        status: res.status,
        // Segment's answer is short JSON; kept short in case it is not, and without the key
        // should a proxy echo the request.
        reason: redact(`HTTP ${res.status}${text ? ` ${text.slice(0, 200)}` : ''}`, this.secrets),
        retryAfterMs:
          retry && retryAfter > 0 ? Math.min(retryAfter * 1000, this.options.retryMaxMs ?? 60_000) : undefined
      }
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      const reason = controller.signal.aborted
        ? this.closed
          ? 'stopped'
          : 'no answer in time'
        : cause ?? 'network error'
      return { ok: false, retry: true, reason }
    } finally {
      clearTimeout(timer)
      this.inflight = undefined
    }
  }

  private async acknowledge(segment: Segment, batch: { lines: string[]; bytes: number }): Promise<void> {
    this.refusing = false
    segment.sent += batch.bytes
    segment.records -= batch.lines.length
    const path = join(this.options.dir, segment.name)
    if (segment.sent >= segment.log.size && segment.sealed && segment.appending === 0) await this.remove(segment)
    else await writeAtomically(path + '.sent', String(segment.sent))
  }

  private async deadLetter(
    segment: Segment,
    batch: { lines: string[]; bytes: number },
    outcome: Extract<Outcome, { ok: false }>
  ): Promise<void> {
    const dir = this.options.dir
    const messageIds = batch.lines.map((line) => {
      try {
        return (JSON.parse(line) as { messageId?: unknown }).messageId
      } catch {
        return undefined
      }
    })
    // A partial line here is possible only on a crash, and the record then stays in the outbox.
    await appendFileDurably(join(dir, DEAD_LETTER_FILE), batch.lines.join('\n') + '\n')
    await appendFileDurably(
      join(dir, DEAD_LETTER_REASONS_FILE),
      JSON.stringify({
        time: new Date(this.now()).toISOString(),
        status: outcome.status,
        reason: outcome.reason,
        messageIds
      }) + '\n'
    )
    this.deadLettered += batch.lines.length
    this.options.log(
      `outbox: Segment refused a batch of ${batch.lines.length} calls for good (${outcome.reason}); moved to ${DEAD_LETTER_FILE} in the outbox folder`
    )
    await this.acknowledge(segment, batch)
  }

  /** Deletes sealed segments that Segment has acknowledged in full. */
  private async collect(): Promise<void> {
    for (const segment of [...this.segments])
      if (segment.sealed && segment.appending === 0 && segment.sent >= segment.log.size) await this.remove(segment)
  }

  private async remove(segment: Segment): Promise<void> {
    const index = this.segments.indexOf(segment)
    if (index >= 0) this.segments.splice(index, 1)
    await segment.log.close()
    const path = join(this.options.dir, segment.name)
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
