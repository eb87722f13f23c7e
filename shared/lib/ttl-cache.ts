// Values kept per key for a time, with the contract of Segment's `cache` global: loads of
// one key share a single load while it runs; a failed load is not kept, so the next
// call tries again. The source function falls back on it; the Functions sandbox offers it.

export type TtlEntries = Map<string, { value: Promise<unknown>; storedAt?: number }>

export interface TtlCache {
  load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>
  delete(key: string): void
}

/** A cache over `entries` (the caller decides how long they live); cleared when it reaches `maxEntries`. */
export function ttlCache(now: () => number, entries: TtlEntries = new Map(), maxEntries = Infinity): TtlCache {
  return {
    load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key)
      if (hit && (hit.storedAt === undefined || now() - hit.storedAt < ttlMs)) return hit.value as Promise<T>
      if (typeof load !== 'function') return Promise.reject(new TypeError('cache.load: the loader must be a function'))
      if (entries.size >= maxEntries) entries.clear()
      // storedAt stays unset while the load runs: callers meanwhile share it.
      const entry: { value: Promise<unknown>; storedAt?: number } = { value: Promise.resolve().then(load) }
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
    },
    delete(key: string): void {
      entries.delete(key)
    }
  }
}
