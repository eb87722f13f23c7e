// A cache that lives as long as the warm runtime: Segment's `cache.load` when the
// runtime offers it, else a module-level map with the same contract (concurrent loads
// of one key share a single load; a failed load is not kept, so the next call retries).

import { RuntimeCache, runtimeCache } from './runtime'

interface Entry {
  value: Promise<unknown>
  /** When the load settled; undefined while it runs. */
  storedAt?: number
}

// Module state survives between warm invocations, which is the point: settings do not
// live here, only values keyed by everything they depend on.
const entries = new Map<string, Entry>()

// A warm instance serves one function, but keys come from many flags: bound the memory.
const MAX_ENTRIES = 5000

function moduleCache(now: () => number): RuntimeCache {
  return {
    load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key)
      if (hit && (hit.storedAt === undefined || now() - hit.storedAt < ttlMs)) return hit.value as Promise<T>
      if (entries.size >= MAX_ENTRIES) entries.clear()
      const entry: Entry = { value: Promise.resolve().then(load) }
      entries.set(key, entry)
      entry.value.then(
        () => {
          entry.storedAt = now()
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key)
        }
      )
      return entry.value as Promise<T>
    }
  }
}

/**
 * Segment's documentation does not say whether `cache.load` keeps a failed load; a kept
 * 503 would fail every delivery for the TTL. So a failure is deleted explicitly.
 */
function forgettingFailures(cache: RuntimeCache): RuntimeCache {
  return {
    load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      return cache.load(key, ttlMs, load).catch((error: unknown) => {
        if (typeof cache.delete === 'function') cache.delete(key)
        throw error
      })
    }
  }
}

export function warmCache(now: () => number = Date.now): RuntimeCache {
  const segmentCache = runtimeCache()
  return segmentCache ? forgettingFailures(segmentCache) : moduleCache(now)
}
