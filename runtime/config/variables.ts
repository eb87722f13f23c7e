// The relay's configuration (docs/relay.md "Variables"). Two tables declare every
// variable once: the source function's settings (LD_* named after them: projectId →
// LD_PROJECT_ID) and the relay's own (relay-variables.ts). The parser (parse.ts), the startup
// banner, the warnings and the table in docs/relay.md (report.ts) all derive from them.

import { DEFAULT_API_BASE_URL, SETTINGS, SettingName } from '../../sources/launchdarkly/settings'
import { SETTING_TEXT } from '../../sources/launchdarkly/settings-text'
import { RUNTIME_VARIABLES } from './relay-variables'
import type { LogFormat, LogLevel } from './defaults'

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
  outboxStalledSeconds?: number
  logCalls?: boolean
  functionInstances?: number
  /** Connection limits (node's server.headersTimeout, requestTimeout, keepAliveTimeout, maxConnections). */
  headersTimeoutSeconds?: number
  requestTimeoutSeconds?: number
  keepAliveTimeoutSeconds?: number
  maxConnections?: number
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

export * from './defaults'

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
  /** A `seconds` value of 0 is refused: it would turn the limit off. */
  readonly positive?: true
  readonly description: string
}

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
  limit: 'a whole number from 1 to 1000000',
  proxy: 'an http(s) URL, with a user and password if the proxy needs them (such as http://proxy.internal:3128)',
  seconds: 'a whole number of seconds from 0 to 86400'
}

/** What a variable accepts: its kind's values, or its own for a choice. */
export function acceptedBy(variable: Variable): string {
  if (variable.positive) return ACCEPTED[variable.kind as Exclude<Kind, 'choice'>].replace(' from 0 ', ' from 1 ')
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
