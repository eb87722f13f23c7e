// The relay's configuration, from environment variables (docs/relay.md). Two tables
// declare every variable once: the source function's settings (LD_* named after them:
// projectId → LD_PROJECT_ID) and the relay's own variables below. The parser, the
// startup banner and the table in docs/relay.md all derive from them.

import { isAbsolute, join } from 'path'
import { DEFAULT_API_BASE_URL, SETTINGS, SettingName } from '../sources/launchdarkly/settings'
import { SETTING_TEXT } from '../sources/launchdarkly/settings-text'
import { DEFAULT_EVENTS_BASE_URL, DEFAULT_SDK_BASE_URL } from '../destinations/launchdarkly-events/endpoints'

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
  outboxMaxBytes?: number
  logCalls?: boolean
  functionInstances?: number
}

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_SEGMENT_HOST = 'https://api.segment.io'
export const DEFAULT_OUTBOX_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_FUNCTION_INSTANCES = 4

type Kind = 'host' | 'port' | 'path' | 'secret' | 'url' | 'list' | 'secret-list' | 'size' | 'boolean' | 'count' | 'text'

interface Variable {
  readonly name: string
  /** Where the parsed value goes: a RuntimeConfig field, or a source setting. */
  readonly field: { config: keyof RuntimeConfig } | { setting: SettingName }
  readonly kind: Kind
  /** As shown in the docs table and the banner. */
  readonly default?: string
  readonly description: string
}

/** The relay's own variables (the source settings' LD_* variables are added from SETTINGS). */
export const RUNTIME_VARIABLES: readonly Variable[] = [
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

const ACCEPTED: Record<Kind, string> = {
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
  count: 'a whole number from 1 to 64'
}

/** One variable whose value is not accepted; the message names it and the accepted values. */
export interface ConfigProblem {
  readonly variable: string
  readonly message: string
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((problem) => problem.message).join('\n'))
    this.name = 'ConfigError'
  }
}

const SIZE_UNITS: Record<string, number> = { '': 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }

/** The parsed value, or a string saying why the text is refused. */
function parse(kind: Kind, text: string): { value: unknown } | { refused: true } {
  const refused = { refused: true } as const
  switch (kind) {
    case 'port': {
      const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN
      return port <= 65535 ? { value: port } : refused
    }
    case 'count': {
      const count = /^\d{1,2}$/.test(text) ? Number(text) : NaN
      return count >= 1 && count <= 64 ? { value: count } : refused
    }
    case 'size': {
      const match = /^(\d{1,15})\s*(|kib|mib|gib)$/i.exec(text)
      return match ? { value: Number(match[1]) * SIZE_UNITS[match[2].toLowerCase()] } : refused
    }
    case 'boolean':
      return /^(true|1)$/i.test(text) ? { value: true } : /^(false|0)$/i.test(text) ? { value: false } : refused
    case 'url': {
      let url: URL | undefined
      try {
        url = new URL(text)
      } catch {
        url = undefined
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username)
        return refused
      return { value: text.replace(/\/+$/, '') }
    }
    case 'host':
      return /^[A-Za-z0-9.:_-]+$/.test(text) ? { value: text } : refused
    case 'list':
    case 'secret-list': {
      const items = text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
      return items.length ? { value: items } : refused
    }
    default:
      return { value: text }
  }
}

/** Reads every variable strictly: a value that is not accepted stops startup, naming the variable. */
export function configFromEnv(env: NodeJS.ProcessEnv, projectRoot: string): RuntimeConfig {
  const problems: ConfigProblem[] = []
  const config: RuntimeConfig = { host: DEFAULT_HOST, port: DEFAULT_PORT, settings: {}, dataDir: '.data' }
  const fields = config as unknown as Record<string, unknown>
  for (const variable of VARIABLES) {
    const text = env[variable.name]?.trim()
    if (!text) continue
    const parsed = parse(variable.kind, text)
    if (!('value' in parsed)) {
      // A secret's value is never echoed, not even to the console.
      const found = isSecret(variable) ? '' : `, found ${JSON.stringify(text)}`
      problems.push({ variable: variable.name, message: `${variable.name} must be ${ACCEPTED[variable.kind]}${found}` })
    } else if ('setting' in variable.field) config.settings[variable.field.setting] = parsed.value as string | boolean
    else fields[variable.field.config] = parsed.value
  }
  if (problems.length) throw new ConfigError(problems)
  config.dataDir = isAbsolute(config.dataDir) ? config.dataDir : join(projectRoot, config.dataDir)
  return config
}

