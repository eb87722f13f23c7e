// The folder lock (runtime/folder-lock.ts) the relay holds on LD_SEGMENT_DATA_DIR and a
// replay on its outbox folder: refused while its owner lives, taken over once it is gone,
// by exactly one of the processes that start at once after a kill -9.

import { spawn, spawnSync } from 'child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'fs'
import { hostname, tmpdir } from 'os'
import { join } from 'path'
import { FolderInUse, lockFolder } from '../../runtime/folder-lock'

const ROOT = join(__dirname, '..', '..')
const FILE = 'test.lock'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ld-lock-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const lockPath = () => join(dir, FILE)
const owner = () => JSON.parse(readFileSync(lockPath(), 'utf8'))
/** A process id that no longer runs. */
const gonePid = () => spawnSync(process.execPath, ['-e', '']).pid

test('the lock file says who holds it; release deletes it; a second taker is refused while it is held', () => {
  const lock = lockFolder(dir, { file: FILE })
  expect(owner()).toEqual({
    pid: process.pid,
    host: hostname(),
    boot: expect.any(String),
    start: expect.any(Number),
    since: expect.stringMatching(/Z$/)
  })
  // This very process, taking it again (a relay started twice in one process): refused too.
  expect(() => lockFolder(dir, { file: FILE })).toThrow(FolderInUse)
  lock.release()
  expect(existsSync(lockPath())).toBe(false)
  lockFolder(dir, { file: FILE }).release()
})

test('a lock whose process is gone, or whose pid now runs another process, is taken over', () => {
  writeFileSync(lockPath(), JSON.stringify({ ...liveOwner(), pid: gonePid() }))
  lockFolder(dir, { file: FILE }).release()
  // The parent process runs, but started at another time than the lock says: a reused pid.
  writeFileSync(lockPath(), JSON.stringify({ ...liveOwner(), start: liveOwner().start + 1 }))
  lockFolder(dir, { file: FILE }).release()
  // The lock of an earlier version: a bare pid.
  writeFileSync(lockPath(), `${gonePid()}\n`)
  lockFolder(dir, { file: FILE }).release()
})

test('a live process of this host keeps it; a lock of another host is stale only once its heartbeat stopped', () => {
  writeFileSync(lockPath(), JSON.stringify(liveOwner()))
  expect(() => lockFolder(dir, { file: FILE })).toThrow(
    new RegExp(`^held by process ${process.ppid} since 2026-01-01T00:00:00.000Z$`)
  )
  writeFileSync(lockPath(), JSON.stringify({ ...liveOwner(), host: 'another-host', pid: 1 }))
  expect(() => lockFolder(dir, { file: FILE })).toThrow(/^held by process 1 on another-host since /)
  const old = new Date(Date.now() - 61_000)
  utimesSync(lockPath(), old, old)
  lockFolder(dir, { file: FILE }).release()
})

test('release leaves a lock that another process took meanwhile', () => {
  const lock = lockFolder(dir, { file: FILE })
  writeFileSync(lockPath(), JSON.stringify(liveOwner()))
  lock.release()
  expect(owner().pid).toBe(process.ppid)
})

test('exit releases it; after kill -9, of eight processes starting at once exactly one takes it over', async () => {
  const script = (holdMs: number) =>
    `const { lockFolder } = require(${JSON.stringify(join(ROOT, 'runtime', 'folder-lock.ts'))});` +
    `try { lockFolder(${JSON.stringify(
      dir
    )}, { file: '${FILE}' }); console.log('took'); setTimeout(() => process.exit(0), ${holdMs}) }` +
    ` catch (e) { console.log(e.name); process.exit(3) }`
  const run = (holdMs: number) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script(holdMs)], { cwd: ROOT })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.on('exit', (code) => resolve({ code, out: out.trim() }))
    })
  expect(await run(0)).toEqual({ code: 0, out: 'took' })
  expect(existsSync(lockPath())).toBe(false)

  writeFileSync(lockPath(), JSON.stringify({ ...liveOwner(), pid: gonePid() }))
  const results = await Promise.all(Array.from({ length: 8 }, () => run(3000)))
  expect(results.filter((r) => r.out === 'took')).toHaveLength(1)
  expect(results.filter((r) => r.out === 'FolderInUse' && r.code === 3)).toHaveLength(7)
}, 60_000)

/** The lock the parent process (the jest runner, alive) would write. */
function liveOwner() {
  const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8')
  const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  return { pid: process.ppid, host: hostname(), boot, start, since: '2026-01-01T00:00:00.000Z' }
}
