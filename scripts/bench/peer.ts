// Segment's own LaunchDarkly Actions destination, the peer we compare the destination
// with. Its package is large (~105 MB with the AWS SDK it drags in), so rather than
// making every user of the project download it, the bench installs it once, pinned,
// into a cache folder under .data/ and loads it from there.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const PEER_PACKAGE = '@segment/action-destinations'
export const PEER_VERSION = '3.497.0'
export const PEER_CACHE = join(__dirname, '..', '..', '.data', 'bench-peer')

// 3.497.0 pins @aws-sdk/client-kinesis 3.974.0, which the registry does not serve; the
// LaunchDarkly destination never touches Kinesis, so any later client installs the rest.
const OVERRIDES = { '@aws-sdk/client-kinesis': '3.1143.0' }

const MANIFEST = {
  name: 'launchdarkly-segment-bench-peer',
  private: true,
  description: 'Cache for npm run bench: the peer destination, installed on first use.',
  dependencies: { [PEER_PACKAGE]: PEER_VERSION },
  overrides: OVERRIDES
}

/** The peer, loaded from the cache: its destination and its own copy of actions-core. */
export interface Peer {
  version: string
  // Typed loosely on purpose: the peer's actions-core is a different copy (maybe a
  // different version) from ours, so our types do not describe it.
  destination: { actions: Record<string, unknown>; name: string }
  createTestIntegration: (definition: unknown) => {
    testAction(action: string, input: Record<string, unknown>): Promise<unknown[]>
  }
}

export type PeerLoad = { ok: true; peer: Peer; installed: boolean; installMs: number } | { ok: false; reason: string }

function installedVersion(): string | undefined {
  const manifest = join(PEER_CACHE, 'node_modules', PEER_PACKAGE, 'package.json')
  if (!existsSync(manifest)) return undefined
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version
}

/** Installs the pinned peer into the cache unless it is already there. */
function ensureInstalled(
  log: (line: string) => void
): { ok: true; installed: boolean; ms: number } | { ok: false; reason: string } {
  if (installedVersion() === PEER_VERSION) return { ok: true, installed: false, ms: 0 }
  mkdirSync(PEER_CACHE, { recursive: true })
  writeFileSync(join(PEER_CACHE, 'package.json'), JSON.stringify(MANIFEST, null, 2) + '\n')
  log(`Installing ${PEER_PACKAGE}@${PEER_VERSION} into ${PEER_CACHE} (one time, about 105 MB)…`)
  const started = Date.now()
  // --ignore-scripts: nothing of the peer needs a build step to load its destinations,
  // and the bench should not run third-party install scripts.
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: PEER_CACHE,
    encoding: 'utf8',
    timeout: 15 * 60 * 1000
  })
  if (result.status !== 0 || installedVersion() !== PEER_VERSION) {
    // npm's first error lines name the cause (ECONNREFUSED, E404, ETARGET, ...); the rest is advice.
    const lines = (result.error?.message ?? result.stderr ?? '')
      .split('\n')
      .map((line) => line.replace(/^npm error\s*/, '').trim())
    const detail = lines
      .filter((line) => line !== '' && !/complete log|behind a proxy/i.test(line))
      .slice(0, 2)
      .join(' | ')
    return {
      ok: false,
      reason: `npm install of ${PEER_PACKAGE}@${PEER_VERSION} failed (no registry?): ${
        detail || `exit ${result.status}`
      }`
    }
  }
  return { ok: true, installed: true, ms: Date.now() - started }
}

/** Installs on first use, then loads the peer's `launchdarkly` destination. */
export function loadPeer(log: (line: string) => void = () => undefined): PeerLoad {
  const install = ensureInstalled(log)
  if (!install.ok) return install
  const modules = join(PEER_CACHE, 'node_modules')
  try {
    // The destination must run on the actions-core its own package resolves, so both are
    // required from the cache, never from the project's node_modules.
    const peerRoot = join(modules, PEER_PACKAGE)
    const destinationPath = require.resolve(join(peerRoot, 'dist', 'destinations', 'launchdarkly'))
    const corePath = require.resolve('@segment/actions-core', { paths: [peerRoot] })
    // eslint-disable-next-line @typescript-eslint/no-var-requires -- a path known only at run time
    const mod = require(destinationPath) as { default?: Peer['destination'] }
    // eslint-disable-next-line @typescript-eslint/no-var-requires -- a path known only at run time
    const core = require(corePath) as { createTestIntegration: Peer['createTestIntegration'] }
    const destination = mod.default ?? (mod as unknown as Peer['destination'])
    if (!destination || typeof destination.actions !== 'object' || !('trackEvent' in destination.actions)) {
      return {
        ok: false,
        reason: `${PEER_PACKAGE}@${PEER_VERSION} has no launchdarkly destination with a trackEvent action at ${destinationPath}`
      }
    }
    return {
      ok: true,
      peer: { version: PEER_VERSION, destination, createTestIntegration: core.createTestIntegration },
      installed: install.installed,
      installMs: install.ms
    }
  } catch (error) {
    return { ok: false, reason: `could not load the peer from ${modules}: ${(error as Error).message}` }
  }
}
