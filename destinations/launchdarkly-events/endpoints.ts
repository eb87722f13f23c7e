// Where the destination talks to LaunchDarkly, from its settings (design §5).

import { IntegrationError } from '@segment/actions-core'
import type { Settings } from './generated-types'

export const DEFAULT_EVENTS_BASE_URL = 'https://events.launchdarkly.com'
export const DEFAULT_SDK_BASE_URL = 'https://clientsdk.launchdarkly.com'

/** Pasted IDs often carry stray whitespace; LaunchDarkly's never do. */
export function clientSideIdOf(settings: Settings): string {
  // Segment validates settings before an event reaches an action; other callers may not.
  const id = typeof settings.clientSideId === 'string' ? settings.clientSideId.trim() : ''
  if (!id) throw new IntegrationError('The Client-side ID setting is empty.', 'INVALID_SETTINGS', 400)
  return id
}

// Segment fills defaults in only when a destination is created in its UI; settings
// passed any other way may omit them.
function baseUrl(value: string | undefined, fallback: string, setting: string): string {
  const base = (value ?? '').trim() || fallback
  let url: URL
  try {
    url = new URL(base)
  } catch {
    url = new URL('invalid:')
  }
  // A bad URL would otherwise surface as a transport error, which is retried in vain.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new IntegrationError(`The ${setting} setting must be an http(s) URL.`, 'INVALID_SETTINGS', 400)
  }
  return base.replace(/\/+$/, '')
}

/** LaunchDarkly's client-side bulk events endpoint, where browsers' SDKs send events. */
export function bulkEventsUrl(settings: Settings): string {
  const base = baseUrl(settings.eventsBaseUrl, DEFAULT_EVENTS_BASE_URL, 'Events base URL')
  return `${base}/events/bulk/${encodeURIComponent(clientSideIdOf(settings))}`
}

/** Answers 200 for a known client-side ID and 404 for an unknown one. */
export function goalsUrl(settings: Settings): string {
  const base = baseUrl(settings.sdkBaseUrl, DEFAULT_SDK_BASE_URL, 'Client SDK base URL')
  return `${base}/sdk/goals/${encodeURIComponent(clientSideIdOf(settings))}`
}
