// Delivery to LaunchDarkly's event ingestion API (design §5), shared by every action:
// mapped payloads → LaunchDarkly events (the core module's reverse mapping) → one POST
// per batch → a status for every event. perform and performBatch are thin wrappers.

import {
  APIError,
  ErrorCodes,
  getErrorCodeFromHttpStatus,
  IntegrationError,
  InvalidAuthenticationError,
  MultiStatusResponse,
  PayloadValidationError,
  RetryableError
} from '@segment/actions-core'
import type { JSONLikeObject, ModifiedResponse, RequestClient } from '@segment/actions-core'
import { isEcho, MappingError, payloadIdFor, toLaunchDarklyEvent } from './core'
import type { ExportKind, LaunchDarklyEvent } from './core'
import { bulkEventsUrl, clientSideIdOf } from './endpoints'
import { schemaFieldsOf } from './fields'
import type { Settings } from './generated-types'

type ErrorType = keyof typeof ErrorCodes

/** Why an event was not delivered. Segment decides retries by `status`. */
export interface Failure {
  readonly ok: false
  readonly reason: 'invalid' | 'echo' | 'client-side-id' | 'too-large' | 'retryable' | 'rejected'
  readonly status: number
  readonly errortype: ErrorType
  readonly message: string
  readonly sent?: LaunchDarklyEvent
  readonly body?: string | JSONLikeObject
}

export interface Delivered {
  readonly ok: true
  readonly status: number
  readonly sent: LaunchDarklyEvent
  readonly body: string | JSONLikeObject
}

export type Outcome = Delivered | Failure

/** What every action sends: the fields of its kind plus the hidden messageId. */
interface MappedPayload {
  messageId?: string
}

interface Pending {
  readonly index: number
  readonly event: LaunchDarklyEvent
  readonly messageId: string
}

const CLIENT_SIDE_ID_HELP =
  'Check the Client-side ID setting: copy it from Project settings → Environments in LaunchDarkly.'

// Sending an exported event back to the environment it came from would count it twice.
const ECHO_MESSAGE =
  'The event came from the LaunchDarkly environment this destination sends to (its environment equals the Client-side ID setting), so it is not sent back: LaunchDarkly would count it twice.'

/**
 * Converts, guards and sends `payloads` as one batch; returns an outcome per payload, in
 * order. Never throws for a single event's sake: events that cannot go fail alone.
 */
export async function deliver(
  request: RequestClient,
  kind: ExportKind,
  settings: Settings,
  payloads: readonly MappedPayload[]
): Promise<Outcome[]> {
  const url = bulkEventsUrl(settings)
  const clientSideId = clientSideIdOf(settings)
  const outcomes: Outcome[] = new Array(payloads.length)
  const pending: Pending[] = []
  payloads.forEach((payload, index) => {
    const fields = schemaFieldsOf(kind, payload)
    if (isEcho(fields, clientSideId)) {
      outcomes[index] = failure('echo', 400, ErrorCodes.PAYLOAD_VALIDATION_FAILED, ECHO_MESSAGE)
      return
    }
    try {
      const event = toLaunchDarklyEvent(kind, fields)
      // Without a messageId (a mapping dropped it) the event's content keeps the payload ID stable across retries.
      pending.push({ index, event, messageId: payload.messageId ?? JSON.stringify(event) })
    } catch (error) {
      if (!(error instanceof MappingError)) throw error
      outcomes[index] = failure(
        'invalid',
        400,
        ErrorCodes.PAYLOAD_VALIDATION_FAILED,
        `Cannot build a LaunchDarkly ${kind} event: ${error.message}`
      )
    }
  })
  await post(request, url, pending, outcomes)
  return outcomes
}

/** One request for `items`; a 413 splits them in halves, each sent the same way. */
async function post(
  request: RequestClient,
  url: string,
  items: readonly Pending[],
  outcomes: Outcome[]
): Promise<void> {
  if (items.length === 0) return
  let response: ModifiedResponse
  try {
    response = await request(url, {
      method: 'post',
      json: items.map((item) => item.event),
      // Same messageIds, same ID: LaunchDarkly discards a batch it has already taken.
      headers: { 'X-LaunchDarkly-Payload-ID': payloadIdFor(items.map((item) => item.messageId)) },
      throwHttpErrors: false
    })
  } catch (error) {
    // With throwHttpErrors off the client rejects only when no response arrived at all.
    const outcome = transportFailure(error)
    for (const item of items) outcomes[item.index] = { ...outcome, sent: item.event }
    return
  }
  if (response.status === 413 && items.length > 1) {
    const half = Math.ceil(items.length / 2)
    await post(request, url, items.slice(0, half), outcomes)
    await post(request, url, items.slice(half), outcomes)
    return
  }
  const body = bodyOf(response)
  for (const item of items) outcomes[item.index] = classify(response.status, body, item.event)
}

