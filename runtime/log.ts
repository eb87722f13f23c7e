// The relay's log (docs/relay.md "Logs"): pino, at LOG_LEVEL, as JSON lines or as text
// (LOG_FORMAT; unset, text on a terminal and JSON otherwise), on stdout through
// stdout-lines.ts. Every finished line is redacted, whatever wrote it: no configured
// secret, nor 8 characters of one, reaches the log.

import pino from 'pino'
import { redact } from '../shared'
import { DEFAULT_LOG_LEVEL, LogFormat, LogLevel, RuntimeConfig } from './config/variables'
import { writeLine } from './stdout-lines'

export type LogFields = Record<string, unknown>

export interface Log {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** Whether a line at this level would be written (so nothing is built for nobody). */
  enabled(level: LogLevel): boolean
}

export interface LogOptions {
  level?: LogLevel
  format: LogFormat
  /** Kept out of every line. */
  secrets: readonly string[]
  /** Where each finished line goes, without its newline; stdout by default. */
  output?: (line: string) => void
}

/** LOG_FORMAT, or text when stdout is a terminal (a person reads it) and JSON otherwise (a collector does). */
export function logFormatOf(
  config: Pick<RuntimeConfig, 'logFormat'>,
  isTerminal = process.stdout.isTTY === true
): LogFormat {
  return config.logFormat ?? (isTerminal ? 'text' : 'json')
}

export function createLog(options: LogOptions): Log {
  const output = options.output ?? writeLine
  // In a JSON line a secret may appear escaped (a quote or backslash in it): both forms are hidden.
  const secrets = [...new Set(options.secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].filter(Boolean)
  const text = options.format === 'text'
  const destination = {
    write(line: string): void {
      let out = line.endsWith('\n') ? line.slice(0, -1) : line
      if (text) out = textLine(out)
      output(secrets.length ? redact(out, secrets) : out)
    }
  }
  const logger = pino(
    {
      level: options.level ?? DEFAULT_LOG_LEVEL,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) }
    },
    destination
  )
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void =>
      fields ? logger[level](fields, '%s', message) : logger[level]('%s', message)
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    enabled: (level) => logger.isLevelEnabled(level)
  }
}

/** A JSON line as a person reads it: time, level, message (the message says what the fields hold). */
function textLine(json: string): string {
  const { time, level, msg } = JSON.parse(json) as { time: string; level: string; msg: string }
  return `${time} ${level.toUpperCase().padEnd(5)} ${msg}`
}
