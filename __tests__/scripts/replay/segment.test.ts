// `npm run replay -- --to segment`, in process, against a Segment stand-in on 127.0.0.1:
// the relay's outbox sends the function's exact calls, each once, with Basic auth; a 429
// or 5xx is retried; a refused call is dead-lettered alone and counted as rejected; an
// outage outlasting the retries leaves the calls unsent (exit 1) and on disk, and the next
// replay sends them; the write key is never shown.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseCli, UsageError } from '../../../scripts/replay/options'
import type { RetryContext } from '../../../scripts/replay/retry'
import type { ReplayCall } from '../../../scripts/replay/deliveries'
import { LOCK_FILE } from '../../../scripts/replay/lock'
import { openSegmentOutbox } from '../../../scripts/replay/targets/segment-outbox'
import { TargetError } from '../../../scripts/replay/targets/target'
import { archiveLines } from './archive'
import { ENV, functionCalls, readLines, run } from './harness'
import { ensureBuilt, SegmentStandIn, segmentStandIn } from './stand-in'

jest.setTimeout(30_000)

const WRITE_KEY = 'wk-live-9f8e7d6c5b4a39281706'
const AUTHORIZATION = 'Basic ' + Buffer.from(WRITE_KEY + ':').toString('base64')
const FAST = { retries: 8, baseMs: 20, maxMs: 100 }

