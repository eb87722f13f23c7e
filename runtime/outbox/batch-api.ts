// The client of Segment's batch API (`POST {host}/v1/batch`) that the outbox sends through:
// one request per batch of whole outbox lines, and what its answer means for them.
//
// We post the batch API ourselves rather than through @segment/analytics-node: the
// library queues in memory (unbounded in an outage), gives up after its retries, and
// composes batches itself, so it cannot tell which records of the outbox a 2xx covers.

import { randomUUID } from 'crypto'
import { MAX_MESSAGE_BYTES, redact } from '../../shared'
import { isRetryableStatus, OutboxWords, PostOutcome, retryAfterMs, Sender } from './sender'

/** Segment's limit for one batch request. */
const MAX_BATCH_BYTES = 500 * 1024

/** A call the batch API would refuse (over 32 KB): never written. */
export class CallTooLarge extends Error {
  constructor(bytes: number) {
    super(`A Segment call is ${bytes} bytes of JSON, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes`)
    this.name = 'CallTooLarge'
  }
}

const SEGMENT_WORDS: OutboxWords = {
  folder: 'outbox',
  name: 'outbox',
  receiver: 'Segment',
  records: 'calls',
  request: 'batch',
  requests: 'batches',
  limitVariable: 'LD_OUTBOX_MAX_BYTES'
}

interface BatchApiOptions {
  writeKey: string
  /** Segment's Tracking API origin; `/v1/batch` is appended. */
  host: string
  fetch?: typeof fetch
  /** Per batch request. */
  timeoutMs?: number
  /** The longest a `Retry-After` is followed. */
  retryMaxMs?: number
  now?: () => number
}

export class BatchApi implements Sender {
  readonly words = SEGMENT_WORDS
  readonly batchBytes = MAX_BATCH_BYTES
  /** One request at a time, over one connection: batches are large. */
  readonly concurrency = 1
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

  idsOf(lines: readonly string[]): { messageIds: unknown[] } {
    return {
      messageIds: lines.map((line) => {
        try {
          return (JSON.parse(line) as { messageId?: unknown }).messageId
        } catch {
          return undefined
        }
      })
    }
  }

  async post(lines: readonly string[]): Promise<PostOutcome> {
    const now = this.options.now ?? Date.now
    const body = `{"batch":[${lines.join(',')}],"sentAt":${JSON.stringify(new Date(now()).toISOString())}}`
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
      if (res.status >= 200 && res.status < 300) return { settlement: 'delivered' }
      return this.refusal(res.status, text, res.headers.get('retry-after'))
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      const reason = controller.signal.aborted
        ? this.stopped
          ? 'stopped'
          : 'no answer in time'
        : cause ?? 'network error'
      return { settlement: 'retryable', reason }
    } finally {
      clearTimeout(timer)
      this.inflight = undefined
    }
  }

  private refusal(status: number, text: string, retryAfterHeader: string | null): PostOutcome {
    // Segment's answer is short JSON; kept short in case it is not, and without the key
    // should a proxy echo the request.
    const reason = redact(`HTTP ${status}${text ? ` ${text.slice(0, 200)}` : ''}`, this.secrets)
    // As Segment's own platform retries: a timeout, a lock, a rate limit or a server error.
    if (isRetryableStatus(status))
      return {
        settlement: 'retryable',
        status,
        reason,
        retryAfterMs: retryAfterMs(retryAfterHeader, this.options.retryMaxMs ?? 60_000)
      }
    // A 400 or 413 for a batch is about one of its calls; other 4xx (a wrong write key) refuse the request.
    return { settlement: 'refused', status, reason, oneOf: status === 400 || status === 413 }
  }
}
