// The defaults of the relay's variables (relay-variables.ts), and the values some of them take.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const LOG_FORMATS = ['json', 'text'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_SEGMENT_HOST = 'https://api.segment.io'
export const DEFAULT_OUTBOX_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_FUNCTION_INSTANCES = 4
export const DEFAULT_FORWARD_OUTBOX_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_HEADERS_TIMEOUT_SECONDS = 10
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30
/** Above the 60 s that load balancers commonly keep an idle connection (AWS ALB, nginx). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS = 65
export const DEFAULT_MAX_CONNECTIONS = 1000
export const DEFAULT_LOG_LEVEL: LogLevel = 'info'
export const DEFAULT_LOG_SUMMARY_SECONDS = 60
