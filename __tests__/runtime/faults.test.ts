// The relay as a process under every operational fault of docs/relay.md "What a 202
// promises", run with `--unhandled-rejections=strict` so that any rejection nobody
// handles ends it: a full disk (a small tmpfs where this machine lets us mount one, else
// an injected ENOSPC), corrupted segments, a flapping Segment, LaunchDarkly failing,
// hostile clients, a second relay, kill -9. It never exits by itself, answers typed 503s
// while it cannot write, recovers without a restart, loses nothing it acknowledged in
// either direction, and no line it writes holds an absolute path.

import { ChildProcess, spawnSync } from 'child_process'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs'
import { connect } from 'net'
import { tmpdir } from 'os'
import { join } from 'path'
import { gzipSync } from 'zlib'
import { SDK_FIXTURE_SETTINGS } from '../fixtures/node-server-sdk-bulk.expected'
import { PROJECT_ROOT } from '../../runtime/startup'
import { bodyAt, ensureBuilt, Recorded, RelayProcess, relayStarted, spawnRelay, standIn, waitFor } from './helpers'

jest.setTimeout(120_000)

const SDK_KEY = 'sdk-5ecret00-1111-2222-3333-444455556666'
const children = new Set<ChildProcess>()
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children.clear()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
beforeAll(ensureBuilt)

interface Disk {
  dir: string
  kind: 'tmpfs' | 'injected ENOSPC'
  nodeArgs: string[]
  env: Record<string, string>
  fill(): void
  free(): void
}

/** A small disk to fill and free: a tmpfs where mounting one is allowed (as root), else the full-disk injector. */
function smallDisk(): Disk {
  const dir = mkdtempSync(join(tmpdir(), 'ld-disk-'))
  const strict = ['--unhandled-rejections=strict']
  // LD_TEST_DISK=injected runs the injector where a tmpfs would do.
  const tmpfs =
    process.env.LD_TEST_DISK !== 'injected' &&
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir]).status === 0
  if (tmpfs) {
    cleanups.push(() => {
      spawnSync('umount', ['-l', dir])
      rmSync(dir, { recursive: true, force: true })
    })
    const filler = join(dir, 'filler')
    return {
      dir,
      kind: 'tmpfs',
      nodeArgs: strict,
      env: {},
      fill: () => {
        try {
          for (;;) appendFileSync(filler, Buffer.alloc(256 * 1024))
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
        }
      },
      free: () => rmSync(filler, { force: true })
    }
  }
  const flags = mkdtempSync(join(tmpdir(), 'ld-disk-flag-'))
  const flag = join(flags, 'full')
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(flags, { recursive: true, force: true })
  })
  return {
    dir,
    kind: 'injected ENOSPC',
    nodeArgs: [...strict, '--require', 'tsx/cjs', '--require', join(__dirname, 'full-disk.ts')],
    env: { LD_TEST_DISK_FULL: flag },
    fill: () => writeFileSync(flag, ''),
    free: () => rmSync(flag, { force: true })
  }
}

function start(disk: Disk, env: Record<string, string>): RelayProcess {
  const relay = spawnRelay(
    {
      LD_SEGMENT_DATA_DIR: disk.dir,
      LD_PROJECT_ID: SDK_FIXTURE_SETTINGS.projectId,
      LD_ENVIRONMENT_ID: SDK_FIXTURE_SETTINGS.environmentId,
      ...disk.env,
      ...env
    },
    disk.nodeArgs
  )
  children.add(relay.child)
  return relay
}

async function service(respond: (request: Recorded) => number | 'hold') {
  const delivered: Recorded[] = []
  const api = await standIn((request) => {
    const status = respond(request)
    if (status === 'hold') return 'hold'
    if (status < 300) delivered.push(request)
    return { status }
  })
  cleanups.push(api.close)
  return { ...api, delivered }
}

const messageIds = (requests: Recorded[]) =>
  requests.flatMap((r) => (JSON.parse(r.body) as { batch: Array<{ messageId: string }> }).batch.map((m) => m.messageId))

function post(relay: RelayProcess, n: number, path = '/bulk') {
  return fetch(`${relay.url}${path}`, {
    method: 'POST',
    body: bodyAt(n),
    headers: { 'Content-Type': 'application/json', Authorization: SDK_KEY }
  })
}

/** What no line of the relay may hold: this machine's paths, the SDK key. */
function expectClean(output: string, disk: Disk): void {
  expect(output).not.toContain(disk.dir)
  expect(output).not.toContain(PROJECT_ROOT)
  expect(output).not.toContain(SDK_KEY.slice(4, 12))
  expect(output).not.toMatch(/crashed|Unhandled|ERR_UNHANDLED_REJECTION|at async /)
}