function classify(status: number, body: string | JSONLikeObject, sent: LaunchDarklyEvent): Outcome {
  if (status >= 200 && status < 300) return { ok: true, status, sent, body }
  const errortype = getErrorCodeFromHttpStatus(status)
  const answer = { sent, body }
  if (status === 401 || status === 403 || status === 404) {
    return failure(
      'client-side-id',
      status,
      ErrorCodes.INVALID_AUTHENTICATION,
      `LaunchDarkly did not accept the client-side ID (HTTP ${status}). ${CLIENT_SIDE_ID_HELP}`,
      answer
    )
  }
  if (status === 413) {
    return failure(
      'too-large',
      status,
      errortype,
      "The event is too large for LaunchDarkly's event ingestion API (HTTP 413), even sent alone.",
      answer
    )
  }
  if (status === 429) {
    return failure(
      'retryable',
      status,
      errortype,
      'LaunchDarkly is rate limiting event ingestion (HTTP 429); Segment will retry.',
      answer
    )
  }
  if (status >= 500) {
    return failure(
      'retryable',
      status,
      errortype,
      `LaunchDarkly's event ingestion API failed (HTTP ${status}); Segment will retry.`,
      answer
    )
  }
  const detail = messageOf(body)
  return failure(
    'rejected',
    status,
    errortype,
    `LaunchDarkly rejected the events (HTTP ${status})${detail ? `: ${detail}` : '.'}`,
    answer
  )
}

function transportFailure(error: unknown): Failure {
  const { name, code } = (error ?? {}) as { name?: string; code?: string }
  if (name === 'TimeoutError' || name === 'RequestTimeoutError' || code === 'ETIMEDOUT') {
    return failure(
      'retryable',
      408,
      ErrorCodes.REQUEST_TIMEOUT,
      'LaunchDarkly did not answer in time; Segment will retry.'
    )
  }
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code
  const why = typeof cause === 'string' ? cause : typeof code === 'string' ? code : 'no response'
  return failure(
    'retryable',
    503,
    ErrorCodes.RETRYABLE_ERROR,
    `Could not reach LaunchDarkly's event ingestion API (${why}); Segment will retry.`
  )
}

function failure(
  reason: Failure['reason'],
  status: number,
  errortype: ErrorType,
  message: string,
  answer: Pick<Failure, 'sent' | 'body'> = {}
): Failure {
  return { ok: false, reason, status, errortype, message, ...answer }
}

function bodyOf(response: ModifiedResponse): string | JSONLikeObject {
  const data = response.data
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as JSONLikeObject
  return response.content ?? ''
}

/** LaunchDarkly's own explanation, short enough for Segment's event delivery view. */
function messageOf(body: string | JSONLikeObject): string {
  const text = typeof body === 'string' ? body : typeof body.message === 'string' ? body.message : JSON.stringify(body)
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine
}

type RetryableStatus = ConstructorParameters<typeof RetryableError>[1]
const RETRYABLE_STATUSES: readonly number[] = [
  408, 423, 429, 500, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 598, 599
]

/** The actions-core error a single event's failure is thrown as. */
export function errorFor(failed: Failure): Error {
  switch (failed.reason) {
    case 'invalid':
    case 'echo':
      return new PayloadValidationError(failed.message)
    case 'client-side-id':
      return new InvalidAuthenticationError(failed.message)
    case 'too-large':
      return new IntegrationError(failed.message, failed.errortype, failed.status)
    case 'retryable': {
      // RetryableError accepts only the statuses Segment retries; 501 is the odd 5xx out.
      const status = (RETRYABLE_STATUSES.includes(failed.status) ? failed.status : 500) as RetryableStatus
      return new RetryableError(failed.message, status)
    }
    case 'rejected':
      return new APIError(failed.message, failed.status)
  }
}

/** perform: one event, one request; a failure is thrown as its actions-core error. */
export async function sendEvent(
  request: RequestClient,
  kind: ExportKind,
  settings: Settings,
  payload: MappedPayload
): Promise<string | JSONLikeObject> {
  const [outcome] = await deliver(request, kind, settings, [payload])
  if (!outcome.ok) throw errorFor(outcome)
  return outcome.body
}

/** performBatch: one request for the batch (halves after a 413), a status per event. */
export async function sendEvents(
  request: RequestClient,
  kind: ExportKind,
  settings: Settings,
  payloads: readonly MappedPayload[]
): Promise<MultiStatusResponse> {
  const outcomes = await deliver(request, kind, settings, payloads)
  const statuses = new MultiStatusResponse()
  outcomes.forEach((outcome, index) => {
    const sent = outcome.sent as JSONLikeObject | undefined
    if (outcome.ok) {
      statuses.setSuccessResponseAtIndex(index, {
        status: outcome.status,
        sent: sent as JSONLikeObject,
        body: outcome.body
      })
    } else {
      statuses.setErrorResponseAtIndex(index, {
        status: outcome.status,
        errortype: outcome.errortype,
        errormessage: outcome.message,
        ...(sent ? { sent } : {}),
        ...(outcome.body !== undefined ? { body: outcome.body } : {})
      })
    }
  })
  return statuses
}
