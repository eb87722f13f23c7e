// The NDJSON sink writes whole lines or nothing (docs/relay.md "A full disk"): a write
// that fails half-way is cut back off, the client gets a typed 503 that names the
// problem and no path, /healthz reports it, and the next delivery starts on a clean line.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs'
import { tmpdir } from 'os'
import { open } from 'fs/promises'
import { join } from 'path'
import fixture from '../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_SETTINGS } from '../fixtures/node-server-sdk-bulk.expected'
import { AppendFile, AppendLog } from '../../runtime/append-log'
import { bodyAt, runtimeWith, TestRuntime } from './helpers'

const BODY = JSON.stringify(fixture.body)

/** A disk that fills up: while `full`, each write puts half its bytes down, then fails with ENOSPC. */
function fillingDisk() {
  const disk = { full: false }
  const openFile = async (path: string, mode?: number): Promise<AppendFile> => {
    const handle = await open(path, 'a+', mode)
    return {
      async write(buffer, offset, length, position) {
        if (!disk.full) return handle.write(buffer, offset, length, position)
        await handle.write(buffer, offset, Math.ceil(length / 2), position)
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' })
      },
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      stat: () => handle.stat(),
      close: () => handle.close()
    }
  }
  return { disk, openFile }
}

let runtime: TestRuntime
afterEach(() => runtime?.close())

test('a full disk leaves the NDJSON file as it was; the 503 names the problem and no path', async () => {
  const { disk, openFile } = fillingDisk()
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, {}, { openFile })
  const post = () =>
    fetch(`${runtime.url}/bulk`, { method: 'POST', body: BODY, headers: { 'Content-Type': 'application/json' } })
  const file = join(runtime.dataDir, 'segment-events.ndjson')
  expect((await post()).status).toBe(202)
  const before = readFileSync(file)

  disk.full = true
  const res = await post()
  const answer = await res.json()
  expect([res.status, res.headers.get('retry-after'), answer]).toEqual([
    503,
    '30',
    {
      error: 'SinkWriteFailed',
      message:
        'The NDJSON sink file could not be written (ENOSPC: no space left on the device); nothing of this delivery was kept, retry later'
    }
  ])
  expect(readFileSync(file)).toEqual(before)
  const health = await fetch(`${runtime.url}/healthz`)
  expect([health.status, await health.json()]).toEqual([
    503,
    {
      error: 'Unavailable',
      status: 'unavailable',
      message: 'the NDJSON sink cannot write (ENOSPC: no space left on the device)'
    }
  ])
  expect((await post()).status).toBe(503)
  expect(readFileSync(file)).toEqual(before)

  disk.full = false
  // Health clears with the next write that succeeds; that delivery starts on a clean line.
  expect((await post()).status).toBe(202)
  expect((await fetch(`${runtime.url}/healthz`)).status).toBe(200)
  const lines = readFileSync(file, 'utf8').split('\n')
  expect(lines.pop()).toBe('')
  expect(lines).toHaveLength(30)
  for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
  // One line when the failures start, one when they end: not one per failed delivery.
  expect(runtime.logs.filter((l) => l.startsWith('sink:'))).toEqual([
    'sink: segment-events.ndjson cannot be written (ENOSPC: no space left on the device); deliveries get 503 until it can',
    'sink: segment-events.ndjson is written again (after 2 failures)'
  ])
})

test('concurrent appends are grouped, and a failed group leaves none of its appends written', async () => {
  const { disk, openFile } = fillingDisk()
  const dir = mkdtempSync(join(tmpdir(), 'ld-append-'))
  try {
    const log = await AppendLog.open(join(dir, 'f.ndjson'), openFile)
    await Promise.all(['a', 'b', 'c'].map((x) => log.append(Buffer.from(`${x}\n`))))
    disk.full = true
    const failed = await Promise.allSettled(['d', 'e'].map((x) => log.append(Buffer.from(`${x}\n`))))
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    disk.full = false
    await log.append(Buffer.from('f\n'))
    await log.close()
    expect(readFileSync(join(dir, 'f.ndjson'), 'utf8')).toBe('a\nb\nc\nf\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('group commit: 10 concurrent deliveries share a few fsyncs, and no 202 is sent before its lines are synced', async () => {
  // A disk whose fsync takes 40 ms: what it has synced is counted in bytes.
  let synced = 0
  let syncs = 0
  const openFile = async (path: string, mode?: number): Promise<AppendFile> => {
    const handle = await open(path, 'a+', mode)
    return {
      write: (buffer, offset, length, position) => handle.write(buffer, offset, length, position),
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      async sync() {
        const { size } = await handle.stat()
        await new Promise((resolve) => setTimeout(resolve, 40))
        await handle.sync()
        if (path.endsWith('segment-events.ndjson')) [syncs, synced] = [syncs + 1, size]
      },
      truncate: (length) => handle.truncate(length),
      stat: () => handle.stat(),
      close: () => handle.close()
    }
  }
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, {}, { openFile })
  const file = join(runtime.dataDir, 'segment-events.ndjson')
  const linesSyncedAtAnswer: number[] = []
  const statuses = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const res = await fetch(`${runtime.url}/bulk`, {
        method: 'POST',
        body: bodyAt(i),
        headers: { 'Content-Type': 'application/json' }
      })
      const onDisk = readFileSync(file).subarray(0, synced).toString('utf8')
      linesSyncedAtAnswer.push(onDisk.split('\n').length - 1)
      return res.status
    })
  )
  expect(statuses).toEqual(Array(10).fill(202))
  // Each delivery is the fixture's 15 calls: the n-th answer finds at least n × 15 lines synced.
  expect(linesSyncedAtAnswer.every((lines, n) => lines >= (n + 1) * 15)).toBe(true)
  expect(runtime.lines()).toHaveLength(150)
  expect(syncs).toBeGreaterThanOrEqual(2)
  expect(syncs).toBeLessThanOrEqual(5)
})

test('a torn last line (a process killed mid-write, never acknowledged) is cut off when the file is opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ld-append-'))
  try {
    const file = join(dir, 'f.ndjson')
    writeFileSync(file, '{"a":1}\n{"b":2}\n{"c":')
    const log = await AppendLog.open(file)
    expect(log.size).toBe(16)
    await log.append(Buffer.from('{"d":4}\n'))
    await log.close()
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"d":4}\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
