// The relay's process (`npm start`, `node dist/runtime/server.js`, the container's
// command; docs/relay.md, docs/operations.md): its configuration from the environment,
// the outbound proxies, the banner, and the signals that stop it. What it runs is wired
// in relay.ts.

import { ConfigError, configFromEnv } from './config/parse'
import type { RuntimeConfig } from './config/variables'
import { LocalRuntime, startRuntime } from './relay'
import { useProxies } from './proxy'
import { PROJECT_ROOT, StartupError } from './startup'

async function main(): Promise<void> {
  let runtime: LocalRuntime
  let config: RuntimeConfig
  let proxies: string | undefined
  try {
    config = configFromEnv(process.env, PROJECT_ROOT)
    proxies = useProxies(config)
    runtime = await startRuntime({ config })
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof StartupError)) throw error
    console.error(`relay: cannot start:\n${error.message.replace(/^/gm, '  ')}`)
    process.exit(1)
  }
  runtime.announce()
  if (proxies) runtime.log.info(proxies)
  const drainMs = (config.drainSeconds ?? 0) * 1000
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: stop now. Accepted calls are on disk already.
      runtime.log.warn(`${signal} again: stopping without waiting`)
      process.exit(1)
    }
    stopping = true
    // Ctrl+C is a person at a terminal: no load balancer to wait for.
    const drain = signal === 'SIGTERM' ? drainMs : 0
    runtime.log.info(`${signal}: ${drain ? 'draining, then ' : ''}finishing in-flight requests, flushing, stopping`)
    runtime.drain(drain).then(
      () => process.exit(0),
      (error) => {
        runtime.log.error(`shutdown failed: ${(error as Error).message}`)
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
