// Outbound proxies (docs/operations.md "Network"): Node's fetch reads neither HTTPS_PROXY
// nor NO_PROXY, so every outbound call (Segment's batch API, forwards to LaunchDarkly,
// the source function's REST lookups through the sandbox's fetch) would bypass a
// corporate proxy. undici's EnvHttpProxyAgent, made the process's global dispatcher, is
// what Node's own fetch then sends through: one place for all of them.

import { EnvHttpProxyAgent, setGlobalDispatcher } from 'undici'
import { configFromEnv } from './config/parse'
import { RuntimeConfig, VARIABLES } from './config/variables'

/** Sends the process's fetches through the configured proxies; says what it did (for the log), or undefined. */
export function useProxies(config: Pick<RuntimeConfig, 'httpProxy' | 'httpsProxy' | 'noProxy'>): string | undefined {
  const { httpProxy, httpsProxy, noProxy } = config
  if (!httpProxy && !httpsProxy) return undefined
  // The agent announces itself as experimental on stderr, once per process: the version is
  // pinned and its behaviour tested here (__tests__/runtime/proxy.test.ts), so that line is not shown.
  const emitWarning = process.emitWarning
  process.emitWarning = () => undefined
  try {
    setGlobalDispatcher(
      new EnvHttpProxyAgent({
        // An empty string means "no proxy" to undici: the variables were read already (config/parse.ts).
        httpProxy: httpProxy ?? '',
        httpsProxy: httpsProxy ?? httpProxy,
        noProxy: noProxy?.join(',') ?? ''
      })
    )
  } finally {
    process.emitWarning = emitWarning
  }
  const through = [
    httpsProxy && 'https through HTTPS_PROXY',
    httpProxy && `http${httpsProxy ? '' : '(s)'} through HTTP_PROXY`
  ]
  return `outbound requests: ${through.filter(Boolean).join(', ')}${
    noProxy?.length ? `; directly to NO_PROXY's ${noProxy.length} host${noProxy.length === 1 ? '' : 's'}` : ''
  }`
}

/** The variables useProxies reads, under both their names. */
const PROXY_VARIABLES = VARIABLES.filter((v) => v.lowerCaseToo).flatMap((v) => [v.name, v.name.toLowerCase()])

/**
 * For the scripts (replay, doctor), whose other variables are their own: the proxy
 * variables alone, read as the relay reads them (a refused value throws ConfigError).
 */
export function useProxiesFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const proxies = Object.fromEntries(
    PROXY_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]])
  )
  return useProxies(configFromEnv(proxies, process.cwd()))
}
