// One vocabulary for what became of anything the bundle sends on: a batch of Segment calls
// from the relay's outbox, a call replayed to a target, an event posted to LaunchDarkly.
// Each of them is settled one of three ways, and callers map these to their own words
// (an HTTP status, a Segment error class, a summary line) in one place each.

/**
 * `delivered`: the receiver answered 2xx (or the file is written and flushed).
 * `refused`: refused for good, for a cause of its own: sending it again cannot help (it is
 * dead-lettered where there is a dead-letter file).
 * `retryable`: not delivered yet (an outage, a timeout, retries spent, interrupted): it is
 * kept, and sending it again may succeed.
 */
export type Settlement = 'delivered' | 'refused' | 'retryable'

/** One item's settlement, with the reason when it was not delivered. */
export type Settled =
  | { readonly settlement: 'delivered' }
  | { readonly settlement: 'refused' | 'retryable'; readonly reason: string }