test('a full disk: typed 503s with Retry-After, Segment’s 2xx kept in memory, no exit; freed, it recovers without a restart and sends nothing twice', async () => {
  const disk = smallDisk()
  let segmentUp = false
  const segment = await service(() => (segmentUp ? 200 : 500))
  const ld = await service(() => 202)
  const env = { SEGMENT_WRITE_KEY: 'wk-disk', SEGMENT_HOST: segment.url, LD_FORWARD_EVENTS_TO: ld.url }
  const relay = await relayStarted(start(disk, env))
  for (let n = 0; n < 4; n++) expect((await post(relay, n)).status).toBe(202)
  await waitFor(() => ld.delivered.length === 4, 'the forwards')
  await waitFor(() => segment.requests.length > 0, 'a failed batch')

  disk.fill()
  for (let n = 4; n < 7; n++) {
    const refused = await post(relay, n)
    const body = await refused.json()
    expect([refused.status, refused.headers.get('retry-after'), body.error]).toEqual([503, '30', 'SinkWriteFailed'])
    expect(body.message).toMatch(/could not be written \(ENOSPC: no space left on the device\)/)
  }
  const health = await fetch(`${relay.url}/healthz`)
  expect([health.status, (await health.json()).status]).toEqual([503, 'unavailable'])
  // Segment comes back while the disk is full: what it accepts cannot be recorded, and is not lost either.
  segmentUp = true
  await waitFor(() => new Set(messageIds(segment.delivered)).size === 60, 'the 60 calls at Segment', 20_000)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  expect(relay.child.exitCode).toBeNull()

  disk.free()
  await waitFor(async () => (await post(relay, 7)).status === 202, 'a 202 once the disk is free', 15_000)
  await waitFor(() => new Set(messageIds(segment.delivered)).size === 75, 'the last delivery at Segment')
  await waitFor(async () => (await fetch(`${relay.url}/healthz`)).status === 200, '/healthz 200 again', 15_000)
  relay.child.kill('SIGTERM')
  expect(await relay.exited).toEqual({ code: 0, signal: null })
  const output = relay.output()
  expectClean(output, disk)
  // One line per kind of failure, not one per occurrence.
  // (The forward outbox may meet the full disk too, recording its last 2xx: a line of its own.)
  expect(output.match(/outbox: what Segment accepted cannot be recorded/g) ?? []).toHaveLength(1)
  expect(output.match(/outbox: new calls cannot be written \(ENOSPC/g) ?? []).toHaveLength(1)
  expect(output).toMatch(/outbox: what Segment accepted is recorded again \(after \d+ failures\)/)

  // Nothing Segment accepted is sent again by the next start.
  const before = segment.delivered.length
  const again = await relayStarted(start(disk, env))
  await new Promise((resolve) => setTimeout(resolve, 1500))
  expect(segment.delivered.length).toBe(before)
  expect(messageIds(segment.delivered)).toHaveLength(75)
  again.child.kill('SIGTERM')
  expect(await again.exited).toEqual({ code: 0, signal: null })
  console.log(`full disk (${disk.kind}): no exit, 0 calls sent twice after the restart`)
})

test('corrupted segments, a flapping Segment, a failing LaunchDarkly, hostile clients, a second relay and kill -9: nothing acknowledged is lost', async () => {
  const disk = smallDisk()
  // An earlier run's outbox: NUL bytes from a crash glued to calls, and a line of garbage.
  const outbox = join(disk.dir, 'outbox')
  mkdirSync(outbox)
  const old = Array.from({ length: 20 }, (_, n) =>
    JSON.stringify({ type: 'track', event: 'custom', anonymousId: 'a', properties: {}, messageId: `old-${n}` })
  )
  const text = old.slice(0, 10).join('\n') + '\n\u0000garbage\n' + old.slice(10).join('\n') + '\n'
  writeFileSync(
    join(outbox, '0000000000001-000000.ndjson'),
    Buffer.concat([Buffer.alloc(64 * 1024), Buffer.from(text)])
  )
  // Segment refuses old-3 for good and fails every third batch; LaunchDarkly refuses one key's request and fails every other.
  let batches = 0
  const segment = await service((request) => (request.body.includes('"old-3"') ? 400 : ++batches % 3 === 0 ? 500 : 200))
  let forwards = 0
  const ld = await service((request) => (request.body === bodyAt(2) ? 401 : ++forwards % 2 === 0 ? 503 : 202))
  const env = {
    SEGMENT_WRITE_KEY: 'wk-faults',
    SEGMENT_HOST: segment.url,
    LD_FORWARD_EVENTS_TO: ld.url,
    LD_HEADERS_TIMEOUT_SECONDS: '1',
    LD_REQUEST_TIMEOUT_SECONDS: '2'
  }
  const first = await relayStarted(start(disk, env))
  for (let n = 0; n < 6; n++) expect((await post(first, n)).status).toBe(202)
  // Hostile clients: made-up kinds, a gzip bomb, a body cut off, headers that never end.
  const madeUp = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ kind: `k-${i}`, key: 'k' })))
  expect((await fetch(`${first.url}/events/bulk/x`, { method: 'POST', body: madeUp })).status).toBe(400)
  const bomb = new Blob([new Uint8Array(gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)))])
  const gzip = { 'Content-Encoding': 'gzip' }
  expect((await fetch(`${first.url}/events/bulk/x`, { method: 'POST', body: bomb, headers: gzip })).status).toBe(413)
  await cutOff(first.url, 100)
  await cutOff(first.url, 1500)

  // A second relay on the folder stops at once; the first carries on.
  const second = start(disk, env)
  expect(await second.exited).toEqual({ code: 1, signal: null })
  expect(second.output()).toContain('LD_SEGMENT_DATA_DIR is in use by another relay')
  expect((await post(first, 6)).status).toBe(202)

  // Killed outright during all this; the next start sends what is left.
  await new Promise((resolve) => setTimeout(resolve, 200))
  first.child.kill('SIGKILL')
  await first.exited
  const next = await relayStarted(start(disk, env))
  // 19 old calls (old-3 is dead-lettered) and 15 for each of the 7 accepted deliveries.
  await waitFor(() => new Set(messageIds(segment.delivered)).size === 19 + 7 * 15, 'every call at Segment', 40_000)
  expect(messageIds(segment.delivered)).not.toContain('old-3')
  const forwarded = () => new Set(ld.delivered.map((r) => r.body))
  await waitFor(
    () => [0, 1, 3, 4, 5, 6].every((n) => forwarded().has(bodyAt(n))),
    'every accepted forward at LaunchDarkly',
    40_000
  )
  expect(forwarded().has(bodyAt(2))).toBe(false)
  expect(readFileSync(join(outbox, 'dead-letter.ndjson')).includes(Buffer.alloc(64 * 1024))).toBe(true)
  expect(readFileSync(join(disk.dir, 'forward', 'dead-letter-reasons.ndjson'), 'utf8')).toContain('"status":401')
  next.child.kill('SIGTERM')
  expect(await next.exited).toEqual({ code: 0, signal: null })
  expectClean(first.output() + next.output() + second.output(), disk)
})