let dir: string
const standIns: SegmentStandIn[] = []
beforeAll(async () => {
  await ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'ld-replay-segment-'))
})
afterEach(async () => {
  for (const standIn of standIns.splice(0)) await standIn.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const path = (name: string): string => join(dir, name)

async function segment(script?: Parameters<typeof segmentStandIn>[0]): Promise<SegmentStandIn> {
  const standIn = await segmentStandIn(script)
  standIns.push(standIn)
  return standIn
}

const envFor = (standIn: SegmentStandIn): NodeJS.ProcessEnv => ({
  ...ENV,
  SEGMENT_WRITE_KEY: WRITE_KEY,
  SEGMENT_HOST: standIn.url,
  LD_SEGMENT_DATA_DIR: path('data')
})

/** An archive of `count` records, and the calls the built function gives for them. */
async function archive(name: string, count: number): Promise<Array<Record<string, unknown>>> {
  writeFileSync(path(name), archiveLines(0, count))
  const calls: Array<Record<string, unknown>> = []
  // The records carry ids: their messageIds do not depend on how they are grouped.
  for (let from = 0; from < count; from += 1000)
    calls.push(...(await functionCalls(archiveLines(from, Math.min(count, from + 1000)))))
  return calls
}

const byId = (calls: Array<Record<string, unknown>>): Array<Record<string, unknown>> =>
  [...calls].sort((a, b) => String(a.messageId).localeCompare(String(b.messageId)))
const ids = (calls: Array<Record<string, unknown>>): string[] => calls.map((c) => String(c.messageId))

/** Segment files still in an outbox folder, and their lines not yet acknowledged. */
function unsent(folder: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = []
  for (const name of readdirSync(folder)
    .filter((n) => /^\d{13}-\d{6}\.ndjson$/.test(n))
    .sort()) {
    const sentFile = join(folder, `${name}.sent`)
    const sent = existsSync(sentFile) ? Number(readFileSync(sentFile, 'utf8')) : 0
    const text = readFileSync(join(folder, name)).subarray(sent).toString('utf8')
    lines.push(
      ...text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    )
  }
  return lines
}

describe('--to segment', () => {
  it('sends every call the function gives, exactly once, in batches of at most 500 KB with the write key as Basic auth', async () => {
    const expected = await archive('normal.ndjson', 5000)
    const standIn = await segment()
    const { summary, code, stderr } = await run([path('normal.ndjson')], envFor(standIn))
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(summary).toMatchObject({
      read: 5000,
      emitted: 5000,
      sent: 5000,
      failed: { count: 0 },
      rejected: { count: 0 }
    })
    const folder = dirname(summary.checkpoint as string)
    expect(folder).toMatch(/\/data\/replay-segment-[0-9a-f]{16}$/)
    expect(summary.target).toBe(`segment ${folder} to ${standIn.url}/v1/batch`)

    expect(standIn.requests.length).toBeGreaterThan(3)
    for (const request of standIn.requests) {
      expect(request.path).toBe('/v1/batch')
      expect(request.headers).toMatchObject({ authorization: AUTHORIZATION, 'content-type': 'application/json' })
      expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(500 * 1024)
      expect(JSON.parse(request.body)).toEqual({ batch: expect.any(Array), sentAt: expect.stringMatching(/Z$/) })
    }
    const delivered = standIn.delivered()
    expect(new Set(ids(delivered)).size).toBe(5000)
    expect(byId(delivered)).toEqual(byId(expected))
    // Nothing left to send, and the folder is free for the next replay.
    expect(unsent(folder)).toEqual([])
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false)
  })

  it('waits out a 429 (its Retry-After) and a 500 (backoff), then sends the same batch once', async () => {
    const expected = await archive('retry.ndjson', 300)
    const limited = await segment((n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': '1' }, body: 'slow down' } : undefined
    )
    const first = await run([path('retry.ndjson')], envFor(limited))
    expect(limited.requests.map((r) => r.status)).toEqual([429, 200])
    expect(limited.requests[1].body.slice(0, 1000)).toBe(limited.requests[0].body.slice(0, 1000))
    expect(limited.requests[1].batch).toEqual(limited.requests[0].batch)
    expect(limited.requests[1].at - limited.requests[0].at).toBeGreaterThanOrEqual(900)
    expect(first.stderr).toMatch(
      /^replay: outbox: Segment batch failed \(HTTP 429 slow down\); 300 calls \(\d+ bytes\) kept on disk, retrying in 1000 ms\nreplay: outbox: Segment accepts batches again \(after 1 failures\)\n$/
    )
    expect(byId(limited.delivered())).toEqual(byId(expected))
    expect([first.code, first.summary.sent, first.summary.failed.count]).toEqual([0, 300, 0])

    const failing = await segment((n) => (n === 1 ? { status: 500, body: '{"error":"internal"}' } : undefined))
    const second = await run([path('retry.ndjson')], envFor(failing), { retry: FAST })
    expect(failing.requests.map((r) => r.status)).toEqual([500, 200])
    // Backoff with jitter: half of the base at least.
    expect(failing.requests[1].at - failing.requests[0].at).toBeGreaterThanOrEqual(FAST.baseMs / 2)
    expect(byId(failing.delivered())).toEqual(byId(expected))
    expect([second.code, second.summary.sent]).toEqual([0, 300])
  })

  it('a call Segment refuses (400) is dead-lettered alone with the reason and counted as rejected; the run exits 0', async () => {
    const expected = await archive('refused.ndjson', 3000)
    const bad = String(expected[1234].messageId)
    const standIn = await segment((_, request) =>
      request.body.includes(bad) ? { status: 400, body: '{"success":false,"message":"invalid message"}' } : undefined
    )
    const { summary, code } = await run([path('refused.ndjson'), '--json'], envFor(standIn))
    expect(code).toBe(0)
    expect(summary).toMatchObject({ emitted: 3000, sent: 2999, failed: { count: 0, reasons: [] } })
    expect(summary.rejected).toEqual({
      count: 1,
      reasons: [
        {
          reason: 'Segment refused it (HTTP 400 {"success":false,"message":"invalid message"})',
          count: 1,
          first: [`${path('refused.ndjson')}:1235`]
        }
      ]
    })
    // Halved until it was alone: the others of its batches were delivered, each once.
    const delivered = standIn.delivered()
    expect(new Set(ids(delivered)).size).toBe(2999)
    expect(byId(delivered)).toEqual(byId(expected.filter((c) => c.messageId !== bad)))
    const folder = dirname(summary.checkpoint as string)
    expect(readLines(join(folder, 'dead-letter.ndjson'))).toEqual([expected[1234]])
    expect(readLines(join(folder, 'dead-letter-reasons.ndjson'))).toEqual([
      {
        time: expect.stringMatching(/Z$/),
        status: 400,
        reason: 'HTTP 400 {"success":false,"message":"invalid message"}',
        messageIds: [bad]
      }
    ])
  })

  it('Segment down for good: exit 1, the calls unsent and still on disk; the next replay sends them first', async () => {
    const expected = await archive('down.ndjson', 60)
    let up = false
    const standIn = await segment(() => (up ? undefined : { status: 503, body: '{"message":"unavailable"}' }))
    const env = envFor(standIn)
    const down = await run([path('down.ndjson'), '--retries', '2'], env, { retry: { ...FAST, retries: 2 } })
    expect(standIn.requests.map((r) => r.status)).toEqual([503, 503, 503])
    expect(down.code).toBe(1)
    expect(down.summary.sent).toBe(0)
    expect(down.summary.failed).toEqual({
      count: 60,
      reasons: [
        {
          reason: `POST ${standIn.url}/v1/batch: HTTP 503 {"message":"unavailable"} (gave up after 3 attempts); kept in the replay's outbox`,
          count: 60,
          first: [1, 2, 3, 4, 5].map((line) => `${path('down.ndjson')}:${line}`)
        }
      ]
    })
    const folder = dirname(down.summary.checkpoint as string)
    expect(unsent(folder)).toEqual(expected)
    const bytes = expected.reduce((sum, c) => sum + Buffer.byteLength(JSON.stringify(c)) + 1, 0)
    expect(down.stderr).toMatch(
      new RegExp(
        `^replay: outbox: Segment batch failed \\(HTTP 503 \\{"message":"unavailable"\\}\\); 60 calls \\(${bytes} bytes\\) kept on disk, retrying in \\d+ ms\n` +
          `replay: outbox: 60 calls \\(${bytes} bytes\\) not yet accepted by Segment stay on disk; they are sent on the next start\n$`
      )
    )

    up = true
    const resumed = await run([path('down.ndjson'), '--resume'], env, { retry: FAST })
    expect(resumed.code).toBe(0)
    expect(resumed.stderr).toBe(`replay: outbox: 60 calls (${bytes} bytes) from an earlier run are being sent\n`)
    // What the outage left is sent first, then the resumed run's own (Segment drops the repeats by messageId).
    expect(standIn.delivered()).toEqual([...expected, ...expected])
    expect(resumed.summary).toMatchObject({ sent: 60, failed: { count: 0 } })
    expect(unsent(folder)).toEqual([])
  })

  it('no connection at all: the network error is the reason, exit 1', async () => {
    const gone = await segment()
    await gone.close()
    writeFileSync(path('nowhere.ndjson'), archiveLines(0, 3))
    const { code, summary } = await run([path('nowhere.ndjson')], envFor(gone), { retry: { ...FAST, retries: 1 } })
    expect(code).toBe(1)
    expect(summary.failed.reasons.map((r) => [r.reason, r.count])).toEqual([
      [`POST ${gone.url}/v1/batch: ECONNREFUSED (gave up after 2 attempts); kept in the replay's outbox`, 3]
    ])
  })

  it('Ctrl+C during an outage gives up at once, keeping the calls for --resume', async () => {
    writeFileSync(path('stop.ndjson'), archiveLines(0, 10))
    const standIn = await segment(() => ({ status: 502 }))
    const interrupt = new AbortController()
    const started = Date.now()
    const stopping = run([path('stop.ndjson')], envFor(standIn), {
      retry: { retries: 8, baseMs: 60_000, maxMs: 60_000 },
      signal: interrupt.signal
    })
    while (standIn.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    interrupt.abort()
    const { code, summary } = await stopping
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(code).toBe(130)
    expect(summary.failed.reasons.map((r) => [r.reason, r.count])).toEqual([
      [`POST ${standIn.url}/v1/batch: HTTP 502 (interrupted); kept in the replay's outbox`, 10]
    ])
    expect(unsent(dirname(summary.checkpoint as string))).toHaveLength(10)
  })

  it('a refused write key fails the run (exit 1), and the key never shows, even when Segment echoes it', async () => {
    writeFileSync(path('key.ndjson'), archiveLines(0, 5))
    const echo = (request: { headers: { authorization?: string } }): string =>
      JSON.stringify({ message: `bad key ${request.headers.authorization ?? ''} (${WRITE_KEY})` })
    const standIn = await segment((n, request) => ({ status: n === 1 ? 500 : 401, body: echo(request) }))
    const { code, summary, stderr } = await run([path('key.ndjson'), '--json'], envFor(standIn), { retry: FAST })
    expect(code).toBe(1)
    expect(summary.failed.reasons).toEqual([
      {
        reason:
          'Segment refused the request (HTTP 401 {"message":"bad key Basic [redacted] ([redacted])"}): check SEGMENT_WRITE_KEY and SEGMENT_HOST; moved to the dead-letter file of the replay\'s outbox',
        count: 5,
        first: [1, 2, 3, 4, 5].map((line) => `${path('key.ndjson')}:${line}`)
      }
    ])
    expect(stderr).toContain('HTTP 500 {"message":"bad key Basic [redacted] ([redacted])"}')
    const checkpoint = readFileSync(summary.checkpoint as string, 'utf8')
    const shown = JSON.stringify(summary) + stderr + checkpoint
    const base64 = AUTHORIZATION.slice('Basic '.length)
    for (const secret of [WRITE_KEY, base64])
      for (let at = 0; at + 8 <= secret.length; at++) expect(shown).not.toContain(secret.slice(at, at + 8))
  })

  it('one replay at a time per outbox folder; a lock left by a killed replay is taken over', async () => {
    writeFileSync(path('lock.ndjson'), archiveLines(0, 2))
    const standIn = await segment()
    const env = envFor(standIn)
    const first = await run([path('lock.ndjson')], env)
    const lock = join(dirname(first.summary.checkpoint as string), LOCK_FILE)
    // The jest runner that started this worker: alive.
    writeFileSync(lock, `${process.ppid}\n`)
    await expect(run([path('lock.ndjson')], env)).rejects.toThrow(
      new TargetError(
        `${dirname(lock)} is in use by another replay (process ${
          process.ppid
        }): wait for it to end, or delete ${lock} if no replay is running`
      )
    )
    const gone = spawnSync(process.execPath, ['-e', '']).pid
    writeFileSync(lock, `${gone}\n`)
    expect((await run([path('lock.ndjson')], env)).code).toBe(0)
    expect(existsSync(lock)).toBe(false)
    expect(standIn.delivered()).toHaveLength(4)
  })
})

describe('the outbox adapter', () => {
  it('settles a call too large for Segment alone, as refused for cause, and sends the others', async () => {
    const standIn = await segment()
    const retry: RetryContext = { policy: FAST, log: () => undefined }
    const outbox = await openSegmentOutbox({
      dir: path('adapter'),
      writeKey: WRITE_KEY,
      host: standIn.url,
      maxBytes: 1024 * 1024,
      retry,
      secrets: []
    })
    const call = (messageId: string, pad = ''): ReplayCall => ({
      type: 'track',
      message: { event: 'e', userId: 'u', properties: { pad }, messageId }
    })
    const huge = call('ld-2', 'x'.repeat(32_760))
    const settled = await outbox.submit([call('ld-1'), huge, call('ld-3')])
    await outbox.close()
    expect(settled).toEqual([
      { settlement: 'delivered' },
      {
        settlement: 'refused',
        reason: `A Segment call is ${Buffer.byteLength(
          JSON.stringify({ type: 'track', ...huge.message })
        )} bytes of JSON, over Segment's limit of 32768 bytes`
      },
      { settlement: 'delivered' }
    ])
    expect(ids(standIn.delivered())).toEqual(['ld-1', 'ld-3'])
  })
})

describe('options', () => {
  it('--to segment needs SEGMENT_WRITE_KEY; the key set makes it the default; SEGMENT_HOST is read strictly', () => {
    expect(() => parseCli(['x.ndjson', '--to', 'segment'], ENV)).toThrow(
      new UsageError("--to segment needs SEGMENT_WRITE_KEY (the Segment source's write key), in the environment")
    )
    const cli = parseCli(['x.ndjson'], { ...ENV, SEGMENT_WRITE_KEY: WRITE_KEY })
    expect(cli?.options.target).toEqual({
      kind: 'segment',
      writeKey: WRITE_KEY,
      host: 'https://api.segment.io',
      dataDir: join(process.cwd(), '.data')
    })
    expect(() =>
      parseCli(['x.ndjson'], { ...ENV, SEGMENT_WRITE_KEY: WRITE_KEY, SEGMENT_HOST: 'api.segment.io' })
    ).toThrow(new UsageError('SEGMENT_HOST must be an http(s) URL such as https://example.com, found "api.segment.io"'))
  })
})
