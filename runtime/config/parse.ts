// Reading the environment into a RuntimeConfig, strictly: a value that is not accepted
// stops startup with a message naming the variable and what it accepts.

import { readFileSync } from 'fs'
import { isAbsolute, join } from 'path'
import {
  acceptedBy,
  DEFAULT_HOST,
  DEFAULT_PORT,
  fileVariableOf,
  isSecret,
  RuntimeConfig,
  Variable,
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

/** The parsed value, or a string saying why the text is refused. */
function parse(variable: Variable, text: string): { value: unknown } | { refused: true } {
  const refused = { refused: true } as const
  switch (variable.kind) {
    case 'port': {
      const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN
      return port <= 65535 ? { value: port } : refused
    }
    case 'seconds': {
      const seconds = /^\d{1,5}$/.test(text) ? Number(text) : NaN
      return seconds <= 86_400 ? { value: seconds } : refused
    }
    case 'choice': {
      const value = text.toLowerCase()
      return variable.values?.includes(value) ? { value } : refused
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
    case 'proxy': {
      let url: URL | undefined
      try {
        url = new URL(text)
      } catch {
        url = undefined
      }
      return url && (url.protocol === 'http:' || url.protocol === 'https:') ? { value: text } : refused
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

/** Reads a secret's file; the message names the variable, never the file's content. */
export type ReadSecretFile = (path: string) => string

/**
 * Reads every variable strictly: a value that is not accepted stops startup, naming the
 * variable. A secret may come from the file `<NAME>_FILE` names instead (not both).
 */
export function configFromEnv(
  env: NodeJS.ProcessEnv,
  projectRoot: string,
  readSecretFile: ReadSecretFile = (path) => readFileSync(path, 'utf8')
): RuntimeConfig {
  const problems: ConfigProblem[] = []
  const config: RuntimeConfig = { host: DEFAULT_HOST, port: DEFAULT_PORT, settings: {}, dataDir: '.data' }
  const fields = config as unknown as Record<string, unknown>
  for (const variable of VARIABLES) {
    const read = textOf(variable, env, readSecretFile)
    if ('problem' in read) {
      problems.push(read.problem)
      continue
    }
    const text = read.text
    if (!text) continue
    const parsed = parse(variable, text)
    if (!('value' in parsed)) {
      // A secret's value is never echoed, not even to the console.
      const found = isSecret(variable) ? '' : `, found ${JSON.stringify(text)}`
      problems.push({ variable: variable.name, message: `${variable.name} must be ${acceptedBy(variable)}${found}` })
    } else if ('setting' in variable.field) config.settings[variable.field.setting] = parsed.value as string | boolean
    else fields[variable.field.config] = parsed.value
  }
  if (problems.length) throw new ConfigError(problems)
  config.dataDir = isAbsolute(config.dataDir) ? config.dataDir : join(projectRoot, config.dataDir)
  return config
}

/** A variable's text: its value, or the content of the file its `_FILE` twin names. */
function textOf(
  variable: Variable,
  env: NodeJS.ProcessEnv,
  readSecretFile: ReadSecretFile
): { text?: string } | { problem: ConfigProblem } {
  const text = (env[variable.name] ?? (variable.lowerCaseToo ? env[variable.name.toLowerCase()] : undefined))?.trim()
  const fileVariable = fileVariableOf(variable)
  const path = fileVariable ? env[fileVariable]?.trim() : undefined
  if (!fileVariable || !path) return { text }
  // Named by the _FILE variable: unsetting it leaves a configuration that parses (doctor does).
  const problem = (message: string) => ({ problem: { variable: fileVariable, message } })
  if (text) return problem(`${variable.name} and ${fileVariable} are both set: set one of them`)
  try {
    const content = readSecretFile(path).trim()
    return content ? { text: content } : problem(`${fileVariable} names an empty file`)
  } catch (error) {
    // The code only: the message would quote the path, which a log may not show.
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name
    return problem(`${fileVariable} names a file this process cannot read (${code})`)
  }
}
