// Reading the environment into a RuntimeConfig, strictly: a value that is not accepted
// stops startup with a message naming the variable and what it accepts.

import { isAbsolute, join } from 'path'
import {
  ACCEPTED,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_REQUEST_TIMEOUT_MS,
  isSecret,
  Kind,
  RuntimeConfig,
  VARIABLES
} from './variables'

/** One variable whose value is not accepted; the message names it and the accepted values. */
interface ConfigProblem {
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
const DURATION_UNITS: Record<string, number> = { '': 1000, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

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
    case 'limit': {
      const limit = /^\d{1,7}$/.test(text) ? Number(text) : NaN
      return limit >= 1 && limit <= 1_000_000 ? { value: limit } : refused
    }
    case 'duration': {
      const match = /^(\d{1,9})\s*(|ms|s|m|h)$/i.exec(text)
      const ms = match ? Number(match[1]) * DURATION_UNITS[match[2].toLowerCase()] : NaN
      return ms >= 1 && ms <= 2 ** 31 - 1 ? { value: ms } : refused
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
  const headers = config.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS
  const request = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  // Node refuses a headers timeout longer than the request's.
  if (headers > request)
    problems.push({
      variable: 'LD_HEADERS_TIMEOUT',
      message: `LD_HEADERS_TIMEOUT (${headers} ms) must not be longer than LD_REQUEST_TIMEOUT (${request} ms)`
    })
  if (problems.length) throw new ConfigError(problems)
  config.dataDir = isAbsolute(config.dataDir) ? config.dataDir : join(projectRoot, config.dataDir)
  return config
}