function isSecret(variable: Variable): boolean {
  return variable.kind === 'secret' || variable.kind === 'secret-list'
}

/** Every secret the configuration holds: kept out of logs, answers and forwarded requests. */
export function secretsOf(config: RuntimeConfig): string[] {
  const secrets = [...(config.ingestTokens ?? [])]
  if (config.segmentWriteKey) secrets.push(config.segmentWriteKey)
  for (const setting of SETTINGS) {
    const value = config.settings[setting.name]
    if (setting.sensitive && typeof value === 'string' && value) secrets.push(value)
  }
  return secrets
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** Whether a request's Host header names a loopback host (`localhost:8787`, `[::1]`, `127.0.0.1`). */
export function isLoopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
  return isLoopback(name)
}

/**
 * Why the relay must not start, if it must not: beyond loopback, a client-side route open
 * to any ID lets any page send events labelled with any environment.
 */
export function startupRefusal(config: RuntimeConfig): string | undefined {
  if (isLoopback(config.host) || (config.clientSideIds ?? []).length > 0 || config.anyClientSideId) return undefined
  return (
    `HOST is ${config.host}, beyond loopback, and LD_CLIENT_SIDE_IDS is not set: /events/bulk/{id} would accept events for any client-side ID, ` +
    "each labelled with the path's environment. Set LD_CLIENT_SIDE_IDS to your client-side IDs, or LD_ACCEPT_ANY_CLIENT_SIDE_ID=true to accept any"
  )
}

/** What startup warns about: each names the variable and what follows from it. */
export function warningsOf(config: RuntimeConfig): string[] {
  const warnings: string[] = []
  if (!config.settings.projectId)
    warnings.push(
      'LD_PROJECT_ID is not set: SDK events (which name no project) are rejected with 400 until it is set to the LaunchDarkly project ID'
    )
  if (!config.settings.environmentId)
    warnings.push(
      'LD_ENVIRONMENT_ID is not set: SDK events on /bulk and /mobile (which name no environment) are rejected with 400 until it is set to the client-side ID; /events/bulk/{id} uses the ID in its path'
    )
  const tokens = config.ingestTokens ?? []
  if (!isLoopback(config.host) && tokens.length === 0)
    warnings.push(
      `HOST is ${config.host}, not a loopback address, and LD_INGEST_TOKEN is not set: anyone who can reach this port can send events to your Segment source and use the destination routes`
    )
  if (tokens.length > 0 && !(config.clientSideIds ?? []).length)
    warnings.push(
      'LD_CLIENT_SIDE_IDS is not set: /events/bulk/{id} accepts any client-side ID without a token (browsers cannot send one); list your client-side IDs to accept only those'
    )
  return warnings
}

/** The settings in effect, one `NAME  value` line each; secrets only as set / not set. */
export function settingsInEffect(config: RuntimeConfig): string[] {
  const fields = config as unknown as Record<string, unknown>
  const shown = (variable: Variable): string => {
    const value = 'setting' in variable.field ? config.settings[variable.field.setting] : fields[variable.field.config]
    const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
    if (isSecret(variable)) return empty ? 'not set' : Array.isArray(value) ? `set (${value.length})` : 'set'
    if (empty) return variable.default === undefined ? 'not set' : `${variable.default} (default)`
    return Array.isArray(value) ? value.join(',') : String(value)
  }
  const width = Math.max(...VARIABLES.map((v) => v.name.length))
  return VARIABLES.map((variable) => `${variable.name.padEnd(width)}  ${shown(variable)}`)
}

/** The Markdown table of docs/relay.md (a test keeps the two equal). */
export function variablesTable(): string {
  const rows = VARIABLES.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === undefined ? '' : `\`${v.default}\``} | ${ACCEPTED[v.kind]} | ${
        v.description
      } |`
  )
  return ['| variable | default | accepted values | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** A message naming a source setting also names its variable: "the environmentId setting (LD_ENVIRONMENT_ID)". */
export function withVariableNames(text: string): string {
  return text.replace(/\bthe (\w+) setting\b/g, (whole, name: string) =>
    SETTINGS.some((s) => s.name === name) ? `${whole} (${variableOf(name as SettingName)})` : whole
  )
}
