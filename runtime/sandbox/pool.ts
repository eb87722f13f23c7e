// Several warm instances of the source function, so that deliveries run concurrently: one
// instance runs its invocations one at a time (as one Segment instance does), and a
// delivery waiting on a slow REST lookup must not hold up the others. The instances
// share one `cache`, so concurrent deliveries still look each flag up once.
//
// `size` instances run deliveries; an instance whose delivery waits on the network (a
// variation-name lookup, its own or one it shares through the cache) does not count
// against it: when every instance is busy and one of them only waits, another is
// loaded (a few ms, a few hundred KiB), up to MAX_INSTANCES. So a delivery that needs no
// lookup never waits behind deliveries that wait on a hanging REST API. Instances past
// `size` are dropped once idle.

import { ttlCache } from '../../shared'
import type { FunctionCache, TtlCache } from '../../shared'
import { Delivery, FunctionHandle, FunctionSettings, InvocationResult, loadFunction, SandboxOptions } from './instance'

/** As the function's own warm cache: many flags, bounded memory. */
const MAX_CACHE_ENTRIES = 5000
/** Instances at most, those waiting on the network included. */
const MAX_INSTANCES = 64

/**
 * One instance's view of the shared cache. A value crosses realms unharmed, but a thrown
 * error does not (the function tells its errors apart with `instanceof`, which fails
 * for another instance's classes), so an instance that shared another's failed load
 * runs its own loader instead: the failure is then its own, and nothing is cached.
 */
function viewOf(shared: TtlCache, waiting: <T>(pending: Promise<T>) => Promise<T>): FunctionCache {
  const own = new WeakSet<object>()
  const mark = (error: unknown): never => {
    if (typeof error === 'object' && error !== null) own.add(error)
    throw error
  }
  return {
    load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      return waiting(
        shared
          .load(key, ttlMs, () => Promise.resolve().then(load).catch(mark))
          .catch((error: unknown) => {
            if (typeof error !== 'object' || error === null || own.has(error)) throw error
            return Promise.resolve().then(load)
          })
      )
    },
    delete: (key) => shared.delete(key)
  }
}

/** An instance, and how many network waits (fetches, shared lookups) its delivery has open. */
interface Instance {
  fn: FunctionHandle
  waits: number
}

export class FunctionPool {
  private readonly idle: Instance[] = []
  private readonly busy = new Set<Instance>()
  private readonly waiting: Array<(instance: Instance) => void> = []
  private created = 0
  private readonly shared: TtlCache

  constructor(private readonly code: string, readonly size: number, private readonly options: SandboxOptions = {}) {
    this.shared = ttlCache(options.now ?? Date.now, new Map(), MAX_CACHE_ENTRIES)
    // One instance at once: a function that does not load fails startup, not a delivery.
    this.idle.push(this.create())
  }

  async invoke(request: Delivery, settings: FunctionSettings): Promise<InvocationResult> {
    const instance = await this.acquire()
    try {
      return await instance.fn.invoke(request, settings)
    } finally {
      this.release(instance)
    }
  }

  /** Instances loaded now (for tests and the docs' figures). */
  get instances(): number {
    return this.created
  }

  private create(): Instance {
    this.created++
    const instance: Instance = { fn: undefined as unknown as FunctionHandle, waits: 0 }
    const waiting = <T>(pending: Promise<T>): Promise<T> => {
      // Not from inside the function's own call: the new instance is loaded in a turn of its own.
      if (instance.waits++ === 0) queueMicrotask(() => this.lend())
      return pending.finally(() => instance.waits--)
    }
    const hostFetch = this.options.fetch ?? ((input, init) => fetch(input, init))
    instance.fn = loadFunction(this.code, {
      ...this.options,
      fetch: (input, init) => waiting(hostFetch(input, init)),
      cache: viewOf(this.shared, waiting)
    })
    return instance
  }

  private acquire(): Promise<Instance> {
    const instance = this.idle.pop() ?? (this.mayLoad() ? this.create() : undefined)
    if (instance) {
      this.busy.add(instance)
      return Promise.resolve(instance)
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** Below `size`, or every busy instance past it only waits on the network. */
  private mayLoad(): boolean {
    if (this.created < this.size) return true
    if (this.created >= MAX_INSTANCES) return false
    let running = 0
    for (const instance of this.busy) if (instance.waits === 0) running++
    return running < this.size
  }

  /** A busy instance started waiting on the network: a delivery waiting for an instance gets a new one. */
  private lend(): void {
    const next = this.waiting[0]
    if (!next || !this.mayLoad()) return
    this.waiting.shift()
    const instance = this.create()
    this.busy.add(instance)
    next(instance)
  }

  private release(instance: Instance): void {
    this.busy.delete(instance)
    const next = this.waiting.shift()
    if (next) {
      this.busy.add(instance)
      next(instance)
    } else if (this.created > this.size && this.idle.length >= this.size) this.created--
    else this.idle.push(instance)
  }
}
