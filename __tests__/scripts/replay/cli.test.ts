// `npm run replay` as a user runs it: the CLI in a child process, killed mid-run, then
// `--resume`: only the remainder is sent, every event exactly once over the two runs (at
// least once to Segment, whose outbox keeps what was in flight).

import { ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { writeArchive } from './archive'
import { ensureBuilt, Reply, segmentStandIn, webhookStandIn } from './stand-in'

const ROOT = join(__dirname, '..', '..', '..')
// tsx's loader in this very process: the tsx command would run the replay in a child
// process of its own, which a kill -9 of the tsx process would leave running.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href
// As typed in `dir` (INIT_CWD is where `npm test` was typed: not here).
const ENV = { ...process.env, LD_PROJECT_ID: 'proj-1', LD_ENVIRONMENT_ID: 'env-1', SEGMENT_WRITE_KEY: '', INIT_CWD: '' }
const RECORDS = 10_000

// Child processes on a machine shared with other test suites: minutes, not seconds, are the limit.
jest.setTimeout(60_000)

let dir: string
const children = new Set<ChildProcess>()
beforeAll(async () => {
  await ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'ld-replay-cli-'))
  writeArchive(join(dir, 'archive.ndjson'), RECORDS)
  // The reference: every call the archive converts to, from one uninterrupted run.
  const reference = await cli(['archive.ndjson', '--to', 'ndjson', 'all.ndjson']).exit
  expect(reference.code).toBe(0)
})
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function cli(
  args: string[],
  stdin?: Buffer,
  env: NodeJS.ProcessEnv = ENV
): { child: ChildProcess; exit: Promise<Exit> } {
  const script = join(ROOT, 'scripts', 'replay', 'index.ts')
  const child = spawn(process.execPath, ['--import', TSX_LOADER, script, ...args], { cwd: dir, env })
  // A child that exits before reading its input must not fail the test with EPIPE.
  child.stdin?.on('error', () => undefined)
  child.stdin?.end(stdin)
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exit = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal, stdout, stderr })
    })
  )
  return { child, exit }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const ids = (calls: Array<Record<string, unknown>>): string[] => calls.map((c) => String(c.messageId))
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean)

