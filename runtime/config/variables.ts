// The relay's configuration (docs/relay.md "Variables"). Two tables declare every
// variable once: the source function's settings (LD_* named after them: projectId →
// LD_PROJECT_ID) and the relay's own variables below. The parser (parse.ts), the startup
// banner, the warnings and the table in docs/relay.md (report.ts) all derive from them.

import { DEFAULT_API_BASE_URL, SETTINGS, SettingName } from '../../sources/launchdarkly/settings'
import { SETTING_TEXT } from '../../sources/launchdarkly/settings-text'
import { DEFAULT_EVENTS_BASE_URL, DEFAULT_SDK_BASE_URL } from '../../destinations/launchdarkly-events/endpoints'

/** Source function settings, named as in dist/sources/launchdarkly.settings.json. */
export type SourceSettings = { [name in SettingName]?: string | boolean }

/** The environment variable of a function's setting: `LD_` and the name in SCREAMING_SNAKE_CASE. */
export function variableOf(setting: string): string {
  return 'LD_' + setting.replace(/[A-Z]/g, (letter) => '_' + letter).toUpperCase()
}

export interface RuntimeConfig {
  host: string
  port: number
  /** Handed to the source function on each delivery (never `ingestToken`: the relay authenticates). */
  settings: SourceSettings
  /** Where the NDJSON sink, or the outbox, lives. */
  dataDir: string
  /** Any one of these authenticates a request; empty: no authentication. */
  ingestTokens?: readonly string[]
  /** Client-side IDs accepted on /events/bulk/{id}; empty: any. */
  clientSideIds?: readonly string[]
  /** Beyond loopback, accept any client-side ID on /events/bulk/{id} all the same (refused at startup otherwise). */
  anyClientSideId?: boolean
  segmentWriteKey?: string
  segmentHost?: string
  /** LaunchDarkly's events service (or a Relay Proxy) to pass SDK requests on to. */
  forwardEventsTo?: string
  /** Where the destination routes send events, and check client-side IDs. */
  eventsBaseUrl?: string
  sdkBaseUrl?: string
  /** The destination function's settings (its eventsBaseUrl is the one above). */
  clientSideId?: string
  sendTrackAsCustom?: boolean
  sendAliasEvents?: boolean
  outboxMaxBytes?: number
  forwardOutboxMaxBytes?: number
  /** An outbox holding records that settles none for this long is reported stalled. */
  outboxStalledAfterMs?: number
  logCalls?: boolean
  functionInstances?: number
  /** Connection limits (node's server.headersTimeout, requestTimeout, keepAliveTimeout, maxConnections). */
  headersTimeoutMs?: number
  requestTimeoutMs?: number
  keepAliveTimeoutMs?: number
  maxConnections?: number
}

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_SEGMENT_HOST = 'https://api.segment.io'
export const DEFAULT_OUTBOX_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_FUNCTION_INSTANCES = 4
export const DEFAULT_FORWARD_OUTBOX_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** Above the 60 s that load balancers commonly keep an idle connection (AWS ALB, nginx). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000
export const DEFAULT_MAX_CONNECTIONS = 1000

export type Kind =
  | 'host'
  | 'port'
  | 'path'
  | 'secret'
  | 'url'
  | 'list'
  | 'secret-list'
  | 'size'
  | 'boolean'
  | 'count'
  | 'limit'
  | 'duration'
  | 'text'

export interface Variable {
  readonly name: string
  /** Where the parsed value goes: a RuntimeConfig field, or a source setting. */
  readonly field: { config: keyof RuntimeConfig } | { setting: SettingName }
  readonly kind: Kind
  /** As shown in the docs table and the banner. */
  readonly default?: string
  readonly description: string
}

