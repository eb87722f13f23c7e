// The client of LaunchDarkly's events service that the outbox of forwards sends through
// (docs/relay.md "Forwarding to LaunchDarkly"): one forward record (forward.ts) is one SDK
// request, posted again as the SDK made it to the configured events URL only, and what
// LaunchDarkly's answer means for it. 2xx: delivered; 408, 429, 5xx, a timeout or no
// connection: retried; any other answer: refused for good (dead-lettered). The SDK's key
// travels in the request only: a reason never quotes it, nor the relay's secrets.

import { redact } from '../../shared'
import { isRetryableStatus, OutboxWords, PostOutcome, retryAfterMs, Sender } from './sender'

/** One forwarded SDK request, as a line of the outbox of forwards. */
export interface ForwardRecord {
  /** The relay's normalised path (`/bulk`, `/events/bulk/{id}`). */
  path: string
  /** The query without the relay's `token`. */
  query: string
  /** The SDK's headers that LaunchDarkly reads, its own Authorization among them. */
  headers: Record<string, string>
  /** As received, inflated. */
  body: string
}

/** The body is one the function accepted (≤ 512 KiB of UTF-8, escaped as JSON text at most 6×), plus headers. */
export const MAX_FORWARD_RECORD_BYTES = 4 * 1024 * 1024

export const FORWARD_WORDS: OutboxWords = {
  folder: 'forward',
  name: 'forward outbox',
  receiver: 'LaunchDarkly',
  records: 'SDK requests',
  request: 'request',
  requests: 'requests',
  limitVariable: 'LD_FORWARD_OUTBOX_MAX_BYTES'
}

export interface ForwardApiOptions {
  /** LD_FORWARD_EVENTS_TO: the events service or Relay Proxy; its path prefix is kept. */
  base: string
  /** The relay's secrets, kept out of reasons. */
  secrets: readonly string[]
  fetch?: typeof fetch
  timeoutMs?: number
  retryMaxMs?: number
  /** Requests in flight at once (so at most this many sockets). */
  concurrency?: number
}

export class ForwardApi implements Sender {
  readonly words = FORWARD_WORDS
  readonly batchBytes = MAX_FORWARD_RECORD_BYTES + 1024
  /** One SDK request per request: each has its own key and payload id. */
  readonly batchLines = 1
  readonly concurrency: number
  readonly url: string
  private readonly base: URL
  private readonly inflight = new Set<AbortController>()
  private stopped = false

  constructor(private readonly options: ForwardApiOptions) {
    this.base = new URL(options.base)
    this.url = this.base.origin + this.base.pathname.replace(/\/+$/, '')
    this.concurrency = options.concurrency ?? 8
  }

  stop(): void {
    this.stopped = true
    for (const controller of this.inflight) controller.abort()
  }

  idsOf(lines: readonly string[]): { payloadIds: unknown[]; paths: unknown[] } {
    const records = lines.map(recordOf)
    return {
      payloadIds: records.map((r) => r?.headers['x-launchdarkly-payload-id']),
      paths: records.map((r) => r?.path)
    }
  }

  async post(lines: readonly string[]): Promise<PostOutcome> {
    const record = recordOf(lines[0])
    if (!record) return { settlement: 'refused', reason: 'not a forward record' }
    const controller = new AbortController()
    this.inflight.add(controller)
    const timeoutMs = this.options.timeoutMs ?? 10_000
    const timer = setTimeout(() => controller.abort(), timeoutMs)
    const secrets = [...this.options.secrets, ...(record.headers.authorization ? [record.headers.authorization] : [])]
    try {
      if (this.stopped) return { settlement: 'retryable', reason: 'stopped' }
      const res = await (this.options.fetch ?? fetch)(this.target(record), {
        method: 'POST',
        headers: record.headers,
        body: record.body,
        redirect: 'manual',
        signal: controller.signal
      })
      const text = await res.text().catch(() => '')
      if (res.status >= 200 && res.status < 300) return { settlement: 'delivered' }
      const reason = redact(`HTTP ${res.status}${text ? ` ${text.slice(0, 200)}` : ''}`, secrets)
      if (!isRetryableStatus(res.status)) return { settlement: 'refused', status: res.status, reason }
      const wait = retryAfterMs(res.headers.get('retry-after'), this.options.retryMaxMs ?? 60_000)
      return { settlement: 'retryable', status: res.status, reason, retryAfterMs: wait }
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code
      const reason = controller.signal.aborted
        ? this.stopped
          ? 'stopped'
          : `no answer within ${timeoutMs} ms`
        : code ?? (error as Error).name
      return { settlement: 'retryable', reason }
    } finally {
      clearTimeout(timer)
      this.inflight.delete(controller)
    }
  }

  /** The configured URL with the record's path appended: the pathname setter keeps the origin whatever the path holds. */
  private target(record: ForwardRecord): URL {
    const url = new URL(this.base.href)
    url.pathname = url.pathname.replace(/\/+$/, '') + record.path
    url.search = record.query
    return url
  }
}

function recordOf(line: string): ForwardRecord | undefined {
  try {
    const record = JSON.parse(line) as Partial<ForwardRecord>
    const ok =
      typeof record.path === 'string' &&
      record.path.startsWith('/') &&
      typeof record.query === 'string' &&
      typeof record.body === 'string' &&
      typeof record.headers === 'object' &&
      record.headers !== null &&
      Object.values(record.headers).every((value) => typeof value === 'string')
    return ok ? (record as ForwardRecord) : undefined
  } catch {
    return undefined
  }
}
