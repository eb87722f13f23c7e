// The relay's process (`npm start`, `node dist/runtime/server.js`; docs/relay.md): its
// configuration from the environment, the banner, and the signals that stop it. What it
// runs is wired in relay.ts.

import { ConfigError, configFromEnv } from './config/parse'
import { LocalRuntime, startRuntime } from './relay'
import { PROJECT_ROOT, StartupError } from './startup'
import { writeLine } from './stdout-lines'

async function main(): Promise<void> {
  let runtime: LocalRuntime
  try {
    runtime = await startRuntime({ config: configFromEnv(process.env, PROJECT_ROOT) })
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof StartupError)) throw error
    console.error(`relay: cannot start:\n${error.message.replace(/^/gm, '  ')}`)
    process.exit(1)
  }
  // Through the same queue as the log lines, so that lines logged while starting follow it.
  writeLine(runtime.banner())
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      // A second signal: stop now. Accepted calls are on disk already.
      console.error(`${signal} again: stopping without waiting`)
      process.exit(1)
    }
    stopping = true
    writeLine(`${signal}: finishing in-flight requests, flushing, stopping`)
    runtime.close().then(
      () => process.exit(0),
      (error) => {
        console.error(`relay: shutdown failed: ${(error as Error).message}`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`relay: ${(error as Error).message}`)
    process.exit(1)
  })
}
