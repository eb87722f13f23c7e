// The relay's routes and the one way a request's path is read (docs/relay.md "Routes").
// The path is normalised before anything is matched: repeated slashes collapse, so
// `//other-host:8080/bulk` is the path `/other-host:8080/bulk` (404), never a host.

/** Who posts to a source route, which decides how it authenticates and whether it is forwarded. */
export type SourceKind = 'webhook' | 'sdk' | 'client-side'

interface SourceRoute {
  pattern: RegExp
  describe: string
  kind: SourceKind
}

/** Paths LaunchDarkly SDKs post events to, so an SDK's events URI can point here. */
export const SOURCE_ROUTES: readonly SourceRoute[] = [
  { pattern: /^\/sources\/launchdarkly\/?$/, describe: '/sources/launchdarkly', kind: 'webhook' },
  { pattern: /^\/bulk\/?$/, describe: '/bulk (server-side SDKs)', kind: 'sdk' },
  { pattern: /^\/diagnostic\/?$/, describe: '/diagnostic (SDK diagnostics: counted as skipped)', kind: 'sdk' },
  { pattern: /^\/mobile(\/events(\/bulk|\/diagnostic)?)?\/?$/, describe: '/mobile (mobile SDKs)', kind: 'sdk' },
  {
    pattern: /^\/events\/(bulk|diagnostic)\/([^/]+)\/?$/,
    describe: '/events/bulk/{clientSideId} (client-side SDKs)',
    kind: 'client-side'
  }
]

export const DESTINATION_PREFIX = '/destinations/launchdarkly-events/'
export const DESTINATION_FUNCTION_PATH = '/destination-functions/launchdarkly-events'
/** The relay's own pages: not deliveries. */
export const STATUS_PATHS = {
  banner: '/',
  health: '/healthz',
  live: '/livez',
  ready: '/readyz',
  metrics: '/metrics'
} as const

/** Probes and scrapes: answered, never logged nor counted (an orchestrator asks every few seconds). */
const QUIET_PATHS: ReadonlySet<string> = new Set([
  STATUS_PATHS.health,
  STATUS_PATHS.live,
  STATUS_PATHS.ready,
  STATUS_PATHS.metrics
])

export function isProbeOrScrape(path: string): boolean {
  return QUIET_PATHS.has(path)
}

/** A bounded label for a path (metrics, log summaries): the route's pattern, never a path a client chose. */
export function routeLabel(path: string): string {
  const source = sourceRouteOf(path)
  if (source) return source.describe.split(' ')[0]
  if (path.startsWith(DESTINATION_PREFIX)) return DESTINATION_PREFIX + '*'
  if (path === DESTINATION_FUNCTION_PATH) return path
  return path === STATUS_PATHS.banner ? path : 'unknown'
}

export interface RequestTarget {
  /** Normalised: one slash between segments, no query. What logs and records show. */
  path: string
  query: URLSearchParams
}

/** Reads a request's target (`req.url`) without ever treating part of it as a host. */
export function targetOf(rawUrl: string | undefined): RequestTarget {
  const raw = rawUrl ?? '/'
  const mark = raw.indexOf('?')
  const rawPath = mark < 0 ? raw : raw.slice(0, mark)
  const path = ('/' + rawPath).replace(/\/{2,}/g, '/')
  return { path, query: new URLSearchParams(mark < 0 ? '' : raw.slice(mark + 1)) }
}

/** The query without the ingest token: what the function and a forward target see. */
export function withoutToken(query: URLSearchParams): string {
  if (!query.has('token')) return query.toString()
  const kept = new URLSearchParams(query)
  kept.delete('token')
  return kept.toString()
}

export function sourceRouteOf(path: string): SourceRoute | undefined {
  return SOURCE_ROUTES.find((route) => route.pattern.test(path))
}
