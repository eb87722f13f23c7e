// Relaying: an SDK whose events URI points at the relay no longer reaches LaunchDarkly,
// so with LD_FORWARD_EVENTS_TO set the relay also passes every authenticated SDK request
// on to that events service (or a Relay Proxy). In the background: the SDK's answer never
// waits for it. Only to the configured origin; without the `token` query parameter and
// without a Bearer Authorization (the relay's own token); the SDK's own key goes unchanged.

import type { IncomingHttpHeaders } from 'http'
import { isBearer } from './http/auth'

/** What SDKs send that the events service reads; hop-by-hop and length headers are not copied. */
const FORWARDED_HEADERS = ['content-type', 'user-agent']

export interface ForwarderOptions {
  /** Requests waiting or in flight; past it a forward is dropped and counted as failed. */
  maxPending?: number
  /** Requests in flight at once (so at most this many sockets). */
  concurrency?: number
  timeoutMs?: number
  /** How often a run of failures is logged. */
  logEveryMs?: number
  fetch?: typeof fetch
}

interface Job {
  url: URL
  headers: Record<string, string>
  body: string
}

export class Forwarder {
  /** Forwards that did not get a 2xx. */
  failures = 0
  private readonly queue: Job[] = []
  private active = 0
  private unlogged = 0
  private lastLog = -Infinity
  private idle?: () => void
  private readonly base: URL

  constructor(
    base: string,
    private readonly log: (line: string) => void,
    private readonly options: ForwarderOptions = {},
    /** Hears what became of each forward (for the metrics). */
    private readonly onResult: (result: 'sent' | 'failed') => void = () => undefined
  ) {
    this.base = new URL(base)
  }

  get origin(): string {
    return this.base.origin
  }

  /** Queues the request; never throws, never waits. `path` is the relay's normalised path. */
  forward(path: string, query: string, headers: IncomingHttpHeaders, body: string): void {
    // The pathname setter keeps the configured origin whatever `path` holds.
    const url = new URL(this.base.href)
    url.pathname = url.pathname.replace(/\/+$/, '') + path
    url.search = query
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue
      const text = Array.isArray(value) ? value.join(', ') : value
      if (
        name === 'authorization'
          ? !isBearer(text)
          : FORWARDED_HEADERS.includes(name) || name.startsWith('x-launchdarkly-')
      )
        out[name] = text
    }
    if (this.queue.length + this.active >= (this.options.maxPending ?? 1000)) {
      this.failed('too many forwards waiting')
      return
    }
    this.queue.push({ url, headers: out, body })
    this.pump()
  }

  /** Waits for queued forwards, up to `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.idle = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  private pump(): void {
    while (this.active < (this.options.concurrency ?? 8) && this.queue.length) {
      const job = this.queue.shift() as Job
      this.active++
      void this.send(job).finally(() => {
        this.active--
        if (this.active === 0 && this.queue.length === 0) this.idle?.()
        this.pump()
      })
    }
  }

  private async send(job: Job): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 10_000
    try {
      // The body was inflated on arrival; it leaves uncompressed.
      const res = await (this.options.fetch ?? fetch)(job.url, {
        method: 'POST',
        headers: job.headers,
        body: job.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs)
      })
      await res.arrayBuffer()
      if (res.status < 200 || res.status >= 300) this.failed(`HTTP ${res.status}`)
      else this.onResult('sent')
    } catch (error) {
      this.failed(
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name)
      )
    }
  }

  /** One line for a first failure, then at most one per `logEveryMs`, with the count meanwhile. */
  private failed(reason: string): void {
    this.failures++
    this.unlogged++
    this.onResult('failed')
    const now = Date.now()
    if (now - this.lastLog < (this.options.logEveryMs ?? 60_000)) return
    this.log(
      `forward: ${this.unlogged} request${this.unlogged === 1 ? '' : 's'} to ${
        this.origin
      } failed (last: ${reason}); the SDKs were answered all the same`
    )
    this.lastLog = now
    this.unlogged = 0
  }
}
