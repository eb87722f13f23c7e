// The local runtime's configuration, from environment variables (SPEC 6).

import { join } from 'path'

/** Source function settings, named as in dist/sources/launchdarkly.settings.json. */
export interface SourceSettings {
  projectId?: string
  environmentId?: string
  projectKey?: string
  accessToken?: string
  apiBaseUrl?: string
  webhookSecret?: string
  ingestToken?: string
  includeCustomData?: boolean
}

/** Environment variable → source setting. */
export const SETTING_VARIABLES: ReadonlyArray<[string, keyof SourceSettings, string]> = [
  ['LD_PROJECT_ID', 'projectId', 'project ID for payloads that carry none'],
  ['LD_ENVIRONMENT_ID', 'environmentId', 'environment (client-side) ID for payloads that carry none; on `/events/bulk/{id}` the path\'s ID is used when this is unset'],
  ['LD_PROJECT_KEY', 'projectKey', 'project key for variation-name lookups'],
  ['LD_ACCESS_TOKEN', 'accessToken', 'LaunchDarkly API access token (reader) for variation names'],
  ['LD_API_BASE_URL', 'apiBaseUrl', 'LaunchDarkly API base URL (default `https://app.launchdarkly.com`)'],
  ['LD_WEBHOOK_SECRET', 'webhookSecret', 'audit-log webhook signing secret'],
  ['LD_INGEST_TOKEN', 'ingestToken', 'when set, every delivery must carry it as `?token=` or `Authorization: Bearer`'],
  ['LD_INCLUDE_CUSTOM_DATA', 'includeCustomData', '`true` to export custom events\' `data`']
]

export interface RuntimeConfig {
  host: string
  port: number
  settings: SourceSettings
  /** Where the embedded sink writes segment-events.ndjson. */
  dataDir: string
  segmentWriteKey?: string
  segmentHost?: string
  /** LaunchDarkly's events service (or a Relay Proxy) to pass SDK requests on to. */
  forwardEventsTo?: string
}

export const DEFAULT_PORT = 8787

export function configFromEnv(env: NodeJS.ProcessEnv, projectRoot: string): RuntimeConfig {
  const settings: SourceSettings = {}
  for (const [variable, name] of SETTING_VARIABLES) {
    const value = env[variable]?.trim()
    if (!value) continue
    if (name === 'includeCustomData') settings.includeCustomData = value === 'true' || value === '1'
    else settings[name] = value
  }
  const forwardEventsTo = env.LD_FORWARD_EVENTS_TO?.trim() || undefined
  if (forwardEventsTo !== undefined && !/^https?:\/\/[^/]/.test(forwardEventsTo)) {
    throw new Error(`LD_FORWARD_EVENTS_TO must be an http(s) URL such as https://events.launchdarkly.com, found ${JSON.stringify(forwardEventsTo)}`)
  }
  const port = env.PORT === undefined || env.PORT === '' ? DEFAULT_PORT : Number(env.PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, found ${JSON.stringify(env.PORT)}`)
  return {
    host: '127.0.0.1',
    port,
    settings,
    dataDir: env.LD_SEGMENT_DATA_DIR || join(projectRoot, '.data'),
    segmentWriteKey: env.SEGMENT_WRITE_KEY || undefined,
    segmentHost: env.SEGMENT_HOST || undefined,
    forwardEventsTo
  }
}
