// What the relay reads when it starts, and how startup fails: one line that names the
// variable (or the command) to change, and exit code 1.

import { existsSync, readFileSync } from 'fs'
import { dirname, join } from 'path'
import type { RuntimeConfig } from './config/variables'

/** Startup stopped: the message names the variable to change. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StartupError'
  }
}

/** The folder holding package.json: the repository, also when running from dist/runtime/. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return join(from, '..')
  }
}

export const PROJECT_ROOT = projectRoot(__dirname)
export const BUILT_FUNCTION = join(PROJECT_ROOT, 'dist', 'sources', 'launchdarkly.js')

export function readBuiltFunction(): string {
  if (!existsSync(BUILT_FUNCTION)) throw new StartupError(`${BUILT_FUNCTION} is missing: run \`npm run build\` first`)
  return readFileSync(BUILT_FUNCTION, 'utf8')
}

/** Why the relay cannot listen, naming HOST or PORT. */
export function listenProblem(error: NodeJS.ErrnoException, config: RuntimeConfig): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `PORT ${config.port} is in use on ${config.host} (EADDRINUSE): stop the other process or set PORT to a free port`
    case 'EACCES':
      return `PORT ${config.port} needs privileges this process lacks (EACCES): set PORT to 1024 or above`
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `HOST ${config.host} is not an address of this machine (${error.code}): set HOST to one, such as 127.0.0.1 or 0.0.0.0`
    default:
      return `the relay cannot listen on ${config.host}:${config.port} (${
        error.code ?? error.message
      }): check HOST and PORT`
  }
}
