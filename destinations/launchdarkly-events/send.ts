// The Actions adapter of the delivery core (delivery.ts): actions-core's request client as
// the `post`, mapped payloads as items, and each outcome mapped to actions-core's error
// vocabulary in one place (errorFor, errorTypeOf). perform and performBatch are thin.

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
import type { JSONLikeObject, RequestClient } from '@segment/actions-core'
import type { LaunchDarklyKind } from './mapping'
import { deliver, Failure, Item, Outcome, Post } from './delivery'
import { SettingsError, withOrigins } from './endpoints'
import { schemaFieldsOf } from './fields'
import type { Settings } from './generated-types'
import { environmentOf, valueAt } from './message-rules'
import { USER_AGENT } from './version'

/** What every action sends: the fields of its kind plus the hidden messageId. */
interface MappedPayload {
  messageId?: string
}

/** What perform and performBatch receive, as far as sending needs it. */
interface Input<P> {
  settings: Settings
  payload: P
  /** The Segment message(s) before mapping: the echo guard reads where the event came from. */
  rawData?: unknown
}

type ErrorType = keyof typeof ErrorCodes

/** A setting that cannot work fails every event the same way, without a request and without a retry. */
function asIntegrationError(error: unknown): unknown {
  return error instanceof SettingsError ? new IntegrationError(error.message, 'INVALID_SETTINGS', 400) : error
}

export function settingsErrorFor<T>(run: () => T): T {
  try {
    return run()
  } catch (error) {
    throw asIntegrationError(error)
  }
}

function postWith(request: RequestClient): Post {
  return async ({ url, headers, body }) => {
    const response = await request(url, { method: 'post', headers: { ...headers }, body, throwHttpErrors: false })
    return { status: response.status, body: response.content ?? '' }
  }
}

/**
 * The Segment message behind each payload. In a batch, actions-core drops payloads that
 * fail field validation but passes every message, so the two are matched by messageId
 * when their counts differ.
 */
function environmentsOf(payloads: readonly MappedPayload[], rawData: unknown): unknown[] {
  const messages = Array.isArray(rawData) ? rawData : [rawData]
  if (messages.length === payloads.length) return messages.map(environmentOf)
  const byId = new Map<unknown, unknown>()
  for (const message of messages) {
    const id = valueAt(message, 'messageId')
    if (!byId.has(id)) byId.set(id, environmentOf(message))
  }
  return payloads.map((payload) => byId.get(payload.messageId))
}

async function deliverPayloads(
  request: RequestClient,
  kind: LaunchDarklyKind,
  { settings, payload, rawData }: Input<readonly MappedPayload[]>
): Promise<Outcome[]> {
  const environments = environmentsOf(payload, rawData)
  const items: Item[] = payload.map((mapped, index) => ({
    kind,
    fields: schemaFieldsOf(kind, mapped),
    environment: environments[index],
    messageId: mapped.messageId
  }))
  try {
    return await deliver(withOrigins(settings), items, { post: postWith(request), userAgent: USER_AGENT })
  } catch (error) {
    throw asIntegrationError(error)
  }
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
      return new IntegrationError(failed.message, ErrorCodes.PAYLOAD_TOO_LARGE, failed.status)
    case 'rejected':
      return new APIError(failed.message, failed.status)
    case 'rate-limited':
    case 'unavailable':
    case 'timeout':
    case 'unreachable': {
      // RetryableError accepts only the statuses Segment retries; 501 is the odd 5xx out.
      const status = (RETRYABLE_STATUSES.includes(failed.status) ? failed.status : 500) as RetryableStatus
      return new RetryableError(failed.message, status)
    }
  }
}

/** The multistatus `errortype` of a failure. */
function errorTypeOf(failed: Failure): ErrorType {
  switch (failed.reason) {
    case 'invalid':
    case 'echo':
      return ErrorCodes.PAYLOAD_VALIDATION_FAILED
    case 'client-side-id':
      return ErrorCodes.INVALID_AUTHENTICATION
    case 'timeout':
      return ErrorCodes.REQUEST_TIMEOUT
    case 'unreachable':
      return ErrorCodes.RETRYABLE_ERROR
    default:
      return getErrorCodeFromHttpStatus(failed.status)
  }
}

/** perform: one event, one request; a failure is thrown as its actions-core error. */
export async function sendEvent(
  request: RequestClient,
  kind: LaunchDarklyKind,
  input: Input<MappedPayload>
): Promise<string | JSONLikeObject> {
  const [outcome] = await deliverPayloads(request, kind, { ...input, payload: [input.payload] })
  if (!outcome.ok) throw errorFor(outcome)
  return outcome.body as string | JSONLikeObject
}

/** performBatch: one request for the batch (pieces after a 413), a status per event. */
export async function sendEvents(
  request: RequestClient,
  kind: LaunchDarklyKind,
  input: Input<readonly MappedPayload[]>
): Promise<MultiStatusResponse> {
  const outcomes = await deliverPayloads(request, kind, input)
  const statuses = new MultiStatusResponse()
  outcomes.forEach((outcome, index) => {
    const sent = outcome.sent as JSONLikeObject | undefined
    const body = outcome.body as string | JSONLikeObject | undefined
    if (outcome.ok) {
      statuses.setSuccessResponseAtIndex(index, {
        status: outcome.status,
        sent: sent as JSONLikeObject,
        body: body ?? ''
      })
    } else {
      statuses.setErrorResponseAtIndex(index, {
        status: outcome.status,
        errortype: errorTypeOf(outcome),
        errormessage: outcome.message,
        ...(sent ? { sent } : {}),
        ...(body !== undefined ? { body } : {})
      })
    }
  })
  return statuses
}
