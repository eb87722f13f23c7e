// Delivery to LaunchDarkly's event ingestion API (design §5), framework-free: schema-named
// fields in, LaunchDarkly events built with the core module's reverse mapping, the echo
// guard, one POST per batch through an injected `post`, a 413 answered by splitting on
// serialised size, and a typed outcome for every event. The Actions destination
// (send.ts) and the destination function map outcomes to their own error vocabulary.

import { explanationOf, isEcho, isObject, MappingError, payloadIdFor, toLaunchDarklyEvent, utf8Length } from './mapping'
import type { Hash, JsonObject, LaunchDarklyEvent, LaunchDarklyKind, Settlement } from './mapping'
import { bulkEventsUrl, clientSideIdOf, EndpointSettings } from './endpoints'
import { API_VERSION } from './versioning-info'

export interface PostRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}
export interface PostResponse {
  readonly status: number
  readonly body: string
}
/** One HTTP POST. Rejects only when no response arrived (a timeout, a connection error). */
export type Post = (request: PostRequest) => Promise<PostResponse>

/** One event to deliver, as both destinations prepare it. */
export interface Item {
  readonly kind: LaunchDarklyKind
  /** Schema-named fields: what the core module's reverse mapping reads. */
  readonly fields: JsonObject
  /** `properties.environment` of the Segment message, for the echo guard. */
  readonly environment: unknown
  /** The Segment messageId, for the payload ID. */
  readonly messageId: unknown
}

export type FailureReason =
  | 'invalid'
  | 'echo'
  | 'client-side-id'
  | 'too-large'
  | 'rate-limited'
  | 'unavailable'
  | 'timeout'
  | 'unreachable'
  | 'rejected'

/** Why an event was not delivered; `sent` is absent when it never left. */
export interface Failure {
  readonly ok: false
  readonly reason: FailureReason
  /** LaunchDarkly's status, or the HTTP status that describes the failure best. */
  readonly status: number
  /** `retryable`: sending the same event again later may succeed; `refused`: it cannot. */
  readonly settlement: Exclude<Settlement, 'delivered'>
  readonly message: string
  readonly sent?: LaunchDarklyEvent
  readonly body?: string | JsonObject
}

export interface Delivered {
  readonly ok: true
  readonly settlement: Extract<Settlement, 'delivered'>
  readonly status: number
  readonly sent: LaunchDarklyEvent
  readonly body: string | JsonObject
}

export type Outcome = Delivered | Failure

export interface DeliveryOptions {
  readonly post: Post
  readonly userAgent: string
  /** SHA-256 as lowercase hex, for payload IDs; shared/'s portable one by default. */
  readonly hash?: Hash
}

export const CLIENT_SIDE_ID_HELP =
  'Check the Client-side ID setting (clientSideId): copy it from Project settings → Environments in LaunchDarkly.'

// Sending an exported event back to the environment it came from would count it twice.
export const ECHO_MESSAGE =
  'The event came from the LaunchDarkly environment this destination sends to (its environment equals the Client-side ID setting), so it is not sent back: LaunchDarkly would count it twice.'

const RETRYABLE: ReadonlySet<FailureReason> = new Set(['rate-limited', 'unavailable', 'timeout', 'unreachable'])

export function failure(
  reason: FailureReason,
  status: number,
  message: string,
  answer: Pick<Failure, 'sent' | 'body'> = {}
): Failure {
  return { ok: false, reason, status, settlement: RETRYABLE.has(reason) ? 'retryable' : 'refused', message, ...answer }
}

interface Pending {
  readonly index: number
  readonly event: LaunchDarklyEvent
  readonly json: string
  readonly bytes: number
  readonly messageId: string
}

/**
 * Converts, guards and sends `items`; resolves to an outcome per item, in order. Throws
 * only SettingsError (endpoints.ts), before anything is sent: events that cannot go fail
 * alone.
 */