/** The relay's own variables (the source settings' LD_* variables are added from SETTINGS). */
const RUNTIME_VARIABLES: readonly Variable[] = [
  {
    name: 'HOST',
    field: { config: 'host' },
    kind: 'host',
    default: DEFAULT_HOST,
    description: 'address to listen on; `0.0.0.0` for every interface (set `LD_INGEST_TOKEN` then)'
  },
  {
    name: 'PORT',
    field: { config: 'port' },
    kind: 'port',
    default: String(DEFAULT_PORT),
    description: 'port to listen on'
  },
  {
    name: 'LD_SEGMENT_DATA_DIR',
    field: { config: 'dataDir' },
    kind: 'path',
    default: '.data',
    description:
      'folder of the NDJSON sink, or of the outbox with `SEGMENT_WRITE_KEY`, and of the forward outbox; one relay at a time holds it (`relay.lock`)'
  },
  {
    name: 'SEGMENT_WRITE_KEY',
    field: { config: 'segmentWriteKey' },
    kind: 'secret',
    description:
      "a Segment source's write key: calls go through the on-disk outbox to Segment instead of the NDJSON file"
  },
  {
    name: 'SEGMENT_HOST',
    field: { config: 'segmentHost' },
    kind: 'url',
    default: DEFAULT_SEGMENT_HOST,
    description: "Segment's Tracking API (`/v1/batch` is appended)"
  },
  {
    name: 'LD_OUTBOX_MAX_BYTES',
    field: { config: 'outboxMaxBytes' },
    kind: 'size',
    default: '256MiB',
    description: 'outbox size past which new deliveries get 503 with `Retry-After`'
  },
  {
    name: 'LD_FORWARD_EVENTS_TO',
    field: { config: 'forwardEventsTo' },
    kind: 'url',
    description:
      "also pass every SDK request the relay accepted (2xx) on to this events service (e.g. `https://events.launchdarkly.com` or a Relay Proxy), through an outbox of its own on disk, with the SDK's own `Authorization` and without `token`"
  },
  {
    name: 'LD_FORWARD_OUTBOX_MAX_BYTES',
    field: { config: 'forwardOutboxMaxBytes' },
    kind: 'size',
    default: '256MiB',
    description: 'size of the outbox of forwards past which new SDK deliveries get 503 with `Retry-After`'
  },
  {
    name: 'LD_OUTBOX_STALLED_AFTER',
    field: { config: 'outboxStalledAfterMs' },
    kind: 'duration',
    default: '5m',
    description: '`/healthz` answers 503 `stalled` when an outbox holds records and has settled none for this long'
  },
  {
    name: 'LD_CLIENT_SIDE_IDS',
    field: { config: 'clientSideIds' },
    kind: 'list',
    description:
      "comma-separated client-side IDs accepted on `/events/bulk/{id}` (the ID in the path is the events' environment); unset: any ID, without a token, and a relay listening beyond loopback refuses to start unless `LD_ACCEPT_ANY_CLIENT_SIDE_ID` is set"
  },
  {
    name: 'LD_ACCEPT_ANY_CLIENT_SIDE_ID',
    field: { config: 'anyClientSideId' },
    kind: 'boolean',
    default: 'false',
    description:
      'with `HOST` beyond loopback and no `LD_CLIENT_SIDE_IDS`: start anyway, accepting events for any client-side ID (any page can then label its events with any environment)'
  },
  {
    name: 'LD_EVENTS_BASE_URL',
    field: { config: 'eventsBaseUrl' },
    kind: 'url',
    default: DEFAULT_EVENTS_BASE_URL,
    description: 'where the destination routes send events (a request cannot choose another `eventsBaseUrl`)'
  },
  {
    name: 'LD_SDK_BASE_URL',
    field: { config: 'sdkBaseUrl' },
    kind: 'url',
    default: DEFAULT_SDK_BASE_URL,
    description: 'where the destination routes check a client-side ID (`/authenticate`)'
  },
  {
    name: 'LD_CLIENT_SIDE_ID',
    field: { config: 'clientSideId' },
    kind: 'text',
    description:
      'destination function setting `clientSideId`: the environment `/destination-functions/launchdarkly-events` sends to'
  },
  {
    name: 'LD_SEND_TRACK_AS_CUSTOM',
    field: { config: 'sendTrackAsCustom' },
    kind: 'boolean',
    default: 'true',
    description: 'destination function setting `sendTrackAsCustom`: other track calls become custom events'
  },
  {
    name: 'LD_SEND_ALIAS_EVENTS',
    field: { config: 'sendAliasEvents' },
    kind: 'boolean',
    default: 'false',
    description:
      'destination function setting `sendAliasEvents`: identify and alias calls become legacy alias events (SDKs before contexts)'
  },
  {
    name: 'LD_FUNCTION_INSTANCES',
    field: { config: 'functionInstances' },
    kind: 'count',
    default: String(DEFAULT_FUNCTION_INSTANCES),
    description: 'warm instances of the source function, so deliveries run concurrently'
  },
  {
    name: 'LD_HEADERS_TIMEOUT',
    field: { config: 'headersTimeoutMs' },
    kind: 'duration',
    default: '10s',
    description: 'a connection that has not sent its request headers within this time is closed (408)'
  },
  {
    name: 'LD_REQUEST_TIMEOUT',
    field: { config: 'requestTimeoutMs' },
    kind: 'duration',
    default: '30s',
    description:
      'a request not received whole (headers and body) within this time is closed (408); at least `LD_HEADERS_TIMEOUT`'
  },
  {
    name: 'LD_KEEP_ALIVE_TIMEOUT',
    field: { config: 'keepAliveTimeoutMs' },
    kind: 'duration',
    default: '65s',
    description:
      "how long an idle keep-alive connection stays open; keep it above your load balancer's idle timeout (60 s on most, 600 s on Google Cloud's)"
  },
  {
    name: 'LD_MAX_CONNECTIONS',
    field: { config: 'maxConnections' },
    kind: 'limit',
    default: String(DEFAULT_MAX_CONNECTIONS),
    description: 'connections open at once; past it a new connection is closed at once'
  },
  {
    name: 'LD_LOG_CALLS',
    field: { config: 'logCalls' },
    kind: 'boolean',
    default: 'false',
    description: 'also log every emitted Segment call'
  }
]

