// The Segment destination function for LaunchDarkly (design §5.4): what a workspace can
// install today, while the Actions destination waits for Segment to register it. It runs
// the same declaration of which message becomes which event (interpreter.ts) and the same
// delivery core as the Actions destination; this module is its Segment Functions adapter:
// Segment's fetch as the `post`, each outcome mapped to Segment's error classes in one
// place (errorNameOf), one log line per invocation.

import { firstAndMore, FUNCTION_TIMEOUT_MS } from '../../shared'
import type { SegmentErrorName } from '../../shared'
import { nodeSha256 } from '../../segment-functions/crypto'
import { segmentError, segmentFetch } from '../../segment-functions/globals'
import { withTimeLimit } from '../../segment-functions/time-limit'
import type { LaunchDarklyEvent } from '../launchdarkly-events/mapping'
import { deliver, Failure, Item, Outcome, Post } from '../launchdarkly-events/delivery'
import { SettingsError } from '../launchdarkly-events/endpoints'
import { DESTINATION_VERSION } from '../launchdarkly-events/version'
import { interpret } from './interpreter'
import { readSettings } from './settings'

export const USER_AGENT = `SegmentLaunchDarklyEventsFunction/${DESTINATION_VERSION}`
/** One request to LaunchDarkly may take this long... */
export const REQUEST_TIMEOUT_MS = 2500
/** ...and all of an invocation's requests this long, well inside Segment's limit per invocation. */
export const SEND_BUDGET_MS = FUNCTION_TIMEOUT_MS - 1000

/** What onTrack and onPage resolve to: Segment ignores it; the local runtime shows it. */
export interface Sent {
  readonly status: number
  readonly sent: LaunchDarklyEvent
}

/** One entry of onBatch's answer, in the order of the events, as Segment's batching contract describes. */
export interface BatchStatus {
  readonly status: number
  readonly errormessage?: string
}

/** An event the function does not send: no route takes it, or a field cannot be read. */
interface Refusal {
  readonly ok: false
  readonly reason: 'unsupported' | 'invalid'
  readonly message: string
}

type Result = Outcome | Refusal

/** The Segment error class a failed event is reported with. */
function errorNameOf(result: Failure | Refusal): SegmentErrorName {
  switch (result.reason) {
    case 'unsupported':
      return 'EventNotSupported'
    case 'client-side-id':
      return 'ValidationError'
    case 'rate-limited':
    case 'unavailable':
    case 'timeout':
    case 'unreachable':
      return 'RetryError'
    case 'invalid':
    case 'echo':
    case 'too-large':
    case 'rejected':
      return 'InvalidEventPayload'
  }
}

/** Segment's fetch, each request within the invocation's time budget. */
function segmentPost(deadline: number, counter: { requests: number }): Post {
  return ({ url, headers, body }) => {
    counter.requests++
    const limit = Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now())
    return withTimeLimit(limit, async (limits) => {
      const response = await segmentFetch(url, { method: 'POST', headers: { ...headers }, body, ...limits })
      return { status: response.status, body: await response.text() }
    })
  }
}

/** Interprets and delivers `messages`; a result per message, in order. Logs one line. */
async function run(messages: readonly unknown[], rawSettings: unknown): Promise<Result[]> {
  const settings = readSettings(rawSettings)
  const results: Result[] = new Array(messages.length)
  const items: Item[] = []
  const positions: number[] = []
  messages.forEach((message, index) => {
    const interpretation = interpret(message, settings)
    if (interpretation.ok) {
      items.push(interpretation.item)
      positions.push(index)
    } else {
      results[index] = interpretation
    }
  })
  const counter = { requests: 0 }
  let outcomes: Outcome[]
  try {
    outcomes = await deliver(settings, items, {
      post: segmentPost(Date.now() + SEND_BUDGET_MS, counter),
      userAgent: USER_AGENT,
      hash: nodeSha256()
    })
  } catch (error) {
    if (error instanceof SettingsError) throw segmentError('ValidationError', error.message)
    throw error
  }
  outcomes.forEach((outcome, i) => (results[positions[i]] = outcome))
  console.log(summaryLine(results, counter.requests))
  return results
}

function summaryLine(results: readonly Result[], requests: number): string {
  const delivered = results.filter((r) => r.ok).length
  const failures = results.flatMap((r, index) => (r.ok ? [] : [`event ${index}: ${r.message}`]))
  const shown = firstAndMore(failures, 20)
  return (
    `launchdarkly-events: delivered ${delivered} of ${results.length} in ${requests} request${
      requests === 1 ? '' : 's'
    }` + (failures.length ? `; failed ${failures.length} (${shown})` : '')
  )
}

async function sendOne(event: unknown, settings: unknown): Promise<Sent> {
  const [result] = await run([event], settings)
  if (!result.ok) throw segmentError(errorNameOf(result), result.message)
  return { status: result.status, sent: result.sent }
}

export function onTrack(event: unknown, settings: unknown): Promise<Sent> {
  return sendOne(event, settings)
}

export function onPage(event: unknown, settings: unknown): Promise<Sent> {
  return sendOne(event, settings)
}

/** With the sendAliasEvents setting on, an alias event; else EventNotSupported. */
export function onIdentify(event: unknown, settings: unknown): Promise<Sent> {
  return sendOne(event, settings)
}

export function onAlias(event: unknown, settings: unknown): Promise<Sent> {
  return sendOne(event, settings)
}

/**
 * One request for the batch (pieces after a 413) and a status per event: 200 delivered,
 * 500 to be retried, 400 not. A failure that holds for the whole batch (a refused
 * client-side ID, LaunchDarkly unavailable) is thrown as its Segment error instead.
 */
export async function onBatch(events: unknown, settings: unknown): Promise<BatchStatus[]> {
  if (!Array.isArray(events)) throw segmentError('InvalidEventPayload', 'onBatch expects an array of Segment events.')
  const results = await run(events, settings)
  const failed = results.filter((r): r is Failure | Refusal => !r.ok)
  const names = new Set(failed.map(errorNameOf))
  const [name] = names
  if (results.length > 0 && failed.length === results.length && names.size === 1) {
    if (name === 'RetryError' || name === 'ValidationError') throw segmentError(name, failed[0].message)
  }
  return results.map((result) =>
    result.ok
      ? { status: 200 }
      : { status: errorNameOf(result) === 'RetryError' ? 500 : 400, errormessage: result.message }
  )
}