export async function deliver(
  settings: EndpointSettings,
  items: readonly Item[],
  options: DeliveryOptions
): Promise<Outcome[]> {
  const url = bulkEventsUrl(settings)
  const clientSideId = clientSideIdOf(settings)
  // The time of sending, for events whose timestamp is missing or cannot be read.
  const sentAt = Date.now()
  const outcomes: Outcome[] = new Array(items.length)
  const pending: Pending[] = []
  items.forEach((item, index) => {
    if (isEcho({ environment: item.environment }, clientSideId)) {
      outcomes[index] = failure('echo', 400, ECHO_MESSAGE)
      return
    }
    let event: LaunchDarklyEvent
    try {
      event = toLaunchDarklyEvent(item.kind, item.fields, sentAt)
    } catch (error) {
      if (!(error instanceof MappingError)) throw error
      outcomes[index] = failure('invalid', 400, `Cannot build a LaunchDarkly ${item.kind} event: ${error.message}`)
      return
    }
    const json = JSON.stringify(event)
    // Without a messageId the event's content keeps the payload ID stable across retries.
    const messageId = typeof item.messageId === 'string' && item.messageId !== '' ? item.messageId : json
    pending.push({ index, event, json, bytes: utf8Length(json), messageId })
  })
  await sendAll(pending, outcomes, { ...options, url })
  return outcomes
}

/** Bytes of the JSON array of `count` events whose own JSON takes `eventBytes`. */
const bodyBytes = (eventBytes: number, count: number): number => eventBytes + count + 1

/**
 * One request for everything; after a 413, pieces sized by a binary search on the body
 * size LaunchDarkly accepts: each refusal lowers the ceiling, each acceptance raises the
 * floor, and each piece is the run of events whose body comes nearest the middle. Once
 * the range is narrower than an event, every piece is as large as is known to pass. A
 * batch LaunchDarkly takes in pieces of k events costs at most ⌈n/k⌉ + ⌈log2 n⌉
 * requests; an event too large alone is sent alone at once and fails alone, and a later
 * event at least that large fails without a request.
 */
async function sendAll(
  pending: readonly Pending[],
  outcomes: Outcome[],
  options: DeliveryOptions & { url: string }
): Promise<void> {
  let fits = 0 // largest body known to be accepted
  let refused = Infinity // smallest body known to be refused with 413
  let refusedAlone = Infinity // smallest single-event body refused with 413
  let next = 0
  while (next < pending.length) {
    const first = pending[next]
    if (bodyBytes(first.bytes, 1) >= refusedAlone) {
      outcomes[first.index] = tooLarge({})
      next++
      continue
    }
    const { count, bytes } = nextPiece(pending, next, fits, refused)
    const piece = pending.slice(next, next + count)
    const size = bodyBytes(bytes, count)
    const answer = await postPiece(piece, options)
    if ('status' in answer && answer.status === 413) {
      refused = Math.min(refused, size)
      if (fits >= refused) fits = 0
      if (count > 1) continue
      refusedAlone = Math.min(refusedAlone, size)
      outcomes[first.index] = tooLarge({ sent: first.event, body: answer.body })
      next++
      continue
    }
    if ('status' in answer && answer.status >= 200 && answer.status < 300) fits = Math.max(fits, size)
    let last: Outcome | undefined
    for (const item of piece) outcomes[item.index] = last = outcomeOf(answer, item.event)
    next += count
    // A refused client-side ID, a rate limit or an outage holds for the rest of the batch
    // too: the events not yet sent share the outcome instead of adding requests to it.
    if (last && !last.ok && (last.settlement === 'retryable' || last.reason === 'client-side-id')) {
      const { sent: _sent, body: _body, ...shared } = last
      for (const item of pending.slice(next)) outcomes[item.index] = shared
      return
    }
  }
}

/**
 * How many events from `start` go in the next piece: all of them until LaunchDarkly has
 * refused a size; then the run whose body is nearest the middle of what is known (the
 * largest body accepted, the smallest refused), staying below the refused size.
 */
