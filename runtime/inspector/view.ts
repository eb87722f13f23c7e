// What the inspector page is sent for one delivery record (docs/inspector.md): counts,
// rejections, and each LaunchDarkly event beside the Segment call it became, as JSON
// text. Bounded (a record's texts together, and each text, have a size limit) and
// redacted: every string is passed through `redact` with the relay's secrets, because
// event data is untrusted and a body may hold anything.

import { isSkippedKind, redact } from '../../shared'
import { DeliveryRecord, LaunchDarklyRequest, pairEvents } from '../feed'
import type { RecordedCall } from '../sandbox/calls'
import { DESTINATION_FUNCTION_PATH, DESTINATION_PREFIX, sourceRouteOf } from '../http/routes'

/** The JSON texts of one record together stop growing past this; the events left are counted, not listed. */
export const RECORD_TEXT_CHARS = 64 * 1024
/** One event's or call's JSON text is cut past this (a `…` marks the cut). */
export const TEXT_CHARS = 16 * 1024
/** Names (kinds, keys, event names) are cut past this. */
const NAME_CHARS = 200
/** As many as the source function lists. */
const MAX_REJECTIONS = 100

export type Outcome = 'call' | 'rejected' | 'skipped' | 'none'

/** One LaunchDarkly event of a batch and what it became; or, for other inputs, one Segment call. */
export interface ItemView {
  index: number
  outcome: Outcome
  /** The LaunchDarkly event's kind, key (flag key, custom event key) and context (`user:user-123`, `multi`). */
  kind?: string
  key?: string
  context?: string
  reason?: string
  /** The Segment call's type, event (or page) name, and userId or anonymousId. */
  type?: string
  name?: string
  user?: string
  /** JSON texts: the LaunchDarkly event, the Segment call (`{type, ...message}`). */
  input?: string
  call?: string
}

export type RouteKind = 'sdk' | 'client-side' | 'webhook' | 'destination' | 'destination-function' | 'other'

/** The record's own fields (ms rounded to 0.1), and what the page needs beside them. */
export interface RecordView
  extends Pick<
    DeliveryRecord,
    'time' | 'method' | 'route' | 'status' | 'ms' | 'emitted' | 'skipped' | 'rejected' | 'error' | 'warning'
  > {
  id: number
  kind: RouteKind
  /** SDK batches: each input event beside the call it became, its rejection, or skipped. */
  events?: ItemView[]
  /** Other inputs (a webhook, a destination request): the body, and the calls it became. */
  input?: string
  calls?: ItemView[]
  /** Destination routes and function: the requests made to LaunchDarkly. */
  requests?: LaunchDarklyRequest[]
  /** Events or calls not listed because the record's texts reached RECORD_TEXT_CHARS. */
  omitted?: number
  /** Why details are missing, when they are. */
  note?: string
}

export interface ViewOptions {
  secrets: readonly string[]
  /** False: counts, rejections and errors only (the relay is busy, or the record was too large to keep). */
  detailed: boolean
  note?: string
}

export function viewOf(id: number, record: DeliveryRecord, options: ViewOptions): RecordView {
  const view: RecordView = {
    id,
    time: record.time,
    method: record.method,
    route: record.route,
    kind: routeKind(record.route),
    status: record.status,
    ms: Math.round(record.ms * 10) / 10,
    emitted: record.emitted,
    skipped: record.skipped,
    rejected: record.rejected.slice(0, MAX_REJECTIONS),
    ...(record.error ? { error: record.error } : {}),
    ...(record.warning ? { warning: record.warning } : {}),
    ...(record.requests?.length ? { requests: record.requests } : {})
  }
  if (!options.detailed) {
    if (options.note) view.note = options.note
  } else addDetails(view, record)
  return redactStrings(view, options.secrets)
}

function routeKind(route: string): RouteKind {
  const source = sourceRouteOf(route)
  if (source) return source.kind
  if (route.startsWith(DESTINATION_PREFIX)) return 'destination'
  return route === DESTINATION_FUNCTION_PATH ? 'destination-function' : 'other'
}

