// The local runtime's configuration, from environment variables (design §6). The source
// function's settings come from LD_* variables named after them (projectId →
// LD_PROJECT_ID), so the list of settings is the function's own.

import { join } from 'path'
import { SETTINGS, SettingName } from '../sources/launchdarkly/settings'

/** Source function settings, named as in dist/sources/launchdarkly.settings.json. */
export type SourceSettings = { [name in SettingName]?: string | boolean }

/** The environment variable of a function's setting: `LD_` and the name in SCREAMING_SNAKE_CASE. */
export function variableOf(setting: string): string {
  return 'LD_' + setting.replace(/[A-Z]/g, (letter) => '_' + letter).toUpperCase()
}

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
  for (const { name, type } of SETTINGS) {
    const value = env[variableOf(name)]?.trim()
    if (!value) continue
    settings[name] = type === 'BOOLEAN' ? value === 'true' || value === '1' : value
  }
  const forwardEventsTo = env.LD_FORWARD_EVENTS_TO?.trim() || undefined
  if (forwardEventsTo !== undefined && !/^https?:\/\/[^/]/.test(forwardEventsTo)) {
    throw new Error(
      `LD_FORWARD_EVENTS_TO must be an http(s) URL such as https://events.launchdarkly.com, found ${JSON.stringify(
        forwardEventsTo
      )}`
    )
  }
  const port = env.PORT === undefined || env.PORT === '' ? DEFAULT_PORT : Number(env.PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, found ${JSON.stringify(env.PORT)}`)
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
