// `npm start` runs the compiled relay, dist/runtime/server.js, not the TypeScript the other
// relay tests start: there, `dist/destinations/launchdarkly-events.js` (the destination
// function's bundle) sits beside the Actions destination's folder, and a bare import of
// the folder loaded the bundle, so the relay stopped before its banner.

import { spawn } from 'child_process'
import { existsSync, mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'

const ROOT = join(__dirname, '..', '..')
const COMPILED = join(ROOT, 'dist', 'runtime', 'server.js')

jest.setTimeout(30_000)

it('starts from dist/ as npm start runs it: banner, /healthz 200, SIGTERM exits 0', async () => {
  // `npm test` builds first (pretest); a focused run needs `npm run build`.
  expect(existsSync(COMPILED)).toBe(true)
  const dataDir = mkdtempSync(join(tmpdir(), 'ld-compiled-relay-'))
  const child = spawn(process.execPath, [COMPILED], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_FORMAT: 'text', LD_SEGMENT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const found = /relay on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
        if (found) resolve(found)
        else if (child.exitCode !== null) reject(new Error(`the relay exited: ${output}`))
        else setTimeout(check, 20)
      }
      check()
    })
    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    // The Actions destination's routes: the folder's module, not the function's bundle.
    expect(output).toContain(`POST ${url}/destinations/launchdarkly-events/sendFeatureEvent`)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  }
})