/** Adds the events (or the input and calls) while the record's texts stay within RECORD_TEXT_CHARS. */
function addDetails(view: RecordView, record: DeliveryRecord): void {
  const budget = { left: RECORD_TEXT_CHARS }
  const paired = view.kind === 'sdk' || view.kind === 'client-side' ? pairEvents(record, isSkippedKind) : undefined
  if (paired) {
    const events: ItemView[] = []
    for (const pair of paired) {
      if (budget.left <= 0) break
      const item: ItemView = { index: pair.index, outcome: outcomeOf(pair), ...namesOf(pair.input) }
      if (pair.rejection !== undefined) item.reason = pair.rejection
      item.input = cut(JSON.stringify(pair.input) ?? 'undefined', budget)
      if (pair.call) Object.assign(item, callView(pair.call, budget))
      events.push(item)
    }
    view.events = events
    if (events.length < paired.length) view.omitted = paired.length - events.length
    return
  }
  if (record.input !== undefined) view.input = cut(record.input, budget)
  else if (view.kind !== 'other' && record.method === 'POST' && record.status !== 0)
    view.note = 'the request body is not shown: it was over 256 KiB, or not read'
  if (record.calls.length === 0) return
  const calls: ItemView[] = []
  for (const [index, call] of record.calls.entries()) {
    if (budget.left <= 0) break
    calls.push({ index, outcome: 'call', ...callView(call, budget) })
  }
  view.calls = calls
  if (calls.length < record.calls.length) view.omitted = record.calls.length - calls.length
}

function outcomeOf(pair: { call?: unknown; rejection?: string; skipped?: true }): Outcome {
  if (pair.rejection !== undefined) return 'rejected'
  if (pair.skipped) return 'skipped'
  return pair.call ? 'call' : 'none'
}

function namesOf(input: unknown): Pick<ItemView, 'kind' | 'key' | 'context'> {
  if (!input || typeof input !== 'object') return {}
  const { kind, key, context } = input as { kind?: unknown; key?: unknown; context?: unknown }
  return {
    ...(typeof kind === 'string' ? { kind: name(kind) } : {}),
    ...(typeof key === 'string' ? { key: name(key) } : {}),
    ...contextOf(context)
  }
}

/** `kind:key` of a single context, `multi` for a multi-kind one. */
function contextOf(context: unknown): Pick<ItemView, 'context'> {
  if (!context || typeof context !== 'object') return {}
  const { kind, key } = context as { kind?: unknown; key?: unknown }
  if (kind === 'multi') return { context: 'multi' }
  return typeof key === 'string' ? { context: name(`${typeof kind === 'string' ? kind : 'user'}:${key}`) } : {}
}

function callView(call: RecordedCall, budget: { left: number }): Pick<ItemView, 'type' | 'name' | 'user' | 'call'> {
  const { event, name: pageName, userId, anonymousId } = call.message
  const title = event ?? pageName
  const user = userId ?? anonymousId
  return {
    type: call.type,
    ...(typeof title === 'string' ? { name: name(title) } : {}),
    ...(typeof user === 'string' ? { user: name(user) } : {}),
    call: cut(JSON.stringify({ type: call.type, ...call.message }), budget)
  }
}

const name = (text: string): string => (text.length <= NAME_CHARS ? text : text.slice(0, NAME_CHARS) + '…')

/** The text, cut at TEXT_CHARS or at what is left of the record's budget, whichever is less. */
function cut(text: string, budget: { left: number }): string {
  const limit = Math.max(0, Math.min(TEXT_CHARS, budget.left))
  const kept = text.length <= limit ? text : text.slice(0, limit) + '…'
  budget.left -= kept.length
  return kept
}

/** A copy with every string (values and keys) redacted; the view is JSON, so this reaches everything. */
function redactStrings<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redact(item, secrets)
    if (Array.isArray(item)) return item.map(walk)
    if (item && typeof item === 'object') {
      // No prototype: a key such as `__proto__` (a skipped kind is event data) stays a key.
      const out = Object.create(null) as Record<string, unknown>
      for (const [key, inner] of Object.entries(item)) out[redact(key, secrets)] = walk(inner)
      return out
    }
    return item
  }
  return walk(value) as T
}
