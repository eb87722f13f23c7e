// Which handler answers a request (docs/relay.md "Routes"), and the CORS that browsers'
// SDKs need on the client-side route (http/cors.ts), and nothing else gets.

import { CORS_HEADERS, preflight, refusedWarning } from './http/cors'
import { Answer, failure, Handler } from './http/responses'
import { DESTINATION_FUNCTION_PATH, DESTINATION_PREFIX, sourceRouteOf, STATUS_PATHS } from './http/routes'

interface RouteHandlers {
  /** Every source route: LaunchDarkly deliveries. */
  deliveries: Handler
  destination: Handler
  destinationFunction: Handler
  banner(): string
  health(): Answer
  live(): Answer
  ready(): Promise<Answer>
  /** Absent when /metrics has a port of its own (LD_METRICS_PORT). */
  metrics?(): Promise<Answer>
}

export function router(handlers: RouteHandlers, stopping: () => boolean): Handler {
  return async (req, target, record) => {
    const { path } = target
    // The probes answer to the end: a stopping relay is alive, and says it is not ready.
    if (req.method === 'GET' && path === STATUS_PATHS.live) return handlers.live()
    if (req.method === 'GET' && path === STATUS_PATHS.ready) return handlers.ready()
    if (stopping()) return failure(503, 'ShuttingDown', 'The relay is stopping', { Connection: 'close' })
    const clientSide = sourceRouteOf(path)?.kind === 'client-side'
    if (req.method === 'OPTIONS') {
      // Preflight for browsers' SDKs on the client-side route, and for nothing else.
      if (!clientSide)
        return failure(
          405,
          'MethodNotAllowed',
          'Cross-origin requests are accepted on /events/bulk/{clientSideId} only'
        )
      const answer = preflight(req.headers['access-control-request-headers'])
      if (answer.refused.length) record.warning = refusedWarning(answer.refused)
      return { status: 204, body: '', headers: answer.headers }
    }
    if (path.startsWith(DESTINATION_PREFIX)) return handlers.destination(req, target, record)
    if (path === DESTINATION_FUNCTION_PATH) return handlers.destinationFunction(req, target, record)
    if (req.method === 'GET' && path === STATUS_PATHS.banner) return { status: 200, body: handlers.banner() }
    if (req.method === 'GET' && path === STATUS_PATHS.health) return handlers.health()
    if (req.method === 'GET' && path === STATUS_PATHS.metrics && handlers.metrics) return handlers.metrics()
    const answer = await handlers.deliveries(req, target, record)
    return clientSide ? { ...answer, headers: { ...answer.headers, ...CORS_HEADERS } } : answer
  }
}