describe('a replay killed mid-run', () => {
  it('to a webhook: --resume sends only what was not acknowledged, so every event arrives exactly once', async () => {
    const all = lines(join(dir, 'all.ndjson')).map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(all).toHaveLength(RECORDS)

    let phase: 'first' | 'second' = 'first'
    const standIn = await webhookStandIn(
      { projectId: 'proj-1', environmentId: 'env-1' },
      (n): Reply => (phase === 'first' && n === 3 ? 'hold' : 'function')
    )
    try {
      const args = ['archive.ndjson', '--to', 'url', `${standIn.url}/sources/launchdarkly`, '--concurrency', '1']
      const first = cli(args)
      // Two deliveries acknowledged, the third received and never answered: kill -9.
      await until(() => standIn.received.length === 3, 'the third delivery')
      first.child.kill('SIGKILL')
      expect((await first.exit).signal).toBe('SIGKILL')
      const acknowledged = [...standIn.calls]
      expect(acknowledged.length).toBeGreaterThan(0)
      expect(existsSync(join(dir, '.data'))).toBe(true)

      phase = 'second'
      const second = await cli([...args, '--resume', '--json']).exit
      expect(second.stderr).toBe('')
      expect(second.code).toBe(0)
      const summary = JSON.parse(second.stdout) as { read: number; sent: number; failed: { count: number } }
      const resent = standIn.calls.slice(acknowledged.length)
      // It starts again with the delivery that was never answered...
      expect(standIn.received[3].body).toBe(standIn.received[2].body)
      // ...and sends nothing that was acknowledged before.
      const before = new Set(ids(acknowledged))
      expect(ids(resent).filter((id) => before.has(id))).toEqual([])
      expect([...ids(acknowledged), ...ids(resent)]).toEqual(ids(all))
      expect(summary).toMatchObject({ read: RECORDS - acknowledged.length, sent: resent.length, failed: { count: 0 } })
    } finally {
      await standIn.close()
    }
  })

  it('to Segment: --resume sends only what was not checkpointed, after what the outbox kept; no id is missing', async () => {
    const all = ids(lines(join(dir, 'all.ndjson')).map((l) => JSON.parse(l) as Record<string, unknown>))
    const writeKey = 'wk-cli-5a4b3c2d1e0f9a8b7c6d'
    let phase: 'first' | 'second' = 'first'
    // Four batches (about 1,400 calls each) acknowledged, the fifth received and never answered: kill -9.
    const standIn = await segmentStandIn((n) => (phase === 'first' && n === 5 ? 'hold' : undefined))
    const env = { ...ENV, SEGMENT_WRITE_KEY: writeKey, SEGMENT_HOST: standIn.url, LD_SEGMENT_DATA_DIR: 'segment-data' }
    try {
      const first = cli(['archive.ndjson'], undefined, env)
      const checkpointed = (): number => {
        const folders = existsSync(join(dir, 'segment-data')) ? readdirSync(join(dir, 'segment-data')) : []
        const file = folders.length ? join(dir, 'segment-data', folders[0], 'checkpoint.json') : ''
        if (!file || !existsSync(file)) return 0
        const data = JSON.parse(readFileSync(file, 'utf8')) as { current?: { position: { line: number } } }
        return data.current?.position.line ?? 0
      }
      await until(() => standIn.requests.length === 5 && checkpointed() > 0, 'the fifth batch and a checkpoint')
      first.child.kill('SIGKILL')
      expect((await first.exit).signal).toBe('SIGKILL')
      const acknowledged = ids(standIn.delivered())
      // One record, one call: the checkpoint's line count is the calls acknowledged and checkpointed.
      const done = checkpointed()
      expect(acknowledged.slice(0, done)).toEqual(all.slice(0, done))

      phase = 'second'
      const second = await cli(['archive.ndjson', '--resume', '--json'], undefined, env).exit
      expect(second.code).toBe(0)
      expect(second.stderr).toMatch(/^replay: outbox: [\d,]+ calls \(\d+ bytes\) from an earlier run are being sent\n$/)
      const summary = JSON.parse(second.stdout) as { read: number; sent: number; failed: { count: number } }
      expect(summary).toMatchObject({ read: RECORDS - done, sent: RECORDS - done, failed: { count: 0 } })
      const resent = ids(standIn.delivered()).slice(acknowledged.length)
      // Nothing checkpointed is sent again; everything after it is; no id is missing.
      const checkpointedIds = new Set(all.slice(0, done))
      expect(resent.filter((id) => checkpointedIds.has(id))).toEqual([])
      expect(all.slice(done).filter((id) => !resent.includes(id))).toEqual([])
      expect(new Set([...acknowledged, ...resent])).toEqual(new Set(all))
      for (const shown of [second.stdout, second.stderr, (await first.exit).stderr])
        expect(shown).not.toContain(writeKey.slice(0, 8))
    } finally {
      await standIn.close()
    }
  })

  it('to a file: --resume cuts what was written after the checkpoint and finishes, each line once', async () => {
    const out = join(dir, 'resumed.ndjson')
    const first = cli(['archive.ndjson', '--to', 'ndjson', out, '--rate', '4000'])
    await until(() => existsSync(out) && lines(out).length > 0, 'the first lines')
    first.child.kill('SIGKILL')
    await first.exit
    // As if it had been killed between a write and its checkpoint.
    appendFileSync(out, '{"type":"track","half a line')

    const second = await cli(['archive.ndjson', '--to', 'ndjson', out, '--resume']).exit
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(
      /^replay: read \d[\d,]* records from 1 input in [\d.]+ s; emitted [\d,]+; sent [\d,]+ to ndjson /
    )
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(dir, 'all.ndjson'), 'utf8'))
  })

  it('Ctrl+C stops after what is in flight, exits 130 and says how to continue', async () => {
    const out = join(dir, 'interrupted.ndjson')
    const first = cli(['archive.ndjson', '--to', 'ndjson', out, '--rate', '4000'])
    await until(() => existsSync(out) && lines(out).length > 0, 'the first lines')
    first.child.kill('SIGINT')
    const exit = await first.exit
    expect(exit.code).toBe(130)
    expect(exit.stderr).toContain('replay: stopping after what is in flight (Ctrl+C again to quit now)')
    expect(exit.stdout).toContain('interrupted: what was not acknowledged was left for --resume')
    expect(exit.stdout).toContain(`to continue: the same command with --resume (checkpoint ${out}.checkpoint.json)`)
    expect(lines(out).length).toBeLessThan(RECORDS)

    const second = await cli(['archive.ndjson', '--to', 'ndjson', out, '--resume']).exit
    expect(second.code).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(dir, 'all.ndjson'), 'utf8'))
  })
})

describe('standard input', () => {
  it('reads - (gzip too, told by its bytes) and keeps no checkpoint; --resume refuses it', async () => {
    const archive = readFileSync(join(dir, 'archive.ndjson'))
    const piped = await cli(['-', '--to', 'ndjson', 'stdin.ndjson', '--json'], gzipSync(archive)).exit
    expect(piped.code).toBe(0)
    expect(JSON.parse(piped.stdout)).toMatchObject({ read: RECORDS, sent: RECORDS })
    expect(readFileSync(join(dir, 'stdin.ndjson'), 'utf8')).toBe(readFileSync(join(dir, 'all.ndjson'), 'utf8'))
    expect(existsSync(join(dir, 'stdin.ndjson.checkpoint.json'))).toBe(false)

    const resumed = await cli(['-', '--to', 'ndjson', 'stdin.ndjson', '--resume'], archive).exit
    expect([resumed.code, resumed.stderr]).toEqual([2, 'replay: --resume cannot continue standard input (-)\n'])
  })
})

describe('usage', () => {
  it('exits 2 with a message for a missing input, an unknown option or --to segment without a write key', async () => {
    const missing = await cli(['nope.ndjson']).exit
    expect([missing.code, missing.stderr]).toEqual([2, 'replay: nope.ndjson: no such file or folder\n'])
    const unknown = await cli(['--fast', 'archive.ndjson']).exit
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'replay: unknown option --fast\n(npm run replay -- --help lists the options)\n'
    ])
    const segment = await cli(['archive.ndjson', '--to', 'segment']).exit
    expect([segment.code, segment.stderr]).toEqual([
      2,
      "replay: --to segment needs SEGMENT_WRITE_KEY (the Segment source's write key), in the environment\n(npm run replay -- --help lists the options)\n"
    ])
  })
})
