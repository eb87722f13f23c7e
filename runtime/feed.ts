// One delivery = one record: for every request it answers, the relay publishes one
// DeliveryRecord. The log line, the metrics and any live view (an inspector page) are
// listeners of the same feed, called after the answer is sent, outside the request's
// path: a listener that throws or is slow to return control never delays an answer.

import type { RecordedCall } from './sandbox/calls'

export interface Rejection {
  index: number
  reason: string
}

/** A request the destination routes made to LaunchDarkly, as the answer summarises it. */
export interface LaunchDarklyRequest {
  method: string
  url: string
  status: number
}

export interface DeliveryRecord {
  /** When the request arrived (ISO 8601). */
  time: string
  method: string
  /** The normalised path, never the query string (it may hold a token). */
  route: string
  status: number
  /** Time from arrival to the answer. */
  ms: number
  emitted: number
  /** Skipped events by LaunchDarkly kind (index, summary, identify, …). */
  skipped: Record<string, number>
  rejected: Rejection[]
  /** The typed error of a failed request, redacted. */
  error?: { error: string; message: string }
  /** What went wrong though the answer was a success: a preflight the browser will not follow. */
  warning?: string
  /** The request body as text (undefined when over INPUT_LIMIT): the LaunchDarkly input, or a destination route's request. */
  input?: string
  /** The Segment calls the input became (accepted deliveries only). */
  calls: readonly RecordedCall[]
  /** Destination routes: the requests made to LaunchDarkly. */
  requests?: LaunchDarklyRequest[]
}

/** Bodies larger than this are not kept on the record (they are still delivered). */
export const INPUT_LIMIT = 256 * 1024

export type DeliveryListener = (record: DeliveryRecord) => void

export function skippedCount(record: DeliveryRecord): number {
  let total = 0
  for (const kind in record.skipped) total += record.skipped[kind]
  return total
}

/**
 * The input events of an SDK batch beside what became of each: the call it became, its
 * rejection, or skipped. Derived on demand (a listener's work, not the delivery's) from
 * the order the function keeps: calls follow their events' order, one call per event
 * that is neither rejected nor of a skipped kind. Undefined for other inputs.
 */
export function pairEvents(
  record: DeliveryRecord,
  isSkippedKind: (kind: string) => boolean
): Array<{ index: number; input: unknown; call?: RecordedCall; rejection?: string; skipped?: true }> | undefined {
  if (record.input === undefined) return undefined
  let events: unknown
  try {
    events = JSON.parse(record.input)
  } catch {
    return undefined
  }
  if (!Array.isArray(events)) return undefined
  const rejections = new Map(record.rejected.map((r) => [r.index, r.reason]))
  let next = 0
  return events.map((input: unknown, index) => {
    const rejection = rejections.get(index)
    if (rejection !== undefined) return { index, input, rejection }
    const kind = (input as { kind?: unknown } | null)?.kind
    if (typeof kind === 'string' && isSkippedKind(kind)) return { index, input, skipped: true }
    const call = record.calls[next++]
    return call ? { index, input, call } : { index, input }
  })
}

/** The records of one relay, handed to every listener off the request's path. */
export class DeliveryFeed {
  private readonly listeners = new Set<DeliveryListener>()
  private queue: DeliveryRecord[] = []
  private scheduled = false

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; the function returned removes it. */
  subscribe(listener: DeliveryListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  publish(record: DeliveryRecord): void {
    if (this.listeners.size === 0) return
    this.queue.push(record)
    if (this.scheduled) return
    this.scheduled = true
    // After the answer's bytes are handed to the socket, in one pass for all records so far.
    setImmediate(() => this.drain())
  }

  private drain(): void {
    const records = this.queue
    this.queue = []
    this.scheduled = false
    for (const record of records)
      for (const listener of this.listeners) {
        try {
          listener(record)
        } catch (error) {
          this.onListenerError(error)
        }
      }
  }
}
