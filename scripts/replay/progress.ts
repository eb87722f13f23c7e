// Progress on standard error: a bar on a terminal (cli-progress), a plain line every few
// seconds otherwise (CI logs, redirected output). The ETA is by bytes read of the inputs'
// total size, so it holds however the records are spread.

import { MultiBar, SingleBar } from 'cli-progress'

/**
 * How far one input is, in bytes on disk that are acknowledged: reading runs ahead of
 * sending, so the bytes read are scaled by the share of the (inflated) data whose
 * deliveries the target acknowledged.
 */
export class InputProgress {
  /** Bytes read from disk (compressed ones for gzip). */
  raw = 0
  /** Bytes handed to the splitter, counted from the input's start. */
  inflated = 0
  /** Offset into the inflated data up to which all is acknowledged. */
  acked = 0
  finished = false

  constructor(private readonly size: number | undefined) {}

  get bytes(): number {
    if (this.finished && this.size !== undefined) return this.size
    return this.inflated > 0 ? (this.raw * Math.min(this.acked, this.inflated)) / this.inflated : 0
  }
}

export interface ProgressSnapshot {
  /** Acknowledged, in bytes on disk (InputProgress). */
  readonly bytesRead: number
  /** Undefined when an input is standard input. */
  readonly bytesTotal?: number
  readonly read: number
  readonly emitted: number
  readonly rejected: number
}

export interface Progress {
  /** A line of its own (a retry, a warning), without garbling the bar. */
  log(line: string): void
  stop(): void
}

export const PLAIN_INTERVAL_MS = 5000
const BAR_INTERVAL_MS = 250

const n = (value: number): string => value.toLocaleString('en-US')
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)

export function startProgress(
  stream: NodeJS.WriteStream,
  snapshot: () => ProgressSnapshot,
  plainIntervalMs = PLAIN_INTERVAL_MS
): Progress {
  const started = Date.now()
  const rate = (read: number): string => n(Math.round(read / Math.max((Date.now() - started) / 1000, 0.001)))
  return stream.isTTY ? bar(stream, snapshot, rate) : plain(stream, snapshot, rate, plainIntervalMs)
}

function bar(stream: NodeJS.WriteStream, snapshot: () => ProgressSnapshot, rate: (read: number) => string): Progress {
  const first = snapshot()
  const known = first.bytesTotal !== undefined
  const bars = new MultiBar({
    stream,
    format: `replay ${
      known ? '[{bar}] {percentage}% ' : ''
    }| {read} read, {emitted} emitted, {rejected} rejected | {rate} events/s${known ? ' | ETA {eta_formatted}' : ''}`,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 4
  })
  const total = first.bytesTotal ?? 1
  const line: SingleBar = bars.create(total, 0, payload(first))
  function payload(s: ProgressSnapshot): object {
    return { read: n(s.read), emitted: n(s.emitted), rejected: n(s.rejected), rate: rate(s.emitted) }
  }
  const update = (): void => {
    const s = snapshot()
    line.update(known ? Math.min(s.bytesRead, total) : 0, payload(s))
  }
  const timer = setInterval(update, BAR_INTERVAL_MS)
  timer.unref()
  return {
    log: (text) => bars.log(text + '\n'),
    stop() {
      clearInterval(timer)
      update()
      bars.stop()
    }
  }
}

function plain(
  stream: NodeJS.WriteStream,
  snapshot: () => ProgressSnapshot,
  rate: (read: number) => string,
  intervalMs: number
): Progress {
  const started = Date.now()
  const report = (): void => {
    const s = snapshot()
    let where = `${mb(s.bytesRead)} MB`
    if (s.bytesTotal !== undefined && s.bytesTotal > 0) {
      const share = Math.min(s.bytesRead / s.bytesTotal, 1)
      const elapsed = (Date.now() - started) / 1000
      const eta = share > 0 ? Math.round((elapsed / share) * (1 - share)) : undefined
      where = `${Math.floor(share * 100)}% (${mb(s.bytesRead)} of ${mb(s.bytesTotal)} MB)${
        eta === undefined ? '' : `, ETA ${eta} s`
      }`
    }
    stream.write(
      `replay: ${where}; read ${n(s.read)}, emitted ${n(s.emitted)}, rejected ${n(s.rejected)}; ${rate(
        s.emitted
      )} events/s\n`
    )
  }
  const timer = setInterval(report, intervalMs)
  timer.unref()
  return {
    log: (text) => stream.write(text + '\n'),
    stop: () => clearInterval(timer)
  }
}