function nextPiece(
  pending: readonly Pending[],
  start: number,
  fits: number,
  refused: number
): { count: number; bytes: number } {
  const target = fits >= refused ? fits : (fits + refused) / 2
  let best = { count: 1, bytes: pending[start].bytes }
  let bytes = best.bytes
  // An event that alone reaches the middle goes alone: if it is too large, it fails at once.
  for (let count = 2; bodyBytes(bytes, 1) < target && start + count <= pending.length; count++) {
    bytes += pending[start + count - 1].bytes
    const size = bodyBytes(bytes, count)
    if (size >= refused) break
    const previous = bodyBytes(best.bytes, best.count)
    if (Math.abs(size - target) <= Math.abs(previous - target)) best = { count, bytes }
    if (size >= target) break
  }
  return best
}

type Answer = { status: number; body: string | JsonObject } | { failure: Failure }

async function postPiece(piece: readonly Pending[], options: DeliveryOptions & { url: string }): Promise<Answer> {
  const ids = piece.map((item) => item.messageId)
  let response: PostResponse
  try {
    response = await options.post({
      url: options.url,
      headers: {
        'Content-Type': 'application/json',
        'X-LaunchDarkly-Event-Schema': API_VERSION,
        'User-Agent': options.userAgent,
        // Same messageIds, same ID: LaunchDarkly discards a payload it has already taken.
        'X-LaunchDarkly-Payload-ID': payloadIdFor(ids, options.hash)
      },
      body: `[${piece.map((item) => item.json).join(',')}]`
    })
  } catch (error) {
    return { failure: transportFailure(error) }
  }
  return { status: response.status, body: parsedBody(response.body) }
}

function outcomeOf(answer: Answer, sent: LaunchDarklyEvent): Outcome {
  if ('failure' in answer) return { ...answer.failure, sent }
  const { status, body } = answer
  if (status >= 200 && status < 300) return { ok: true, settlement: 'delivered', status, sent, body }
  const reply = { sent, body }
  if (status === 401 || status === 403 || status === 404) {
    return failure(
      'client-side-id',
      status,
      `LaunchDarkly did not accept the client-side ID (HTTP ${status}). ${CLIENT_SIDE_ID_HELP}`,
      reply
    )
  }
  if (status === 429) {
    return failure(
      'rate-limited',
      status,
      'LaunchDarkly is rate limiting event ingestion (HTTP 429); Segment will retry.',
      reply
    )
  }
  if (status >= 500) {
    return failure(
      'unavailable',
      status,
      `LaunchDarkly's event ingestion API failed (HTTP ${status}); Segment will retry.`,
      reply
    )
  }
  // LaunchDarkly's own explanation, short enough for Segment's event delivery view.
  const detail = explanationOf(body)
  return failure(
    'rejected',
    status,
    `LaunchDarkly rejected the events (HTTP ${status})${detail ? `: ${detail}` : '.'}`,
    reply
  )
}

function tooLarge(reply: Pick<Failure, 'sent' | 'body'>): Failure {
  return failure(
    'too-large',
    413,
    "The event is too large for LaunchDarkly's event ingestion API (HTTP 413), even sent alone.",
    reply
  )
}

/** No response at all: the client's error names a timeout, or the connection failed. */
function transportFailure(error: unknown): Failure {
  const { name, code, type } = (error ?? {}) as { name?: unknown; code?: unknown; type?: unknown }
  const timedOut =
    name === 'TimeoutError' ||
    name === 'RequestTimeoutError' ||
    name === 'AbortError' ||
    code === 'ETIMEDOUT' ||
    type === 'request-timeout'
  if (timedOut) return failure('timeout', 408, 'LaunchDarkly did not answer in time; Segment will retry.')
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code
  const why = typeof cause === 'string' ? cause : typeof code === 'string' ? code : 'no response'
  return failure('unreachable', 503, `Could not reach LaunchDarkly's event ingestion API (${why}); Segment will retry.`)
}

function parsedBody(text: string): string | JsonObject {
  if (!text.startsWith('{')) return text
  try {
    const parsed: unknown = JSON.parse(text)
    return isObject(parsed) ? parsed : text
  } catch {
    return text
  }
}
