// Where the destination talks to LaunchDarkly, from its settings (design §5). Framework-free:
// the Actions destination and the destination function both read their URLs here.

export const DEFAULT_EVENTS_BASE_URL = 'https://events.launchdarkly.com'
export const DEFAULT_SDK_BASE_URL = 'https://clientsdk.launchdarkly.com'

/** The settings these URLs are made of; both destinations name them alike. */
export interface EndpointSettings {
  readonly clientSideId?: unknown
  readonly eventsBaseUrl?: unknown
  readonly sdkBaseUrl?: unknown
}

/** A setting that cannot work as given: not retryable, the user has to change it. */
export class SettingsError extends Error {
  constructor(readonly setting: keyof EndpointSettings, message: string) {
    super(message)
    this.name = 'SettingsError'
  }
}

/** Pasted IDs often carry stray whitespace; LaunchDarkly's never do. */
export function clientSideIdOf(settings: EndpointSettings): string {
  // Segment validates settings before an event reaches an action; other callers may not.
  const id = typeof settings.clientSideId === 'string' ? settings.clientSideId.trim() : ''
  if (!id) throw new SettingsError('clientSideId', 'The Client-side ID setting (clientSideId) is empty.')
  return id
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/**
 * A base URL setting, normalised. Data leaves over https only: a plain-http URL is sent
 * over https, as a browser would for a site that requires it, except to a loopback host
 * (a local LaunchDarkly stand-in or Relay Proxy). Segment fills defaults in only when a
 * destination is created in its UI; settings passed any other way may omit them.
 */
export function baseUrl(value: unknown, fallback: string, setting: 'eventsBaseUrl' | 'sdkBaseUrl'): string {
  const given = typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback
  let url: URL | undefined
  try {
    url = new URL(given)
  } catch {
    url = undefined
  }
  // A bad URL would otherwise surface as a transport error, which is retried in vain.
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new SettingsError(setting, `The ${setting} setting must be an https URL, such as ${fallback}.`)
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new SettingsError(
      setting,
      `The ${setting} setting must be a base URL without credentials, query or fragment, such as ${fallback}.`
    )
  }
  const scheme = url.protocol === 'http:' && LOOPBACK.test(url.hostname) ? 'http:' : 'https:'
  return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}`
}

/**
 * Refuses a plain-http URL to a host that is not local: the events would go over https
 * anyway (baseUrl), so Test connection says so instead of leaving a TLS error to surface
 * on every delivery (a Relay Proxy without TLS, say).
 */
export function checkHttps(settings: EndpointSettings): void {
  for (const setting of ['eventsBaseUrl', 'sdkBaseUrl'] as const) {
    const value = settings[setting]
    if (typeof value !== 'string' || !/^\s*http:/i.test(value)) continue
    let host = ''
    try {
      host = new URL(value.trim()).hostname
    } catch {
      continue
    }
    if (!LOOPBACK.test(host))
      throw new SettingsError(
        setting,
        `The ${setting} setting must be an https URL: plain http is used only for a local host (localhost, 127.0.0.1, [::1]), so requests to ${host} would go over https.`
      )
  }
}

/** LaunchDarkly's client-side bulk events endpoint, where browsers' SDKs send events. */
export function bulkEventsUrl(settings: EndpointSettings): string {
  const base = baseUrl(settings.eventsBaseUrl, DEFAULT_EVENTS_BASE_URL, 'eventsBaseUrl')
  return `${base}/events/bulk/${encodeURIComponent(clientSideIdOf(settings))}`
}

/** Answers 200 for a known client-side ID and 404 for an unknown one. */
export function goalsUrl(settings: EndpointSettings): string {
  const base = baseUrl(settings.sdkBaseUrl, DEFAULT_SDK_BASE_URL, 'sdkBaseUrl')
  return `${base}/sdk/goals/${encodeURIComponent(clientSideIdOf(settings))}`
}
