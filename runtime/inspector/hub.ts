// The inspector's server side (docs/inspector.md): a bounded history of delivery records
// and the pages watching them over server-sent events. Off the event path: it is a feed
// listener (called after the answer is sent); with no page watching, a record costs one
// slot in the history and is turned into a view only if a page asks for it; a page that
// cannot keep up is disconnected once CLIENT_BUFFER_CHARS behind (its EventSource
// reconnects and catches up from the history).

import { randomBytes } from 'crypto'
import { redact } from '../../shared'
import type { DeliveryRecord } from '../feed'
import { STATUS_PATHS } from '../http/routes'
import { viewOf, ViewOptions } from './view'

export interface HubLimits {
  /** Records kept. */
  records: number
  /** Characters of views kept (a record not yet viewed counts by the size of its input and calls). */
  chars: number
  /** Characters a page may be behind before it is disconnected (more than `chars`, so the history fits). */
  clientBufferChars: number
  /** Pages watching at once. */
  watchers: number
  /** Records a second turned into full views while pages watch; the rest show counts only. */
  detailedPerSecond: number
  heartbeatMs: number
}

export const LIMITS: HubLimits = {
  records: 200,
  chars: 4 * 1024 * 1024,
  clientBufferChars: 8 * 1024 * 1024,
  watchers: 8,
  detailedPerSecond: 50,
  heartbeatMs: 15_000
}

/** A record not yet viewed weighs its input, and this much per Segment call it holds. */
const CALL_WEIGHT = 1024
/** How long a page's EventSource waits before reconnecting. */
const RETRY_MS = 2000
/** The relay's own pages are not deliveries. */
const OWN_PAGES: ReadonlySet<string> = new Set(Object.values(STATUS_PATHS))

const BUSY = 'details not kept: more deliveries a second than the inspector details (counts and rejections are exact)'
const TOO_LARGE =
  'details not kept: the record was too large to keep until a page asked (counts and rejections are exact)'

/** The stream's first event on each connection, as the page reads it. */
export interface Hello {
  /** Names this run of the relay: event IDs restart with it. */
  boot: string
  warnings: string[]
  limits: Pick<HubLimits, 'records' | 'chars'>
}

/** Where a page's frames are written: an HTTP response, in the relay. */
export interface EventStream {
  write(chunk: string): boolean
  once(event: 'drain', listener: () => void): unknown
  on(event: 'close', listener: () => void): unknown
  destroy(): unknown
}

interface Entry {
  id: number
  /** Until a page asks: the record itself. */
  record?: DeliveryRecord
  /** Why it will be shown without details. */
  note?: string
  /** Its server-sent event, once viewed. */
  frame?: string
  weight: number
}

interface HubOptions {
  secrets: readonly string[]
  warnings: readonly string[]
  log: (line: string) => void
  limits?: Partial<HubLimits>
  now?: () => number
}

export class InspectorHub {
  readonly limits: HubLimits
  /** Names this run of the relay: event IDs restart with it. */
  private readonly boot = randomBytes(6).toString('hex')
  private readonly hello: string
  private entries: Entry[] = []
  private chars = 0
  private nextId = 1
  private readonly watchers = new Set<Watcher>()
  private heartbeat?: NodeJS.Timeout
  private preparing?: Promise<void>
  private window = { start: -Infinity, detailed: 0 }

  constructor(private readonly options: HubOptions) {
    this.limits = { ...LIMITS, ...options.limits }
    const hello: Hello = {
      boot: this.boot,
      warnings: options.warnings.map((w) => redact(w, options.secrets)),
      limits: { records: this.limits.records, chars: this.limits.chars }
    }
    this.hello = `retry: ${RETRY_MS}\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`
  }

  get watching(): number {
    return this.watchers.size
  }

  get full(): boolean {
    return this.watchers.size >= this.limits.watchers
  }

  /** The feed listener. */
  readonly record = (record: DeliveryRecord): void => {
    if (record.method === 'GET' && OWN_PAGES.has(record.route)) return
    const entry: Entry = { id: this.nextId++, record, weight: 0 }
    if (this.watchers.size === 0) {
      entry.weight = 256 + (record.input?.length ?? 0) + record.calls.length * CALL_WEIGHT
      // One record larger than an eighth of the history keeps its counts only (a shallow copy).
      if (entry.weight > this.limits.chars / 8) {
        entry.record = { ...record, input: undefined, calls: [] }
        entry.note = TOO_LARGE
        entry.weight = 256
      }
      return this.keep(entry)
    }
    if (!this.detailAllowed()) entry.note = BUSY
    this.view(entry)
    this.keep(entry)
    for (const watcher of this.watchers) if (watcher.live) this.send(watcher, entry.frame as string)
  }

