// The source function's settings (design §4.1), declared once: this list is what the
// function reads on each invocation, what the local runtime reads from its LD_*
// environment variables, and, with the UI text of settings-text.ts, what the build
// writes to dist/sources/launchdarkly.settings.json for the Segment UI.

import { own } from '../../shared'
import type { SettingDeclaration } from '../../shared'

export const DEFAULT_API_BASE_URL = 'https://app.launchdarkly.com'

export const SETTINGS = [
  { name: 'projectId', type: 'STRING', sensitive: false },
  { name: 'environmentId', type: 'STRING', sensitive: false },
  { name: 'projectKey', type: 'STRING', sensitive: false },
  { name: 'accessToken', type: 'STRING', sensitive: true },
  { name: 'apiBaseUrl', type: 'STRING', sensitive: false },
  { name: 'webhookSecret', type: 'STRING', sensitive: true },
  { name: 'ingestToken', type: 'STRING', sensitive: true },
  { name: 'includeCustomData', type: 'BOOLEAN', sensitive: false }
] as const satisfies ReadonlyArray<Pick<SettingDeclaration, 'name' | 'type' | 'sensitive'>>

type Declared = (typeof SETTINGS)[number]
export type SettingName = Declared['name']

/** The settings after normalization: trimmed strings, empty ones absent. */
export type SourceSettings = {
  readonly [S in Declared as S['name']]?: S['type'] extends 'BOOLEAN' ? boolean : string
} & {
  /** Never empty, no trailing slash. */
  readonly apiBaseUrl: string
  readonly includeCustomData: boolean
}

type Raw = Record<string, unknown>

/** Segment sends settings as strings; a pasted value often carries stray whitespace. */
function text(raw: Raw, name: string): string | undefined {
  const value = own(raw, name)
  const trimmed = typeof value === 'string' ? value.trim() : typeof value === 'number' ? '' + value : ''
  return trimmed === '' ? undefined : trimmed
}

/** The Segment UI sends booleans as booleans; the local runtime's env variables as text. */
function flag(raw: Raw, name: string): boolean {
  const value = own(raw, name)
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true')
}

/** Reads the settings object of one invocation (never kept between invocations). */
export function readSettings(settings: unknown): SourceSettings {
  const raw: Raw = typeof settings === 'object' && settings !== null ? (settings as Raw) : {}
  const out: Record<string, string | boolean> = {}
  for (const { name, type } of SETTINGS) {
    const value = type === 'BOOLEAN' ? flag(raw, name) : text(raw, name)
    if (value !== undefined) out[name] = value
  }
  out.apiBaseUrl =
    (typeof out.apiBaseUrl === 'string' ? out.apiBaseUrl.replace(/\/+$/, '') : '') || DEFAULT_API_BASE_URL
  return out as SourceSettings
}

/** The values of the sensitive settings, to be kept out of every log line and error. */
export function secretsOf(settings: SourceSettings): string[] {
  const secrets: string[] = []
  for (const setting of SETTINGS) {
    const value = setting.sensitive ? settings[setting.name] : undefined
    if (value !== undefined) secrets.push(value)
  }
  return secrets
}
