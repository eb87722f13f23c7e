// Relaying: an SDK whose events URI points at the local runtime no longer reaches
// LaunchDarkly, so with LD_FORWARD_EVENTS_TO set the runtime also passes every SDK
// request on, unchanged, to LaunchDarkly's events service (or a Relay Proxy).

import type { IncomingHttpHeaders } from 'http'

/** What SDKs send that the events service reads; hop-by-hop and length headers are not copied. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'user-agent']

export interface ForwardResult {
  status?: number
  error?: string
}

export async function forwardSdkRequest(
  baseUrl: string,
  pathAndQuery: string,
  headers: IncomingHttpHeaders,
  body: string
): Promise<ForwardResult> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    if (FORWARDED_HEADERS.includes(name) || name.startsWith('x-launchdarkly-'))
      out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  try {
    // The body was inflated on arrival; it leaves uncompressed.
    const res = await fetch(new URL(pathAndQuery, baseUrl.replace(/\/+$/, '') + '/'), {
      method: 'POST',
      headers: out,
      body,
      signal: AbortSignal.timeout(10_000)
    })
    await res.arrayBuffer()
    return { status: res.status }
  } catch (error) {
    return {
      error:
        (error as Error).name === 'TimeoutError'
          ? 'no answer within 10 s'
          : String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message)
    }
  }
}
