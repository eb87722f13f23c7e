// A request with a time limit on whatever the runtime offers: AbortController when it has
// one (the request is then really cancelled), node-fetch 2's `timeout` option, and a race
// that settles in time whatever the request does.

import { newAbortController } from './globals'

/** The limit passed; named like the time-outs of HTTP clients, which callers already recognise. */
export class TimedOut extends Error {
  constructor(limitMs: number) {
    super(`no answer within ${limitMs} ms`)
    this.name = 'TimeoutError'
  }
}

/** Runs `request` with `signal` and `timeout` to pass on to fetch; rejects with TimedOut after `limitMs`. */
export async function withTimeLimit<T>(
  limitMs: number,
  request: (options: { signal: unknown; timeout: number }) => Promise<T>
): Promise<T> {
  if (limitMs <= 0) throw new TimedOut(0)
  const controller = newAbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller?.abort()
      reject(new TimedOut(limitMs))
    }, limitMs)
  })
  try {
    return await Promise.race([request({ signal: controller?.signal, timeout: limitMs }), timeout])
  } catch (error) {
    // Aborting makes fetch reject too; the race may see that first.
    if ((error as { name?: unknown } | null)?.name === 'AbortError') throw new TimedOut(limitMs)
    throw error
  } finally {
    clearTimeout(timer)
  }
}