/** How the relay reads some source settings: a list of tokens, URLs checked as URLs. */
const SETTING_KINDS: Partial<Record<SettingName, Kind>> = { ingestToken: 'secret-list', apiBaseUrl: 'url' }

const SETTING_DESCRIPTIONS: Partial<Record<SettingName, string>> = {
  ingestToken:
    'comma-separated tokens; a request must carry one (`?token=`, `Authorization: Bearer`, and on SDK routes `Authorization: <key>` or `api_key <key>`, so SDK keys can be listed)'
}

function settingKind(setting: (typeof SETTINGS)[number]): Kind {
  return SETTING_KINDS[setting.name] ?? (setting.type === 'BOOLEAN' ? 'boolean' : setting.sensitive ? 'secret' : 'text')
}

/** Every variable the relay reads, in the order the docs and the banner list them. */
export const VARIABLES: readonly Variable[] = [
  ...RUNTIME_VARIABLES,
  ...SETTINGS.map((setting) => ({
    name: variableOf(setting.name),
    // The relay authenticates with LD_INGEST_TOKEN itself; the function never sees it.
    field: setting.name === 'ingestToken' ? { config: 'ingestTokens' as const } : { setting: setting.name },
    kind: settingKind(setting),
    ...(setting.type === 'BOOLEAN' ? { default: 'false' } : {}),
    ...(setting.name === 'apiBaseUrl' ? { default: DEFAULT_API_BASE_URL } : {}),
    description:
      SETTING_DESCRIPTIONS[setting.name] ?? `source setting \`${setting.name}\`: ${SETTING_TEXT[setting.name].label}`
  }))
]

/** What each kind of variable accepts, as messages and the docs table say it. */
export const ACCEPTED: Record<Kind, string> = {
  host: 'an IP address or host name, such as 127.0.0.1 or 0.0.0.0',
  port: 'a whole number from 0 to 65535',
  path: 'a folder path',
  secret: 'any text',
  text: 'any text',
  url: 'an http(s) URL such as https://example.com',
  list: 'a comma-separated list',
  'secret-list': 'a comma-separated list',
  size: 'a whole number of bytes, optionally followed by KiB, MiB or GiB (such as 256MiB)',
  boolean: 'true, false, 1 or 0',
  count: 'a whole number from 1 to 64',
  limit: 'a whole number from 1 to 1000000',
  duration: 'a whole number followed by ms, s, m or h (a bare number is seconds), such as 10s or 5m'
}

export function isSecret(variable: Variable): boolean {
  return variable.kind === 'secret' || variable.kind === 'secret-list'
}
