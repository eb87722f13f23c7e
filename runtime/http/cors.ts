// CORS for LaunchDarkly's browser SDKs, on the client-side route only (docs/relay.md).
// A browser posts an SDK's events only after a preflight whose answer allows every header
// the SDK sends: `X-LaunchDarkly-Tags` (application tags), the user agent, payload ID,
// event schema and wrapper headers, and any other `X-LaunchDarkly-*` a later SDK adds. A
// preflight that asks for any other header is answered without it, and the browser drops
// that SDK's events: the relay says so in its log and on the inspector page.

/** Headers the SDKs send besides their own `X-LaunchDarkly-*` ones. */
const SDK_HEADERS = ['content-type', 'content-encoding']
const LAUNCHDARKLY_HEADER = /^x-launchdarkly-[a-z0-9-]{1,64}$/
/** A preflight asking for more than this many headers is answered for the first ones only. */
const MAX_REQUESTED = 32

/** On every answer of the client-side route: v3 of the JavaScript SDK reads `Date` from its answers. */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Date'
} as const

export interface Preflight {
  /** The answer's headers. */
  readonly headers: Record<string, string>
  /** Requested headers the answer does not allow (at most 200 characters each), in request order. */
  readonly refused: readonly string[]
}

/** The answer to a preflight that asks for `requested` (its Access-Control-Request-Headers). */
export function preflight(requested: string | string[] | undefined): Preflight {
  const names = (Array.isArray(requested) ? requested.join(',') : requested ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
    .slice(0, MAX_REQUESTED)
  const allowed = new Set(SDK_HEADERS)
  const refused: string[] = []
  for (const name of names) {
    if (LAUNCHDARKLY_HEADER.test(name)) allowed.add(name)
    else if (!allowed.has(name)) refused.push(name.slice(0, 200))
  }
  return {
    headers: {
      ...CORS_HEADERS,
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': [...allowed].join(', ')
    },
    refused
  }
}

/** What the log line and the inspector say of a preflight with refused headers. */
export function refusedWarning(refused: readonly string[]): string {
  const names = refused.map((name) => JSON.stringify(name)).join(', ')
  return (
    `the preflight asks for ${refused.length === 1 ? 'header' : 'headers'} ${names}, which the relay does not allow: ` +
    "the browser will drop this SDK's events (allowed: Content-Type, Content-Encoding and X-LaunchDarkly-*)"
  )
}
