// Several warm instances of the source function, so that deliveries run concurrently: one
// instance runs its invocations one at a time (as one Segment instance does), and a
// delivery waiting on a slow REST lookup must not hold up the others. The instances
// share one `cache`, so concurrent deliveries still look each flag up once.

import { ttlCache } from '../../shared'
import type { FunctionCache, TtlCache } from '../../shared'
import { Delivery, FunctionHandle, FunctionSettings, InvocationResult, loadFunction, SandboxOptions } from './instance'

/** As the function's own warm cache: many flags, bounded memory. */
const MAX_CACHE_ENTRIES = 5000

/**
 * One instance's view of the shared cache. A value crosses realms unharmed, but a thrown
 * error does not (the function tells its errors apart with `instanceof`, which fails
 * for another instance's classes), so an instance that shared another's failed load
 * runs its own loader instead: the failure is then its own, and nothing is cached.
 */
function viewOf(shared: TtlCache): FunctionCache {
  const own = new WeakSet<object>()
  const mark = (error: unknown): never => {
    if (typeof error === 'object' && error !== null) own.add(error)
    throw error
  }
  return {
    load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      return shared
        .load(key, ttlMs, () => Promise.resolve().then(load).catch(mark))
        .catch((error: unknown) => {
          if (typeof error !== 'object' || error === null || own.has(error)) throw error
          return Promise.resolve().then(load)
        })
    },
    delete: (key) => shared.delete(key)
  }
}

export class FunctionPool {
  private readonly idle: FunctionHandle[] = []
  private readonly waiting: Array<(fn: FunctionHandle) => void> = []
  private created = 0
  private readonly shared: TtlCache

  constructor(private readonly code: string, readonly size: number, private readonly options: SandboxOptions = {}) {
    this.shared = ttlCache(options.now ?? Date.now, new Map(), MAX_CACHE_ENTRIES)
    // One instance at once: a function that does not load fails startup, not a delivery.
    this.idle.push(this.create())
  }

  async invoke(request: Delivery, settings: FunctionSettings): Promise<InvocationResult> {
    const fn = await this.acquire()
    try {
      return await fn.invoke(request, settings)
    } finally {
      this.release(fn)
    }
  }

  private create(): FunctionHandle {
    this.created++
    return loadFunction(this.code, { ...this.options, cache: viewOf(this.shared) })
  }

  private acquire(): Promise<FunctionHandle> {
    const fn = this.idle.pop() ?? (this.created < this.size ? this.create() : undefined)
    return fn ? Promise.resolve(fn) : new Promise((resolve) => this.waiting.push(resolve))
  }

  private release(fn: FunctionHandle): void {
    const next = this.waiting.shift()
    if (next) next(fn)
    else this.idle.push(fn)
  }
}
