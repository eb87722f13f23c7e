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

type UrlSetting = 'eventsBaseUrl' | 'sdkBaseUrl'
const URL_SETTINGS: readonly UrlSetting[] = ['eventsBaseUrl', 'sdkBaseUrl']
const DEFAULTS: Record<UrlSetting, string> = {
  eventsBaseUrl: DEFAULT_EVENTS_BASE_URL,
  sdkBaseUrl: DEFAULT_SDK_BASE_URL
}

/**
 * A URL setting, or its default when empty: Segment fills defaults in only when a
 * destination is created in its UI; settings passed any other way may omit them.
 */
function parsedUrl(value: unknown, setting: UrlSetting): URL {
  const given = typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULTS[setting]
  let url: URL | undefined
  try {
    url = new URL(given)
  } catch {
    url = undefined
  }
  // A bad URL would otherwise surface as a transport error, which is retried in vain.
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new SettingsError(setting, `The ${setting} setting must be an https URL, such as ${DEFAULTS[setting]}.`)
  }
  return url
}

/**
 * Data leaves over https only: a plain-http URL is sent over https, as a browser would for
 * a site that requires it, except to a loopback host (a local stand-in or Relay Proxy).
 */
const schemeOf = (url: URL): string => (url.protocol === 'http:' && LOOPBACK.test(url.hostname) ? 'http:' : 'https:')

/** A base URL setting, normalised: the destination function's rule (a path is kept). */
function baseUrl(value: unknown, setting: UrlSetting): string {
  const url = parsedUrl(value, setting)
  if (url.username || url.password || url.search || url.hash) {
    throw new SettingsError(
      setting,
      `The ${setting} setting must be a base URL without credentials, query or fragment, such as ${DEFAULTS[setting]}.`
    )
  }
  return `${schemeOf(url)}//${url.host}${url.pathname.replace(/\/+$/, '')}`
}

/**
 * The Actions destination's settings as it sends with them: each URL cut to its origin (https
 * but to a loopback host, no path, query or credentials). Segment's servers send customer
 * data, and Test connection requests, wherever these point, so nothing else of a URL is
 * used; checkOrigins refuses such a URL when the connection is tested.
 */
export function withOrigins<S extends EndpointSettings>(settings: S): S {
  const cut: Record<string, string> = {}
  for (const setting of URL_SETTINGS) {
    const url = parsedUrl(settings[setting], setting)
    cut[setting] = `${schemeOf(url)}//${url.host}`
  }
  return { ...settings, ...cut }
}

/** Why `given` is not an https origin (scheme, host and port only), or undefined when it is one. */
function originProblem(given: string): string | undefined {
  let url: URL
  try {
    url = new URL(given)
  } catch {
    return 'it is not a URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${url.protocol} is not https`
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname))
    return `plain http is kept only for a local host (localhost, 127.0.0.1, [::1]), not ${url.hostname}`
  if (url.username || url.password) return 'it carries credentials'
  // "https://host?" and "https://host#" parse to an empty query and fragment: look at the text too.
  if (url.search || url.hash || /[?#]/.test(given)) return 'it has a query or fragment'
  if (url.pathname !== '/') return `it has a path (${url.pathname.slice(0, 40)})`
  return undefined
}

/**
 * The Actions destination's rule for its URL settings, checked by Test connection: each
 * names an https origin (plain http only for a loopback host) and nothing more. Its
 * settings' JSON Schema checks that they are URLs (format uri); actions-core carries no
 * `pattern` into that schema, so the rest is checked here.
 */
export function checkOrigins(settings: EndpointSettings): void {
  for (const setting of URL_SETTINGS) {
    const value = settings[setting]
    if (typeof value !== 'string' || value.trim() === '') continue
    const problem = originProblem(value.trim())
    if (problem)
      throw new SettingsError(
        setting,
        `The ${setting} setting must be an https origin, such as ${DEFAULTS[setting]}, without a path, query or credentials: ${problem}.`
      )
  }
}

/** LaunchDarkly's client-side bulk events endpoint, where browsers' SDKs send events. */
export function bulkEventsUrl(settings: EndpointSettings): string {
  const base = baseUrl(settings.eventsBaseUrl, 'eventsBaseUrl')
  return `${base}/events/bulk/${encodeURIComponent(clientSideIdOf(settings))}`
}

/** Answers 200 for a known client-side ID and 404 for an unknown one. */
export function goalsUrl(settings: EndpointSettings): string {
  const base = baseUrl(settings.sdkBaseUrl, 'sdkBaseUrl')
  return `${base}/sdk/goals/${encodeURIComponent(clientSideIdOf(settings))}`
}
