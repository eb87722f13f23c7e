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
  logCalls?: boolean
  functionInstances?: number
  /** Where accepted calls go: unset, the outbox with a write key, else the NDJSON file (loopback only). */
  sink?: 'ndjson' | 'segment'
  /** On SIGTERM, how long /readyz fails while requests are still served, before the relay stops. */
  drainSeconds?: number
  logLevel?: LogLevel
  /** Unset: text on a terminal, JSON otherwise. */
  logFormat?: LogFormat
  /** How often an info line sums up the requests since the last one; 0: never. */
  logSummarySeconds?: number
  /** A port of its own for GET /metrics (then not served on PORT). */
  metricsPort?: number
  /** Proxies for outbound requests (HTTP_PROXY, HTTPS_PROXY), and the hosts reached directly (NO_PROXY). */
  httpProxy?: string
  httpsProxy?: string
  noProxy?: readonly string[]
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const LOG_FORMATS = ['json', 'text'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_SEGMENT_HOST = 'https://api.segment.io'
export const DEFAULT_OUTBOX_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_FUNCTION_INSTANCES = 4
export const DEFAULT_LOG_LEVEL: LogLevel = 'info'
export const DEFAULT_LOG_SUMMARY_SECONDS = 60

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
  | 'seconds'
  | 'choice'
  | 'proxy'
  | 'text'

export interface Variable {
  readonly name: string
  /** Where the parsed value goes: a RuntimeConfig field, or a source setting. */
  readonly field: { config: keyof RuntimeConfig } | { setting: SettingName }
  readonly kind: Kind
  /** As shown in the docs table and the banner. */
  readonly default?: string
  /** The values a `choice` takes (matched without regard to case). */
  readonly values?: readonly string[]
  /** Also read under its lower-case name, as tools read the proxy variables (the upper case wins). */
  readonly lowerCaseToo?: true
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
    description: 'folder of the NDJSON sink, or of the outbox with `SEGMENT_WRITE_KEY`'
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
      "also pass every authenticated SDK request on, in the background, to this events service (e.g. `https://events.launchdarkly.com` or a Relay Proxy), with the SDK's own `Authorization` and without `token`"
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
    name: 'LD_LOG_CALLS',
    field: { config: 'logCalls' },
    kind: 'boolean',
    default: 'false',
    description: 'also log every emitted Segment call (at `info`)'
  },
  {
    name: 'LD_SINK',
    field: { config: 'sink' },
    kind: 'choice',
    values: ['segment', 'ndjson'],
    description:
      'where accepted calls go: `segment` (the outbox, needs `SEGMENT_WRITE_KEY`) or `ndjson` (a file in the data folder that grows without bound); unset: `segment` when `SEGMENT_WRITE_KEY` is set, else `ndjson`, which a relay listening beyond loopback refuses to start with unless asked for'
  },
  {
    name: 'LD_DRAIN_SECONDS',
    field: { config: 'drainSeconds' },
    kind: 'seconds',
    default: '0',
    description:
      'on SIGTERM, how long `/readyz` answers 503 while requests are still served (so load balancers move traffic away) before the relay stops accepting'
  },
  {
    name: 'LD_METRICS_PORT',
    field: { config: 'metricsPort' },
    kind: 'port',
    description: 'serve `GET /metrics` on this port (on `HOST`) instead of on `PORT`'
  },
  {
    name: 'LOG_LEVEL',
    field: { config: 'logLevel' },
    kind: 'choice',
    values: LOG_LEVELS,
    default: DEFAULT_LOG_LEVEL,
    description:
      '`debug`: a line per request; `info`: the periodic summary, startup and outbox news; `warn`: failures; `error`: what lost a delivery or a bug'
  },
  {
    name: 'LOG_FORMAT',
    field: { config: 'logFormat' },
    kind: 'choice',
    values: LOG_FORMATS,
    description: 'log lines as JSON objects (one a line) or as text; unset: text on a terminal, JSON otherwise'
  },
  {
    name: 'LOG_SUMMARY_SECONDS',
    field: { config: 'logSummarySeconds' },
    kind: 'seconds',
    default: String(DEFAULT_LOG_SUMMARY_SECONDS),
    description: 'how often an `info` line sums up the requests answered since the last one (`0`: never)'
  },
  {
    name: 'HTTPS_PROXY',
    field: { config: 'httpsProxy' },
    kind: 'proxy',
    lowerCaseToo: true,
    description:
      'proxy for outbound https requests (Segment, LaunchDarkly forwards, the REST API lookups); `HTTP_PROXY` when unset; its password is treated as a secret'
  },
  {
    name: 'HTTP_PROXY',
    field: { config: 'httpProxy' },
    kind: 'proxy',
    lowerCaseToo: true,
    description: 'proxy for outbound http requests (and https ones without `HTTPS_PROXY`)'
  },
  {
    name: 'NO_PROXY',
    field: { config: 'noProxy' },
    kind: 'list',
    lowerCaseToo: true,
    description:
      'comma-separated hosts reached without the proxy: names (`.example.com` or `example.com` for it and its subdomains), IP addresses, `host:port`, or `*` for all'
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
const ACCEPTED: Record<Exclude<Kind, 'choice'>, string> = {
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
  proxy: 'an http(s) URL, with a user and password if the proxy needs them (such as http://proxy.internal:3128)',
  seconds: 'a whole number of seconds from 0 to 86400'
}

/** What a variable accepts: its kind's values, or its own for a choice. */
export function acceptedBy(variable: Variable): string {
  if (variable.kind !== 'choice') return ACCEPTED[variable.kind]
  const values = variable.values ?? []
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`
}

export function isSecret(variable: Variable): boolean {
  return variable.kind === 'secret' || variable.kind === 'secret-list'
}

/** A secret can also come from a file, as container platforms mount them: `<NAME>_FILE` names it. */
export function fileVariableOf(variable: Variable): string | undefined {
  return isSecret(variable) ? `${variable.name}_FILE` : undefined
}
