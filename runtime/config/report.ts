// What the configuration means, said to the user: the secrets it holds (kept out of every
// line and answer), the startup warnings, the settings in effect, the docs table.

import { SETTINGS, SettingName } from '../../sources/launchdarkly/settings'
import { acceptedBy, fileVariableOf, isSecret, RuntimeConfig, Variable, variableOf, VARIABLES } from './variables'

/** Every secret the configuration holds: kept out of logs, answers and forwarded requests. */
export function secretsOf(config: RuntimeConfig): string[] {
  const secrets = [...(config.ingestTokens ?? [])]
  if (config.segmentWriteKey) secrets.push(config.segmentWriteKey)
  for (const proxy of [config.httpsProxy, config.httpProxy]) {
    const password = proxy ? new URL(proxy).password : ''
    if (password) secrets.push(password, decodeURIComponent(password))
  }
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
 * Why the relay must not start, if it must not (each reason a line): beyond loopback, a
 * client-side route open to any ID lets any page send events labelled with any
 * environment, and an NDJSON file nobody asked for grows until the disk is full.
 */
export function startupRefusal(config: RuntimeConfig): string | undefined {
  const reasons: string[] = []
  const exposed = !isLoopback(config.host)
  if (exposed && !(config.clientSideIds ?? []).length && !config.anyClientSideId)
    reasons.push(
      `HOST is ${config.host}, beyond loopback, and LD_CLIENT_SIDE_IDS is not set: /events/bulk/{id} would accept events for any client-side ID, ` +
        "each labelled with the path's environment. Set LD_CLIENT_SIDE_IDS to your client-side IDs, or LD_ACCEPT_ANY_CLIENT_SIDE_ID=true to accept any"
    )
  if (config.sink === 'segment' && !config.segmentWriteKey)
    reasons.push("LD_SINK is segment but SEGMENT_WRITE_KEY is not set: set it to your Segment source's write key")
  if (exposed && config.sink === undefined && !config.segmentWriteKey)
    reasons.push(
      `HOST is ${config.host}, beyond loopback, and SEGMENT_WRITE_KEY is not set: every call would go to the NDJSON file in LD_SEGMENT_DATA_DIR, which grows without bound. ` +
        'Set SEGMENT_WRITE_KEY to send them to Segment, or LD_SINK=ndjson to keep that file on purpose'
    )
  return reasons.length ? reasons.join('\n') : undefined
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
    if (variable.kind === 'proxy') return withoutPassword(String(value))
    return Array.isArray(value) ? value.join(',') : String(value)
  }
  const width = Math.max(...VARIABLES.map((v) => v.name.length))
  return VARIABLES.map((variable) => `${variable.name.padEnd(width)}  ${shown(variable)}`)
}

/** A proxy URL as shown: its password never. */
function withoutPassword(text: string): string {
  const url = new URL(text)
  if (!url.password) return text
  url.password = '***'
  return url.href
}

/** The Markdown table of docs/relay.md (a test keeps the two equal). */
export function variablesTable(): string {
  const accepted = (v: Variable): string => {
    const file = fileVariableOf(v)
    return file ? `${acceptedBy(v)}; or \`${file}\`: a file holding it` : acceptedBy(v)
  }
  const rows = VARIABLES.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === undefined ? '' : `\`${v.default}\``} | ${accepted(v)} | ${v.description} |`
  )
  return ['| variable | default | accepted values | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** A message naming a source setting also names its variable: "the environmentId setting (LD_ENVIRONMENT_ID)". */
export function withVariableNames(text: string): string {
  return text.replace(/\bthe (\w+) setting\b/g, (whole, name: string) =>
    SETTINGS.some((s) => s.name === name) ? `${whole} (${variableOf(name as SettingName)})` : whole
  )
}
