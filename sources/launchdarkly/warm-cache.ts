// A cache that lives as long as the warm instance: Segment's `cache` when the runtime
// offers it, else shared/'s TTL cache over a module-level map with the same contract.

import { now, ttlCache } from '../../shared'
import type { FunctionCache, TtlEntries } from '../../shared'
import { segmentCache } from '../../segment-functions/globals'

// Module state survives between warm invocations, which is the point: settings do not
// live here, only values keyed by everything they depend on.
const entries: TtlEntries = new Map()

// A warm instance serves one function, but keys come from many flags: bound the memory.
const MAX_ENTRIES = 5000

/**
 * Segment's documentation does not say whether `cache.load` keeps a failed load; a kept
 * 503 would fail every delivery for the TTL. So a failure is deleted explicitly.
 */
function forgettingFailures(cache: FunctionCache): FunctionCache {
  return {
    load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      return cache.load(key, ttlMs, load).catch((error: unknown) => {
        if (typeof cache.delete === 'function') cache.delete(key)
        throw error
      })
    }
  }
}

export function warmCache(clock: () => number = now): FunctionCache {
  const cache = segmentCache()
  return cache ? forgettingFailures(cache) : ttlCache(clock, entries, MAX_ENTRIES)
}
