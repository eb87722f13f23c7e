// The client of Segment's batch API (`POST {host}/v1/batch`) that the outbox sends through:
// one request per batch of whole outbox lines, and what its answer means for them.
//
// We post the batch API ourselves rather than through @segment/analytics-node: the
// library queues in memory (unbounded in an outage), gives up after its retries, and
// composes batches itself, so it cannot tell which records of the outbox a 2xx covers.

import { randomUUID } from 'crypto'
import { redact } from '../../shared'

/** Segment's limit for one batch request. */
export const MAX_BATCH_BYTES = 500 * 1024

/** What Segment's answer to a batch means. */
export type PostOutcome =
  | { ok: true }
  | { ok: false; retry: boolean; status?: number; reason: string; retryAfterMs?: number }

interface BatchApiOptions {
  writeKey: string
  /** Segment's Tracking API origin; `/v1/batch` is appended. */
  host: string
  fetch?: typeof fetch
  /** Per batch request. */
  timeoutMs?: number
  /** The longest a `Retry-After` is followed. */
  retryMaxMs?: number
  now: () => number
}

export class BatchApi {
  readonly url: string
  private readonly authorization: string
  /** The write key and its Basic form: kept out of reasons Segment (or a proxy) might echo. */
  private readonly secrets: readonly string[]
  private readonly fetch: typeof fetch
  private inflight?: AbortController
  private stopped = false

  constructor(private readonly options: BatchApiOptions) {
    this.url = `${options.host}/v1/batch`
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init))
    this.authorization = 'Basic ' + Buffer.from(options.writeKey + ':').toString('base64')
    this.secrets = [options.writeKey, this.authorization.slice('Basic '.length)]
  }

  /** Aborts the request in flight, if any, and any later one: the outbox is closing. */
  stop(): void {
    this.stopped = true
    this.inflight?.abort()
  }

  async post(lines: readonly string[]): Promise<PostOutcome> {
    const body = `{"batch":[${lines.join(',')}],"sentAt":${JSON.stringify(new Date(this.options.now()).toISOString())}}`
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
      return this.refusal(res.status, text, res.headers.get('retry-after'))
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      const reason = controller.signal.aborted
        ? this.stopped
          ? 'stopped'
          : 'no answer in time'
        : cause ?? 'network error'
      return { ok: false, retry: true, reason }
    } finally {
      clearTimeout(timer)
      this.inflight = undefined
    }
  }

  private refusal(status: number, text: string, retryAfterHeader: string | null): PostOutcome {
    // As Segment's own platform retries: a timeout, a lock, a rate limit or a server error.
    const retry = status === 408 || status === 423 || status === 429 || status >= 500
    const retryAfter = Number(retryAfterHeader)
    return {
      ok: false,
      retry,
      status,
      // Segment's answer is short JSON; kept short in case it is not, and without the key
      // should a proxy echo the request.
      reason: redact(`HTTP ${status}${text ? ` ${text.slice(0, 200)}` : ''}`, this.secrets),
      retryAfterMs: retry && retryAfter > 0 ? Math.min(retryAfter * 1000, this.options.retryMaxMs ?? 60_000) : undefined
    }
  }
}

/** Backoff after `failures` failed batches in a row: base doubling up to max, with equal jitter. */
export function backoff(failures: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30))
  // Half fixed, half random, so many relays do not retry in step.
  return ceiling / 2 + (Math.random() * ceiling) / 2
}
