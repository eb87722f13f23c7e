// Records grouped into deliveries: the bodies the source function would be given. The
// grouping decides the messageIds of events without an `id` (their duplicate counter
// runs per delivery, design §3.9), so it depends on the input alone:
//
// * the elements of one JSON array (a captured /bulk body) form one delivery, split only
//   past 512 KiB: a body the function took gets the ids it gave;
// * consecutive NDJSON lines of SDK events or Data Export records are packed, in order,
//   into JSON-array deliveries of at most 512 KiB;
// * a line that is a delivery by itself (a Pub/Sub push, an audit-log entry, a JSON array)
//   stays one, as it was pushed;
// * Segment calls (the relay's outbox and dead-letter lines) are already converted: they
//   pass through unchanged, messageIds included.
//
// Packing restarts after every delivery, so a resumed run, which starts at a delivery's
// end, packs the rest exactly as an uninterrupted run does.

import { isAuditEntry, isObject, MAX_BODY_BYTES, MAX_MESSAGE_BYTES, own, SEGMENT_CALL_TYPES } from '../../shared'
import type { JsonObject, SegmentCallType } from '../../shared'
import type { Piece, Position } from './records'

/** A Segment call as the relay stores it (`{type, ...message}`), any call type. */
export interface ReplayCall {
  readonly type: SegmentCallType
  readonly message: JsonObject
}

export type Delivery =
  /** LaunchDarkly input: the body the source function would be given; `lines[i]` is the line of item i. */
  | { readonly body: string; readonly lines: readonly number[]; readonly end: Position }
  /** Segment calls read as such, to pass through. */
  | { readonly calls: readonly ReplayCall[]; readonly lines: readonly number[]; readonly end: Position }

export interface Rejected {
  readonly line: number
  readonly reason: string
}

/** A JSON array body: '[' + items joined by ',' + ']'. */
const ARRAY_OVERHEAD = 2

/** Groups one input's pieces into deliveries; `flush` at its end. */
export class Grouper {
  private items: string[] = []
  private itemLines: number[] = []
  private bytes = 0
  private calls: ReplayCall[] = []
  private callLines: number[] = []
  private callBytes = 0
  private last: Position

  constructor(
    from: Position,
    private readonly deliver: (delivery: Delivery) => void,
    private readonly reject: (rejected: Rejected) => void
  ) {
    this.last = from
  }

  push(piece: Piece): void {
    if (piece.type === 'array-end') {
      this.last = piece.end
      this.flush()
      return
    }
    if (piece.type === 'bad') this.reject({ line: piece.line, reason: piece.reason })
    else this.record(piece.text, piece.line, piece.element, piece.end)
    this.last = piece.end
  }

  /** Hands on what is packed, ending at the last piece pushed. */
  flush(): void {
    this.flushItems()
    this.flushCalls()
  }

  private record(text: string, line: number, element: boolean, end: Position): void {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      this.reject({ line, reason: `${element ? 'element' : 'line'} is not valid JSON` })
      return
    }
    const form = formOf(value, element)
    if (form === 'call') this.call(value as JsonObject, text, line)
    else if (form === 'item') this.item(text, line)
    else {
      this.flush()
      this.deliver({ body: text, lines: [line], end })
    }
  }

  private item(text: string, line: number): void {
    this.flushCalls()
    const bytes = Buffer.byteLength(text)
    if (this.items.length > 0 && ARRAY_OVERHEAD + this.bytes + this.items.length + bytes > MAX_BODY_BYTES)
      this.flushItems()
    this.items.push(text)
    this.itemLines.push(line)
    this.bytes += bytes
  }

  private call(value: JsonObject, text: string, line: number): void {
    this.flushItems()
    const { type, ...message } = value
    const messageId = own(message, 'messageId')
    if (typeof messageId !== 'string' || messageId === '') {
      this.reject({ line, reason: 'Segment call without a messageId: it could not be deduplicated' })
      return
    }
    const bytes = Buffer.byteLength(JSON.stringify(message))
    if (bytes > MAX_MESSAGE_BYTES) {
      this.reject({
        line,
        reason: `the Segment message is ${bytes} bytes, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes (32 KB)`
      })
      return
    }
    if (this.calls.length > 0 && this.callBytes + text.length > MAX_BODY_BYTES) this.flushCalls()
    this.calls.push({ type: type as SegmentCallType, message })
    this.callLines.push(line)
    this.callBytes += text.length
  }

  private flushItems(): void {
    if (this.items.length === 0) return
    const body = '[' + this.items.join(',') + ']'
    this.deliver({ body, lines: this.itemLines, end: this.last })
    this.items = []
    this.itemLines = []
    this.bytes = 0
  }

  private flushCalls(): void {
    if (this.calls.length === 0) return
    this.deliver({ calls: this.calls, lines: this.callLines, end: this.last })
    this.calls = []
    this.callLines = []
    this.callBytes = 0
  }
}

/**
 * What a record is, in the order the source function tells a body's form (design §3.1):
 * a delivery of its own (Pub/Sub push, audit entry, array, anything unknown), an item to
 * pack (SDK event or Data Export record), or a Segment call. Array elements are items
 * whatever they hold, as the function judges them one by one.
 */
function formOf(value: unknown, element: boolean): 'alone' | 'item' | 'call' {
  if (!isObject(value)) return element ? 'item' : 'alone'
  if (!element) {
    const message = own(value, 'message')
    if (isObject(message) && own(message, 'data') !== undefined && own(value, 'subscription') !== undefined)
      return 'alone'
    if (isAuditEntry(value)) return 'alone'
  }
  if (own(value, 'kind') !== undefined || isObject(own(value, 'event'))) return 'item'
  const type = own(value, 'type')
  if (typeof type === 'string' && (SEGMENT_CALL_TYPES as readonly string[]).includes(type)) return 'call'
  return element ? 'item' : 'alone'
}