  /**
   * A page starts watching: the history it has not seen (every record after `lastEventId`,
   * when it names this run), then each record as it comes. False when too many pages watch.
   */
  watch(stream: EventStream, lastEventId?: string): boolean {
    if (this.full) return false
    const watcher = new Watcher(stream, this.limits.clientBufferChars)
    this.watchers.add(watcher)
    stream.on('close', () => this.forget(watcher))
    this.heartbeat ??= setInterval(() => {
      for (const w of this.watchers) if (w.live) this.send(w, ': keep-alive\n\n')
    }, this.limits.heartbeatMs).unref()
    this.viewHistory().then(
      () => this.welcome(watcher, seenIn(lastEventId, this.boot)),
      (error) => {
        this.options.log(`inspector: the history could not be shown: ${(error as Error).message}`)
        this.drop(watcher)
      }
    )
    return true
  }

  private welcome(watcher: Watcher, seen: number): void {
    if (!this.watchers.has(watcher)) return
    watcher.live = true
    this.send(watcher, this.hello)
    for (const entry of this.entries) {
      if (entry.id <= seen) continue
      // Viewed already, unless it came in after viewHistory finished, in this same turn.
      if (entry.frame === undefined) this.view(entry)
      if (!this.send(watcher, entry.frame as string)) return
    }
  }

  /** Views the records kept while nobody watched, one per turn of the event loop. */
  private viewHistory(): Promise<void> {
    this.preparing ??= (async () => {
      for (;;) {
        const entry = this.entries.find((e) => e.frame === undefined)
        if (!entry) break
        this.view(entry)
        this.evict()
        await new Promise((resolve) => setImmediate(resolve))
      }
    })().finally(() => (this.preparing = undefined))
    return this.preparing
  }

  private view(entry: Entry): void {
    const record = entry.record as DeliveryRecord
    const options: ViewOptions = entry.note
      ? { secrets: this.options.secrets, detailed: false, note: entry.note }
      : { secrets: this.options.secrets, detailed: true }
    const frame = `id: ${this.boot}-${entry.id}\nevent: record\ndata: ${JSON.stringify(
      viewOf(entry.id, record, options)
    )}\n\n`
    this.chars += frame.length - entry.weight
    Object.assign(entry, { frame, weight: frame.length, record: undefined })
  }

  private keep(entry: Entry): void {
    this.entries.push(entry)
    this.chars += entry.weight
    this.evict()
  }

  private evict(): void {
    while (this.entries.length > this.limits.records || (this.chars > this.limits.chars && this.entries.length > 1)) {
      this.chars -= (this.entries.shift() as Entry).weight
    }
  }

  private detailAllowed(): boolean {
    const now = (this.options.now ?? Date.now)()
    if (now - this.window.start >= 1000) this.window = { start: now, detailed: 0 }
    return this.window.detailed++ < this.limits.detailedPerSecond
  }

  /** False when the page was too far behind and has been disconnected. */
  private send(watcher: Watcher, frame: string): boolean {
    if (watcher.send(frame)) return true
    this.options.log(
      `inspector: a page fell more than ${Math.round(
        this.limits.clientBufferChars / 1024
      )} KiB behind and was disconnected (it reconnects and catches up from the history)`
    )
    this.drop(watcher)
    return false
  }

  private drop(watcher: Watcher): void {
    this.forget(watcher)
    watcher.stream.destroy()
  }

  private forget(watcher: Watcher): void {
    this.watchers.delete(watcher)
    if (this.watchers.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat)
      this.heartbeat = undefined
    }
  }
}

/** The record ID a reconnecting page last saw, if it names this run; 0: it has seen nothing. */
function seenIn(lastEventId: string | undefined, boot: string): number {
  const match = /^([0-9a-f]+)-(\d{1,15})$/.exec(lastEventId ?? '')
  return match && match[1] === boot ? Number(match[2]) : 0
}

/** One page: frames not yet handed to its socket, bounded; the socket's own buffer stays small. */
class Watcher {
  live = false
  private pending: string[] = []
  private pendingChars = 0
  private blocked = false

  constructor(readonly stream: EventStream, private readonly limit: number) {}

  /** False when the frame would put the page over its bound. */
  send(frame: string): boolean {
    if (this.pendingChars + frame.length > this.limit) return false
    this.pending.push(frame)
    this.pendingChars += frame.length
    this.flush()
    return true
  }

  private flush(): void {
    while (!this.blocked && this.pending.length > 0) {
      const frame = this.pending.shift() as string
      this.pendingChars -= frame.length
      if (!this.stream.write(frame)) {
        this.blocked = true
        this.stream.once('drain', () => {
          this.blocked = false
          this.flush()
        })
      }
    }
  }
}
