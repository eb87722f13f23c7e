// The destination function's settings (design §5.4), declared once: what the function reads
// on each invocation, what the local runtime reads from LD_* environment variables, and,
// with the UI text of settings-text.ts, what the build writes to
// dist/destinations/launchdarkly-events.settings.json for the Segment UI.

import type { SettingDeclaration } from '../../shared'
import { DEFAULT_EVENTS_BASE_URL } from '../launchdarkly-events/endpoints'

export const SETTINGS = [
  { name: 'clientSideId', type: 'STRING', required: true, sensitive: false },
  { name: 'eventsBaseUrl', type: 'STRING', required: false, sensitive: false, default: DEFAULT_EVENTS_BASE_URL },
  { name: 'sendTrackAsCustom', type: 'BOOLEAN', required: false, sensitive: false, default: true },
  { name: 'sendAliasEvents', type: 'BOOLEAN', required: false, sensitive: false, default: false }
] as const satisfies ReadonlyArray<
  Pick<SettingDeclaration, 'name' | 'type' | 'required' | 'sensitive'> & { default?: string | boolean }
>

export type SettingName = (typeof SETTINGS)[number]['name']

export interface FunctionSettings {
  /** Trimmed; undefined when empty (the delivery then fails with ValidationError). */
  readonly clientSideId?: string
  readonly eventsBaseUrl: string
  /** Ordinary track calls go out as custom events (the "Track calls as custom events" route). */
  readonly sendTrackAsCustom: boolean
  /** Identify and alias calls go out as legacy alias events (the "Alias users" route). */
  readonly sendAliasEvents: boolean
}

type Raw = Record<string, unknown>

function ownValue(raw: Raw, name: SettingName): unknown {
  return Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined
}

function text(raw: Raw, name: SettingName): string | undefined {
  const value = ownValue(raw, name)
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** Segment sends booleans as booleans; the local runtime's variables as text. Unset means the default. */
function flag(raw: Raw, name: SettingName, fallback: boolean): boolean {
  const value = ownValue(raw, name)
  if (typeof value === 'boolean') return value
  const word = typeof value === 'string' ? value.trim().toLowerCase() : ''
  return word === 'true' ? true : word === 'false' ? false : fallback
}

/** Reads the settings object of one invocation (never kept between invocations). */
export function readSettings(settings: unknown): FunctionSettings {
  const raw: Raw = typeof settings === 'object' && settings !== null ? (settings as Raw) : {}
  return {
    clientSideId: text(raw, 'clientSideId'),
    eventsBaseUrl: text(raw, 'eventsBaseUrl') ?? DEFAULT_EVENTS_BASE_URL,
    sendTrackAsCustom: flag(raw, 'sendTrackAsCustom', true),
    sendAliasEvents: flag(raw, 'sendAliasEvents', false)
  }
}
