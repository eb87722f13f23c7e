// What the relay answers (docs/relay.md "Answers"): every request gets 2xx, 400, 401,
// 404, 405, 408, 413, 431 or 503, and every error is `{error, message}`. This module maps each
// failure the relay meets to that vocabulary, in one place.

import type { IncomingMessage, ServerResponse } from 'http'
import { STATUS_CODES } from 'http'
import type { DeliveryRecord } from '../feed'
import type { InvocationResult } from '../sandbox/instance'
import type { SinkError } from '../sinks'
import type { RequestTarget } from './routes'

/** Every status the relay answers with. */
export const ANSWER_STATUSES = [200, 202, 204, 400, 401, 404, 405, 408, 413, 431, 503] as const
export type Status = (typeof ANSWER_STATUSES)[number]

export interface Answer {
  status: Status
  /** JSON, or text for the banner and /metrics. */
  body: unknown
  headers?: Record<string, string>
  contentType?: string
}

/** Answers one request; fills in its record (what it read, what became of it) on the way. */
export type Handler = (req: IncomingMessage, target: RequestTarget, record: DeliveryRecord) => Promise<Answer>

/** Seconds a client should wait before retrying a 503 for a full outbox or a failing disk. */
export const RETRY_AFTER_SECONDS = 30

export function failure(status: Status, error: string, message: string, headers?: Record<string, string>): Answer {
  return { status, body: { error, message }, headers }
}

/**
 * The HTTP status the relay answers with for a function's result (design §6): an error
 * that is none of Segment's classes is a bug, answered 503 as Segment retries it.
 */
export function httpStatusFor(result: InvocationResult): 202 | 400 | 401 | 503 {
  if (result.ok) return 202
  switch (result.error.name) {
    case 'InvalidEventPayload':
    case 'EventNotSupported':
      return 400
    case 'ValidationError':
      return 401
    default:
      return 503
  }
}

/** The source function's failure, as Segment would treat it (retried: 503; refused: 400 or 401). */
export function functionFailure(result: InvocationResult & { ok: false }, clean: (text: string) => string): Answer {
  const { name, message } = result.error
  const status = httpStatusFor(result)
  // Not one of Segment's classes: a bug; a retry costs nothing (messageIds are deterministic).
  if (status === 503 && name !== 'RetryError' && name !== 'Timeout')
    return failure(503, 'RetryError', `The source function failed (${name}); retry`)
  return failure(status, name, clean(message))
}

export function sinkFailure(error: SinkError): Answer {
  if (error.errorName === 'InvalidEventPayload') return failure(400, error.errorName, error.message)
  return failure(503, error.errorName, error.message, { 'Retry-After': String(RETRY_AFTER_SECONDS) })
}

export function send(res: ServerResponse, answer: Answer): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
  res.writeHead(answer.status, {
    'Content-Type':
      answer.contentType ?? (typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'),
    'Content-Length': String(Buffer.byteLength(text)),
    ...answer.headers
  })
  res.end(answer.status === 204 ? undefined : text)
}

/** The raw HTTP answer to a request node could not parse (headers too large, bad syntax). */
export function clientErrorAnswer(code: string | undefined): { answer: Answer; raw: string } {
  const answer =
    code === 'HPE_HEADER_OVERFLOW'
      ? failure(431, 'HeadersTooLarge', 'The request headers are larger than the relay accepts (16 KiB)')
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? failure(
          408,
          'RequestTimeout',
          'The request was not received in time (LD_HEADERS_TIMEOUT_SECONDS for its headers, LD_REQUEST_TIMEOUT_SECONDS for all of it)'
        )
      : failure(400, 'InvalidRequest', 'The request could not be read as HTTP/1.1')
  const text = JSON.stringify(answer.body)
  const raw =
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
  return { answer, raw }
}