test('150 gzip bombs on the keyless client-side route with LaunchDarkly hanging: nothing forwarded, memory stays flat', async () => {
  const disk = smallDisk()
  const ld = await service(() => 'hold')
  const relay = await relayStarted(start(disk, { LD_FORWARD_EVENTS_TO: ld.url }))
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${relay.child.pid ?? 0}/status`, 'utf8'))?.[1]) / 1024
  const before = rss()
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20))
  let peak = before
  const sampling = setInterval(() => (peak = Math.max(peak, rss())), 20)
  const statuses = await Promise.all(
    Array.from({ length: 150 }, () =>
      fetch(`${relay.url}/events/bulk/any-id`, {
        method: 'POST',
        body: new Blob([new Uint8Array(bomb)]),
        headers: { 'Content-Encoding': 'gzip' }
      }).then((res) => res.status)
    )
  )
  clearInterval(sampling)
  expect(new Set(statuses)).toEqual(new Set([413]))
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(ld.requests).toEqual([])
  const health = await (await fetch(`${relay.url}/healthz`)).json()
  expect(health).toMatchObject({ status: 'ok', forward: { records: 0 } })
  console.log(`150 gzip bombs of ${bomb.length} bytes: RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB`)
  expect(peak - before).toBeLessThan(200)
  relay.child.kill('SIGTERM')
  expect(await relay.exited).toEqual({ code: 0, signal: null })
})

/** A request whose body stops half-way: its client leaves after `ms` (past LD_REQUEST_TIMEOUT_SECONDS, the relay closes it first). */
async function cutOff(url: string, ms: number): Promise<void> {
  const { hostname, port } = new URL(url)
  await new Promise<void>((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /bulk HTTP/1.1\r\nHost: x\r\nAuthorization: ${SDK_KEY}\r\nContent-Length: 100000\r\n\r\n[{"kind":`
      )
      setTimeout(() => {
        socket.destroy()
        resolve()
      }, ms)
    })
    socket.on('error', () => resolve())
  })
}
