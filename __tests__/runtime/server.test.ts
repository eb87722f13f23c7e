// The relay as a process (docs/relay.md "SIGTERM", "kill -9", "Startup"): started as
// users start it, stopped by a signal or killed outright during a Segment outage, and
// started again. Every call acknowledged with a 202 reaches Segment at least once.

import { ChildProcess, spawn } from 'child_process'
import { createServer } from 'net'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { SDK_FIXTURE_SETTINGS } from '../fixtures/node-server-sdk-bulk.expected'
import { bodyAt, ensureBuilt, Recorded, runtimeWith, standIn, waitFor } from './helpers'

jest.setTimeout(60_000)

const ROOT = join(__dirname, '..', '..')

interface Relay {
  child: ChildProcess
  url: string
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const children = new Set<ChildProcess>()
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children.clear()
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** Starts `runtime/server.ts` in its own node process, as `npm start` does after the build. */
function start(env: Record<string, string>): Relay {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'runtime', 'server.ts')], {
    cwd: ROOT,
    // As at a terminal (`npm start`): the banner as text.
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_FORMAT: 'text', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(child)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  )
  return { child, url: '', output: () => output, exited }
}

async function started(relay: Relay): Promise<Relay> {
  const url = await waitFor(
    () => /relay on (http:\/\/127\.0\.0\.1:\d+)/.exec(relay.output())?.[1],
    `the banner (output so far: ${relay.output()})`,
    20_000
  )
  return { ...relay, url }
}

const batchIds = (requests: Recorded[]) =>
  new Set(
    requests.flatMap((r) =>
      (JSON.parse(r.body) as { batch: Array<{ messageId: string }> }).batch.map((m) => m.messageId)
    )
  )

/** The messageIds of the fixture moved by 0..n-1 seconds, as the NDJSON sink writes them. */
async function expectedIds(n: number): Promise<Set<string>> {
  const local = await runtimeWith(SDK_FIXTURE_SETTINGS)
  try {
    for (let i = 0; i < n; i++)
      await fetch(`${local.url}/bulk`, {
        method: 'POST',
        body: bodyAt(i),
        headers: { 'Content-Type': 'application/json' }
      })
    return new Set(local.lines().map((line) => line.messageId as string))
  } finally {
    await local.close()
  }
}

async function outage() {
  let up = false
  const api = await standIn(() => ({ status: up ? 200 : 500 }))
  cleanups.push(api.close)
  return { api, recover: () => (up = true) }
}

const SETTINGS_ENV = {
  LD_PROJECT_ID: SDK_FIXTURE_SETTINGS.projectId,
  LD_ENVIRONMENT_ID: SDK_FIXTURE_SETTINGS.environmentId
}

