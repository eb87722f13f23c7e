// The source function's settings (SPEC 4.1): declared once as data, for the Segment UI
// (the build writes them to dist/sources/launchdarkly.settings.json, the deploy sends
// them), and read from whatever Segment hands the function on each invocation.

export interface SettingDeclaration {
  readonly name: string
  readonly label: string
  /** Shown under the field in the Segment UI: written for the person filling it in. */
  readonly description: string
  readonly type: 'STRING' | 'BOOLEAN'
  readonly required: boolean
  /** Sensitive values are masked in the Segment UI once saved. */
  readonly sensitive: boolean
}

export const DEFAULT_API_BASE_URL = 'https://app.launchdarkly.com'

export const SETTINGS: readonly SettingDeclaration[] = [
  {
    name: 'projectId',
    label: 'LaunchDarkly project ID',
    description:
      "ID of the LaunchDarkly project the events belong to (its _id in LaunchDarkly's REST API, the value LaunchDarkly's Data Export sends as project). Used when a delivery names no project: needed for SDK event batches; Data Export records carry their own.",
    type: 'STRING',
    required: false,
    sensitive: false
  },
  {
    name: 'environmentId',
    label: 'LaunchDarkly environment ID (client-side ID)',
    description:
      "Client-side ID of the LaunchDarkly environment the events come from, shown with the environment's SDK keys in LaunchDarkly's project settings. Used when a delivery names no environment: needed for SDK event batches; Data Export records carry their own.",
    type: 'STRING',
    required: false,
    sensitive: false
  },
  {
    name: 'projectKey',
    label: 'LaunchDarkly project key',
    description:
      'Key of the LaunchDarkly project (for example "default"), used to look up variation names. Optional: when empty, the key is found from the project ID with the access token.',
    type: 'STRING',
    required: false,
    sensitive: false
  },
  {
    name: 'accessToken',
    label: 'LaunchDarkly API access token',
    description:
      'A LaunchDarkly API access token with the Reader role. When set, feature events get the name of the variation served (variationName), looked up from the LaunchDarkly REST API and cached for a few minutes. Leave empty to send feature events without variation names.',
    type: 'STRING',
    required: false,
    sensitive: true
  },
  {
    name: 'apiBaseUrl',
    label: 'LaunchDarkly API base URL',
    // Plain text, not a template with DEFAULT_API_BASE_URL: esbuild would then keep this
    // whole declaration in the function bundle, where nothing reads it.
    description:
      "Base URL of the LaunchDarkly REST API for variation-name lookups. Leave empty for https://app.launchdarkly.com; change it only for LaunchDarkly's federal or EU instances or a proxy.",
    type: 'STRING',
    required: false,
    sensitive: false
  },
  {
    name: 'webhookSecret',
    label: 'Audit-log webhook signing secret',
    description:
      'The secret of the LaunchDarkly audit-log webhook (Integrations → Webhooks, with "Sign this webhook" on). When set, audit-log entries must carry a valid X-LD-Signature header. Segment may re-serialize the body of deployed functions, which breaks signatures: prefer the ingest token for deployed functions.',
    type: 'STRING',
    required: false,
    sensitive: true
  },
  {
    name: 'ingestToken',
    label: 'Ingest token',
    description:
      'A secret of your choosing. When set, every delivery must carry it, either in the webhook URL as ?token=<ingest token> or as the header Authorization: Bearer <ingest token>; anything else is refused.',
    type: 'STRING',
    required: false,
    sensitive: true
  },
  {
    name: 'includeCustomData',
    label: 'Include custom event data',
    description:
      "Export the data attached to LaunchDarkly custom events as properties.data. Off by default, like LaunchDarkly's own Data Export, which drops it.",
    type: 'BOOLEAN',
    required: false,
    sensitive: false
  }
]

/** The settings after normalization: trimmed strings, empty ones absent. */
export interface SourceSettings {
  readonly projectId?: string
  readonly environmentId?: string
  readonly projectKey?: string
  readonly accessToken?: string
  /** Never empty, no trailing slash. */
  readonly apiBaseUrl: string
  readonly webhookSecret?: string
  readonly ingestToken?: string
  readonly includeCustomData: boolean
}

type Raw = Record<string, unknown>

/** Segment sends settings as strings; a pasted value often carries stray whitespace. */
function text(raw: Raw, name: string): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined
  const trimmed = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : ''
  return trimmed === '' ? undefined : trimmed
}

/** The Segment UI sends booleans as booleans; the local runtime's env variables as text. */
function flag(raw: Raw, name: string): boolean {
  const value = Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true')
}

/** Reads the settings object of one invocation (never kept between invocations). */
export function readSettings(settings: unknown): SourceSettings {
  const raw: Raw = typeof settings === 'object' && settings !== null ? (settings as Raw) : {}
  const apiBaseUrl = (text(raw, 'apiBaseUrl') ?? '').replace(/\/+$/, '')
  const out: { -readonly [K in keyof SourceSettings]: SourceSettings[K] } = {
    apiBaseUrl: apiBaseUrl || DEFAULT_API_BASE_URL,
    includeCustomData: flag(raw, 'includeCustomData')
  }
  for (const name of ['projectId', 'environmentId', 'projectKey', 'accessToken', 'webhookSecret', 'ingestToken'] as const) {
    const value = text(raw, name)
    if (value !== undefined) out[name] = value
  }
  return out
}

/**
 * The values of the sensitive settings, to be kept out of every log line and error.
 * Named here rather than read from SETTINGS so the descriptions stay out of the bundle.
 */
export const SENSITIVE_SETTINGS = ['accessToken', 'webhookSecret', 'ingestToken'] as const

export function secretsOf(settings: SourceSettings): string[] {
  return SENSITIVE_SETTINGS.map((name) => settings[name]).filter((value): value is string => value !== undefined)
}
