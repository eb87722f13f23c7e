// `--rate <events/s>`: deliveries leave no faster than the rate allows on average. A
// delivery goes out whole (its size is fixed by the input, so that messageIds are too);
// the one after it waits as long as the rate gives its events.

import { delay } from '../../runtime'

/** Waits for a delivery's turn; false when interrupted first (Ctrl+C): it is then not to be sent. */
export type Pacer = (events: number) => Promise<boolean>

export function pacer(eventsPerSecond: number | undefined, signal?: AbortSignal, now = Date.now): Pacer {
  let next = now()
  return async (events) => {
    if (eventsPerSecond !== undefined) {
      // The slot is taken before waiting, so deliveries in parallel queue up one behind another.
      const at = Math.max(next, now())
      next = at + (events * 1000) / eventsPerSecond
      const wait = at - now()
      if (wait > 0) await delay(wait, signal)
    }
    return signal?.aborted !== true
  }
}