function env(api: string, dataDir: string): Record<string, string> {
  return {
    SEGMENT_WRITE_KEY: 'wk-process',
    SEGMENT_HOST: api,
    LD_SEGMENT_DATA_DIR: dataDir,
    LD_PROJECT_ID: SDK_FIXTURE_SETTINGS.projectId,
    LD_ENVIRONMENT_ID: SDK_FIXTURE_SETTINGS.environmentId
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ld-relay-process-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

beforeAll(ensureBuilt)

test.each([
  ['SIGTERM', 0],
  ['SIGKILL', null]
] as const)(
  'stopped by %s during a Segment outage, then restarted: every accepted call arrives',
  async (signal, code) => {
    const N = 4
    const expected = await expectedIds(N)
    expect(expected.size).toBe(15 * N)
    const { api, recover } = await outage()
    const dataDir = tempDir()

    const first = await started(start(env(api.url, dataDir)))
    for (let n = 0; n < N; n++) {
      const res = await fetch(`${first.url}/bulk`, {
        method: 'POST',
        body: bodyAt(n),
        headers: { 'Content-Type': 'application/json' }
      })
      expect(res.status).toBe(202)
    }
    await waitFor(() => api.requests.length >= 1, 'a failed batch')
    first.child.kill(signal)
    expect(await first.exited).toEqual({ code, signal: code === null ? signal : null })
    if (signal === 'SIGTERM')
      expect(first.output()).toMatch(/outbox: 60 calls \(\d+ bytes\) not yet accepted by Segment stay on disk/)

    recover()
    const second = await started(start(env(api.url, dataDir)))
    await waitFor(
      () => [...expected].every((id) => batchIds(api.requests).has(id)) || undefined,
      'every call at Segment',
      20_000
    )
    second.child.kill('SIGTERM')
    expect(await second.exited).toEqual({ code: 0, signal: null })
    expect(batchIds(api.requests)).toEqual(expected)
    expect(readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.ndjson'))).toEqual([])
  }
)

test('SIGTERM lets in-flight deliveries finish before the process exits', async () => {
  const { api } = await outage()
  const dataDir = tempDir()
  const relay = await started(start(env(api.url, dataDir)))
  const posts = Array.from({ length: 8 }, (_, n) =>
    fetch(`${relay.url}/bulk`, {
      method: 'POST',
      body: bodyAt(n),
      headers: { 'Content-Type': 'application/json' }
    }).then(
      (r) => r.status,
      () => 0
    )
  )
  // Signalled while the requests are in flight.
  await new Promise((resolve) => setTimeout(resolve, 5))
  relay.child.kill('SIGTERM')
  const statuses = await Promise.all(posts)
  expect(await relay.exited).toEqual({ code: 0, signal: null })
  const accepted = statuses.filter((s) => s === 202).length
  // Each request either was accepted (and is on disk) or was refused/never connected.
  expect(statuses.every((s) => [202, 503, 0].includes(s))).toBe(true)
  const left = /outbox: (\d+) calls/.exec(relay.output())
  expect(Number(left?.[1] ?? 0)).toBe(accepted * 15)
})

test('SIGTERM with LD_DRAIN_SECONDS: /readyz fails at once, deliveries are still taken (Connection: close), then it stops', async () => {
  const dataDir = tempDir()
  const relay = await started(start({ LD_SEGMENT_DATA_DIR: dataDir, LD_DRAIN_SECONDS: '2', ...SETTINGS_ENV }))
  expect((await fetch(`${relay.url}/readyz`)).status).toBe(200)
  const signalled = Date.now()
  relay.child.kill('SIGTERM')
  await waitFor(() => relay.output().includes('SIGTERM: draining'), 'the drain')
  const ready = await fetch(`${relay.url}/readyz`)
  expect([ready.status, await ready.json()]).toEqual([
    503,
    { error: 'NotReady', message: 'the relay is draining before it stops (SIGTERM)' }
  ])
  expect((await fetch(`${relay.url}/livez`)).status).toBe(200)
  const delivery = await fetch(`${relay.url}/bulk`, {
    method: 'POST',
    body: bodyAt(0),
    headers: { 'Content-Type': 'application/json' }
  })
  expect([delivery.status, delivery.headers.get('connection')]).toEqual([202, 'close'])
  expect(await relay.exited).toEqual({ code: 0, signal: null })
  expect(Date.now() - signalled).toBeGreaterThanOrEqual(2000)
  expect(readFileSync(join(dataDir, 'segment-events.ndjson'), 'utf8').trim().split('\n')).toHaveLength(15)
})

test('SIGINT (Ctrl+C at a terminal) does not drain', async () => {
  const relay = await started(start({ LD_SEGMENT_DATA_DIR: tempDir(), LD_DRAIN_SECONDS: '30' }))
  const signalled = Date.now()
  relay.child.kill('SIGINT')
  expect(await relay.exited).toEqual({ code: 0, signal: null })
  expect(Date.now() - signalled).toBeLessThan(5000)
})

describe('startup tells the truth', () => {
  test('beyond loopback without SEGMENT_WRITE_KEY it does not start, unless LD_SINK=ndjson asks for the file', async () => {
    const refused = start({ HOST: '0.0.0.0', LD_CLIENT_SIDE_IDS: 'cs-1', LD_SEGMENT_DATA_DIR: tempDir() })
    expect(await refused.exited).toEqual({ code: 1, signal: null })
    expect(refused.output()).toBe(
      'relay: cannot start:\n  HOST is 0.0.0.0, beyond loopback, and SEGMENT_WRITE_KEY is not set: every call would go to the NDJSON file in LD_SEGMENT_DATA_DIR, which grows without bound. Set SEGMENT_WRITE_KEY to send them to Segment, or LD_SINK=ndjson to keep that file on purpose\n'
    )
    const asked = start({
      HOST: '0.0.0.0',
      LD_CLIENT_SIDE_IDS: 'cs-1',
      LD_SINK: 'ndjson',
      LD_SEGMENT_DATA_DIR: tempDir()
    })
    await waitFor(() => /relay on http:\/\/0\.0\.0\.0:\d+/.test(asked.output()), 'the banner', 20_000)
    asked.child.kill('SIGTERM')
    expect(await asked.exited).toEqual({ code: 0, signal: null })
  })

  test('a secret from a file: SEGMENT_WRITE_KEY_FILE', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'write-key'), 'write-key-from-a-file\n')
    const relay = await started(
      start({
        LD_SEGMENT_DATA_DIR: dir,
        SEGMENT_WRITE_KEY_FILE: join(dir, 'write-key'),
        SEGMENT_HOST: 'http://127.0.0.1:9'
      })
    )
    expect(relay.output()).toMatch(/\n {2}SEGMENT_WRITE_KEY +set\n/)
    expect(relay.output()).toContain('Segment: on-disk outbox')
    expect(relay.output()).not.toContain('write-key-from')
    relay.child.kill('SIGTERM')
    expect(await relay.exited).toEqual({ code: 0, signal: null })
  })

  test('a refused variable stops startup, naming it and the values it accepts', async () => {
    const relay = start({ LD_INCLUDE_CUSTOM_DATA: 'yes', LD_SEGMENT_DATA_DIR: tempDir() })
    expect(await relay.exited).toEqual({ code: 1, signal: null })
    expect(relay.output()).toBe(
      'relay: cannot start:\n  LD_INCLUDE_CUSTOM_DATA must be true, false, 1 or 0, found "yes"\n'
    )
  })

  test('a port in use stops startup, naming PORT', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    const port = (blocker.address() as { port: number }).port
    const relay = start({ PORT: String(port), LD_SEGMENT_DATA_DIR: tempDir() })
    expect(await relay.exited).toEqual({ code: 1, signal: null })
    expect(relay.output()).toBe(
      `relay: cannot start:\n  PORT ${port} is in use on 127.0.0.1 (EADDRINUSE): stop the other process or set PORT to a free port\n`
    )
  })

  test('a data folder that cannot be created stops startup, naming LD_SEGMENT_DATA_DIR', async () => {
    // Under a file, so that not even root can create it.
    const file = join(tempDir(), 'a-file')
    writeFileSync(file, '')
    const dataDir = join(file, 'data')
    const relay = start({ LD_SEGMENT_DATA_DIR: dataDir })
    expect(await relay.exited).toEqual({ code: 1, signal: null })
    expect(relay.output()).toBe(
      `relay: cannot start:\n  LD_SEGMENT_DATA_DIR: the folder ${dataDir} cannot be created (ENOTDIR); set LD_SEGMENT_DATA_DIR to a folder this process can write\n`
    )
  })

  test('the banner lists the settings in effect and warns about LD_PROJECT_ID and LD_ENVIRONMENT_ID', async () => {
    const relay = await started(start({ LD_SEGMENT_DATA_DIR: tempDir(), LD_ACCESS_TOKEN: 'api-secret-token-value' }))
    await waitFor(() => relay.output().includes('warning: LD_ENVIRONMENT_ID'), 'the warnings')
    const out = relay.output()
    expect(out).toMatch(/\n {2}LD_ACCESS_TOKEN +set\n/)
    expect(out).not.toContain('api-secret')
    expect(out).toContain(
      '\nwarning: LD_PROJECT_ID is not set: SDK events (which name no project) are rejected with 400'
    )
    expect(out).toContain('\nwarning: LD_ENVIRONMENT_ID is not set: SDK events on /bulk and /mobile')
    relay.child.kill('SIGTERM')
    expect(await relay.exited).toEqual({ code: 0, signal: null })
  })
})
