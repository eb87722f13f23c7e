// The relay's one front door (design §6): what scripts/ (doctor, replay, deploy, bench)
// use of runtime/, and nothing else; a test keeps scripts/ from reaching past it.

export { WriteFailed } from './append-log'
export { delay } from './delay'
export { ConfigError, configFromEnv } from './config/parse'
export { isLoopback, secretsOf, startupRefusal, warningsOf, withVariableNames } from './config/report'
export {
  DEFAULT_OUTBOX_MAX_BYTES,
  DEFAULT_SEGMENT_HOST,
  fileVariableOf,
  variableOf,
  VARIABLES
} from './config/variables'
export type { RuntimeConfig } from './config/variables'
export { CallTooLarge, Outbox, OutboxFull } from './outbox/outbox'
export type { Appended, BatchReport } from './outbox/outbox'
export { DEAD_LETTER_FILE, DEAD_LETTER_REASONS_FILE } from './outbox/segments'
export { useProxiesFromEnv } from './proxy'
export { startRuntime } from './relay'
export { PAGE_FILES } from './inspector/page'
export { loadFunctionFile } from './sandbox/instance'
export { NDJSON_FILE, OUTBOX_DIR } from './sinks'
export { PROJECT_ROOT } from './startup'
