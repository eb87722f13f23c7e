// What became of a delivery's events (design §3.8): how many were emitted, which kinds
// were skipped, which events were rejected and why. The summary is returned and logged,
// so it is bounded whatever the body: the first MAX_LISTED_REJECTIONS rejections are
// listed exactly, the rest are counted per reason, and every text in it is short.

import { PayloadError } from './errors'
import { keysOf, NativeMap } from './lib/builtins'
import { own } from './lib/json'
import { redact } from './lib/redact'
import { firstAndMore } from './lib/text'

/** Rejected events listed one by one, with index and reason. */
export const MAX_LISTED_REJECTIONS = 100
/** Distinct reasons counted after those; rejections for further reasons are only in the total. */
export const MAX_COUNTED_REASONS = 20
/** Longer reasons are cut (they may quote untrusted input). */
export const MAX_REASON_LENGTH = 120
/** Distinct skipped kinds named; more (only diagnostic variants can be) are counted together. */
export const MAX_SKIPPED_KINDS = 16
const MAX_KIND_LENGTH = 64
/** Where skipped kinds past MAX_SKIPPED_KINDS, or with long names, are counted. */
export const OTHER_SKIPPED_KINDS = 'diagnostic*'
/** Reasons the log line and failure messages spell out. */
const SHOWN_REJECTIONS = 20

export interface Rejection {
  readonly index: number
  readonly reason: string
}

export interface ReasonCount {
  readonly reason: string
  readonly count: number
}

export interface DeliverySummary {
  readonly emitted: number
  readonly skipped: Readonly<Record<string, number>>
  /** The first MAX_LISTED_REJECTIONS rejected events, in order. */
  readonly rejected: readonly Rejection[]
  /**
   * Present when more events were rejected: how many, and how many of those for each of
   * the first MAX_COUNTED_REASONS reasons met (without the event's position in the body).
   */
  readonly moreRejected?: { readonly count: number; readonly byReason: readonly ReasonCount[] }
}

function shorten(text: string): string {
  if (text.length <= MAX_REASON_LENGTH) return text
  let end = MAX_REASON_LENGTH - 1
  // Never half a surrogate pair: JSON would write the lone half as a 6-character escape.
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return text.slice(0, end) + '…'
}

/** Gathers a delivery's outcome, event by event, within the caps above. */
export class SummaryTally {
  readonly #skipped: Record<string, number> = {}
  #skippedKinds = 0
  readonly #rejected: Rejection[] = []
  #moreCount = 0
  readonly #byReason = new NativeMap<string, number>()

  skip(kind: string): void {
    let key = kind.length <= MAX_KIND_LENGTH ? kind : OTHER_SKIPPED_KINDS
    if (own(this.#skipped, key) === undefined) {
      if (this.#skippedKinds >= MAX_SKIPPED_KINDS) key = OTHER_SKIPPED_KINDS
      if (own(this.#skipped, key) === undefined) {
        this.#skippedKinds++
        this.#skipped[key] = 0
      }
    }
    this.#skipped[key]++
  }

  /**
   * `reason` without the event's position; `position` ("element 3") is written before it
   * when the rejection is listed.
   */
  reject(index: number, reason: string, position?: string): void {
    if (this.#rejected.length < MAX_LISTED_REJECTIONS) {
      this.#rejected.push({ index, reason: shorten(position === undefined ? reason : position + ' ' + reason) })
      return
    }
    this.#moreCount++
    const key = shorten(reason)
    const count = this.#byReason.get(key)
    if (count !== undefined) this.#byReason.set(key, count + 1)
    else if (this.#byReason.size < MAX_COUNTED_REASONS) this.#byReason.set(key, 1)
  }

  get rejectedCount(): number {
    return this.#rejected.length + this.#moreCount
  }

  summary(emitted: number): DeliverySummary {
    const summary = { emitted, skipped: this.#skipped, rejected: this.#rejected }
    if (this.#moreCount === 0) return summary
    const byReason = [...this.#byReason].map(([reason, count]) => ({ reason, count }))
    return { ...summary, moreRejected: { count: this.#moreCount, byReason } }
  }
}

export function rejectedCount(summary: DeliverySummary): number {
  return summary.rejected.length + (summary.moreRejected?.count ?? 0)
}

/** The first rejections, then how many more. */
export function describeRejections(summary: DeliverySummary): string {
  const shown = summary.rejected.slice(0, SHOWN_REJECTIONS).map((r) => `event ${r.index}: ${r.reason}`)
  return firstAndMore(shown, SHOWN_REJECTIONS, rejectedCount(summary))
}

/** The skipped kinds with their counts, `index=2 summary=1`; empty when none was skipped. */
export function skippedKinds(summary: DeliverySummary): string {
  return keysOf(summary.skipped)
    .map((kind) => `${kind}=${summary.skipped[kind]}`)
    .join(' ')
}

/** The one log line per delivery (design §3.8). */
export function summaryLine(summary: DeliverySummary): string {
  const count = rejectedCount(summary)
  let line = `launchdarkly: emitted ${summary.emitted}, skipped ${skippedKinds(summary) || '0'}, rejected ${count}`
  if (count) line += ` (${describeRejections(summary)})`
  return line
}

/** The summary with every secret taken out of its reasons. */
export function redactSummary(summary: DeliverySummary, secrets: readonly string[]): DeliverySummary {
  if (secrets.length === 0) return summary
  const clean = <T extends { readonly reason: string }>(item: T): T => ({
    ...item,
    reason: redact(item.reason, secrets)
  })
  const redacted = { ...summary, rejected: summary.rejected.map(clean) }
  const more = summary.moreRejected
  return more ? { ...redacted, moreRejected: { ...more, byReason: more.byReason.map(clean) } } : redacted
}

/**
 * A delivery of which no event was exported while some were rejected (design §3.8): it
 * fails as a PayloadError, and carries the summary for callers that report each event.
 */
export class NothingExported extends PayloadError {
  constructor(message: string, readonly summary: DeliverySummary) {
    super(message)
    this.name = 'NothingExported'
  }
}
