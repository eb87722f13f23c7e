// LaunchDarkly deliveries (design §6, docs/relay.md "Routes"): a POST on a source route is
// authenticated before its body is read, refused while the sink cannot take it, read
// (gzip undone, bounded), forwarded to LaunchDarkly when configured, run through the built
// source function, and its calls kept by the sink before the 202.

import type { RuntimeConfig } from '../config/variables'
import { INPUT_LIMIT } from '../feed'
import type { Forwarder } from '../forward'
import type { Authenticator } from '../http/auth'
import { BodyError, readBody } from '../http/body'
import { failure, functionFailure, Handler, RETRY_AFTER_SECONDS, sinkFailure } from '../http/responses'
import { sourceRouteOf, withoutToken } from '../http/routes'
import type { RecordedCall } from '../sandbox/calls'
import type { FunctionPool } from '../sandbox/pool'
import { Sink, SinkError } from '../sinks'

export interface DeliveriesOptions {
  /** The function's settings (never `ingestToken`: the relay authenticates). */
  settings: RuntimeConfig['settings']
  auth: Authenticator
  pool: Pick<FunctionPool, 'invoke'>
  sink: Sink
  forwarder?: Forwarder
  /** A reason or message as the relay shows it: variables named, secrets redacted. */
  clean(text: string): string
}

/** The handler of every source route. */
export function deliveriesHandler(options: DeliveriesOptions): Handler {
  const { settings, auth, pool, sink, forwarder, clean } = options
  return async (req, target, record) => {
    const route = sourceRouteOf(target.path)
    if (!route) return failure(404, 'NotFound', `No route for ${target.path}`)
    if (req.method !== 'POST')
      return failure(405, 'MethodNotAllowed', 'LaunchDarkly deliveries are POST requests', { Allow: 'POST' })
    let clientSideId: string | undefined
    if (route.kind === 'client-side') {
      try {
        clientSideId = decodeURIComponent(route.pattern.exec(target.path)?.[2] ?? '')
      } catch {
        return failure(400, 'InvalidPath', 'The client-side ID in the path is not valid percent-encoding')
      }
    }
    // Before the body is read: an unauthenticated caller gets nothing parsed, run or forwarded.
    const verdict = auth.check(route.kind, target.query, req.headers.authorization, clientSideId)
    if (!verdict.ok) return failure(401, 'ValidationError', verdict.message)
    // An outbox at its limit refuses before anything runs; a failing disk is tried again each time.
    const refusal = sink.refusal?.()
    if (refusal) return failure(503, 'OutboxFull', refusal, { 'Retry-After': String(RETRY_AFTER_SECONDS) })

    let body: string
    try {
      body = await readBody(req)
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      return failure(
        error.tooLarge ? 413 : 400,
        error.tooLarge ? 'PayloadTooLarge' : 'InvalidEventPayload',
        error.message
      )
    }
    if (body.length <= INPUT_LIMIT) record.input = body
    const query = withoutToken(target.query)
    // LaunchDarkly gets the SDK's events whatever the function makes of them.
    if (forwarder && route.kind !== 'webhook') forwarder.forward(target.path, query, req.headers, body)

    const invocationSettings = { ...settings }
    // A client-side SDK names its environment in the path; LD_ENVIRONMENT_ID is the server-side SDKs'.
    if (clientSideId) invocationSettings.environmentId = clientSideId
    const result = await pool.invoke(
      { body, headers: req.headers, url: target.path + (query ? `?${query}` : '') },
      invocationSettings
    )
    if (!result.ok) {
      // A delivery that exported nothing still tells what became of each event (the record shows it).
      ;({ skipped: record.skipped, rejected: record.rejected } = summaryOf(result.error.summary, [], clean))
      return functionFailure(result, clean)
    }
    const summary = summaryOf(result.returned, result.calls, clean)
    record.skipped = summary.skipped
    record.rejected = summary.rejected
    try {
      // Like Segment, calls count only once the function has succeeded.
      await sink.deliver(result.calls)
    } catch (error) {
      if (!(error instanceof SinkError)) throw error
      return sinkFailure(error)
    }
    record.calls = result.calls
    record.emitted = result.calls.length
    return { status: 202, body: summary }
  }
}

interface Summary {
  emitted: number
  skipped: Record<string, number>
  rejected: Array<{ index: number; reason: string }>
}

/** The function's summary, its reasons naming variables beside settings. */
function summaryOf(returned: unknown, calls: readonly RecordedCall[], clean: (text: string) => string): Summary {
  const value = (returned ?? {}) as Partial<Summary>
  return {
    emitted: calls.length,
    skipped: value.skipped && typeof value.skipped === 'object' ? value.skipped : {},
    rejected: Array.isArray(value.rejected)
      ? value.rejected.map((r) => ({ index: r.index, reason: clean(String(r.reason)) }))
      : []
  }
}
