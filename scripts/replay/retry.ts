// Retrying what is worth retrying (429, 5xx, timeouts, no connection, an unavailable
// LaunchDarkly API): exponential backoff with jitter, or the server's Retry-After.

import { delay } from '../../runtime'

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number
  readonly baseMs: number
  readonly maxMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, baseMs: 1000, maxMs: 60_000 }

/** A longer Retry-After is cut to this: a replay should not sit silent for hours. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000

export type Attempt<T> =
  | { readonly done: T }
  /** `afterMs`: the server's Retry-After, when it gave one. */
  | { readonly retry: string; readonly afterMs?: number }

export interface RetryContext {
  readonly policy: RetryPolicy
  readonly log: (line: string) => void
  /** Aborted on Ctrl+C: the wait ends at once. */
  readonly signal?: AbortSignal
}

/** Runs `attempt` until it is done or retries are spent; `gaveUp` holds the last reason. */
export async function withRetries<T>(
  what: string,
  attempt: () => Promise<Attempt<T>>,
  context: RetryContext
): Promise<{ done: T } | { gaveUp: string }> {
  const { policy, log, signal } = context
  for (let n = 0; ; n++) {
    const result = await attempt()
    if ('done' in result) return result
    if (signal?.aborted) return { gaveUp: `${result.retry} (interrupted)` }
    if (n >= policy.retries) return { gaveUp: `${result.retry} (gave up after ${n + 1} attempts)` }
    const waitMs = result.afterMs ?? backoffMs(n, policy)
    log(
      `${what}: ${result.retry}; retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${n + 2} of ${
        policy.retries + 1
      })`
    )
    await delay(waitMs, signal)
    if (signal?.aborted) return { gaveUp: `${result.retry} (interrupted)` }
  }
}

/** Half the doubled delay, plus up to as much again at random, so parallel senders spread out. */
function backoffMs(attempt: number, policy: RetryPolicy): number {
  const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt)
  return delay / 2 + Math.random() * (delay / 2)
}

/** Retry-After in seconds or as an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const text = header.trim()
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now
  if (!Number.isFinite(ms)) return undefined
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}
