// What an outbox sends through (outbox.ts): one request per batch of whole records, and
// what the receiver's answer means for them, in the one settlement vocabulary of shared/.
// Segment's batch API (batch-api.ts) and LaunchDarkly's events service (forward-api.ts)
// are the two senders.

/** What the receiver's answer to one request means for its records. */
export type PostOutcome =
  | { settlement: 'delivered' }
  /** `oneOf`: refused because of one of the records (the outbox splits the batch to find it). */
  | { settlement: 'refused'; status?: number; reason: string; oneOf?: boolean }
  | { settlement: 'retryable'; status?: number; reason: string; retryAfterMs?: number }

/** How an outbox names itself and what it sends, in its log lines and answers. */
export interface OutboxWords {
  /** The log lines' prefix and the folder's name under LD_SEGMENT_DATA_DIR. */
  folder: string
  /** As answers name it: "outbox", "forward outbox". */
  name: string
  receiver: string
  /** What a record is, plural: "calls". */
  records: string
  request: string
  requests: string
  /** The variable of its size limit. */
  limitVariable: string
}

export interface Sender {
  readonly words: OutboxWords
  /** Where it sends (for the banner). */
  readonly url: string
  /** The most bytes, and records, one request carries. */
  readonly batchBytes: number
  readonly batchLines?: number
  /** Requests in flight at once. */
  readonly concurrency: number
  /** Sends the records; never rejects. */
  post(lines: readonly string[]): Promise<PostOutcome>
  /** What identifies the records in a dead-letter reason line (never a secret). */
  idsOf(lines: readonly string[]): Record<string, unknown>
  /** Aborts the requests in flight, and any later one: the outbox is closing. */
  stop(): void
}

/**
 * Backoff after `failures` failed requests in a row: base doubling up to max, with equal
 * jitter. A first failure waits little (0.05–0.1 s by default), so one failed batch in a
 * healthy stream costs little; an outage backs off to the minute.
 */
export function backoff(failures: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30))
  // Half fixed, half random, so many relays do not retry in step.
  return ceiling / 2 + (Math.random() * ceiling) / 2
}

/** Whether an HTTP status is worth another try: a timeout, a lock, a rate limit or a server error. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 423 || status === 429 || status >= 500
}

/** `Retry-After` in milliseconds (seconds only, as Segment and LaunchDarkly send it), at most `maxMs`. */
export function retryAfterMs(header: string | null, maxMs: number): number | undefined {
  const seconds = Number(header)
  return seconds > 0 ? Math.min(seconds * 1000, maxMs) : undefined
}
