// The one way the relay and its scripts wait: a delay that an abort signal cuts short (a
// closing outbox, a stopped replay), and that can be told not to keep the process alive.

export function delay(ms: number, signal?: AbortSignal, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    if (options.unref) timer.unref()
    signal?.addEventListener('abort', done, { once: true })
  })
}
