// The local destination tools (docs/relay.md "Destination routes"): the actions CLI
// `serve` stand-in at /destinations/launchdarkly-events/ and the destination function at
// /destination-functions/launchdarkly-events. A web page the user has open must not be able
// to drive them: a token when one is set, a loopback Host on a loopback address (DNS
// rebinding), JSON only (a text/plain post needs no preflight), and no CORS.

import type { IncomingMessage } from 'http'
import { redact } from '../../shared'
import type { ActionsServe } from '../actions-serve'
import { isLoopback, isLoopbackHost } from '../config/report'
import type { DestinationFunction } from '../destination-function'
import { DeliveryRecord, INPUT_LIMIT } from '../feed'
import type { Authenticator } from '../http/auth'
import { BodyError, readBody } from '../http/body'
import { Answer, failure, Handler } from '../http/responses'
import { DESTINATION_PREFIX, RequestTarget } from '../http/routes'

interface LocalToolsOptions {
  /** The address the relay listens on. */
  host: string
  auth: Authenticator
  serve: ActionsServe
  /** Undefined when dist/ has no built destination function. */
  destinationFunction?: DestinationFunction
  secrets: readonly string[]
}

export function localToolHandlers(options: LocalToolsOptions): { destination: Handler; destinationFunction: Handler } {
  const { serve, destinationFunction, secrets } = options
  return {
    async destination(req, target, record) {
      const request = await localToolRequest(options, req, target, record)
      if (!('parsed' in request)) return request
      const route = target.path.slice(DESTINATION_PREFIX.length).replace(/\/$/, '')
      const result = await serve.handle(req.method ?? 'GET', route, request.parsed)
      record.requests = result.requests
      const status = result.status as Answer['status']
      // Typed failures are the relay's own words; exchanges quote requests and answers, so
      // the relay's secrets are taken out of their text.
      if (status >= 400) return { status, body: result.body }
      return { status, body: redact(JSON.stringify(result.body), secrets), contentType: 'application/json' }
    },
    async destinationFunction(req, target, record) {
      if (req.method !== 'POST')
        return failure(405, 'MethodNotAllowed', 'POST a Segment message, or an array of them', { Allow: 'POST' })
      const request = await localToolRequest(options, req, target, record)
      if (!('parsed' in request)) return request
      if (!destinationFunction)
        return failure(503, 'NotBuilt', 'dist/destinations/launchdarkly-events.js is missing: run `npm run build`')
      const result = await destinationFunction.run(request.parsed)
      record.requests = result.requests
      return { status: result.status, body: result.body }
    }
  }
}

/** The body of a local tool's POST, parsed, or the answer that refuses the request. */
async function localToolRequest(
  { auth, host }: LocalToolsOptions,
  req: IncomingMessage,
  target: RequestTarget,
  record: DeliveryRecord
): Promise<{ parsed: unknown } | Answer> {
  const verdict = auth.check(undefined, target.query, req.headers.authorization)
  if (!verdict.ok) return failure(401, 'ValidationError', verdict.message)
  if (isLoopback(host) && !isLoopbackHost(req.headers.host))
    return failure(400, 'InvalidHost', 'The destination routes answer only requests addressed to a loopback host')
  if (req.method !== 'POST') return { parsed: undefined }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/json')
    return failure(400, 'UnsupportedMediaType', 'The destination routes take only Content-Type: application/json')
  let text: string
  try {
    text = await readBody(req)
  } catch (error) {
    if (!(error instanceof BodyError)) throw error
    return failure(error.tooLarge ? 413 : 400, error.tooLarge ? 'PayloadTooLarge' : 'InvalidRequest', error.message)
  }
  if (text.length <= INPUT_LIMIT) record.input = text
  try {
    return { parsed: text ? JSON.parse(text) : {} }
  } catch {
    return failure(400, 'InvalidJson', 'The request body is not JSON')
  }
}
