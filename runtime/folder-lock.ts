// One process per folder (docs/relay.md "One relay per data folder"): the relay holds its
// LD_SEGMENT_DATA_DIR, and a replay its outbox folder, for as long as it runs. Two senders
// of the same segment files would post them twice, race on their `.sent` offsets and
// delete each other's files.
//
// The lock is a file created only if absent (`wx`, atomic on local file systems and NFSv3+)
// holding who owns it: process id, host name, the kernel's boot id and the process's start
// time. A lock is stale when its owner is gone: on this host, when that process no longer
// runs (a kill -9, a reboot, a reused pid); on another host, when its owner stopped
// touching it (a heartbeat every HEARTBEAT_MS) for STALE_AFTER_MS. Taking over a stale lock
// happens under a short second lock, so that two processes starting at once after a crash
// cannot both take it, and removes only the very file judged stale.

import { linkSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'

const HEARTBEAT_MS = 10_000
/** A lock of another host untouched this long is stale: its owner missed six heartbeats. */
const STALE_AFTER_MS = 60_000
/** The takeover lock is held for milliseconds; one this old was left by a process killed meanwhile. */
const TAKEOVER_STALE_MS = 10_000
/** A lock file that is not one (garbage, an empty file) is left this long to whoever may be writing it. */
const UNREADABLE_STALE_MS = 2_000

/** Who holds a lock, as its file says. */
export interface LockOwner {
  pid: number
  host: string
  /** The kernel's boot id (Linux), or empty. */
  boot: string
  /** The process's start time in clock ticks since boot (Linux), or 0. */
  start: number
  /** ISO time the lock was taken. */
  since: string
}

/** The folder is held by a live process; `owner` says which. */
export class FolderInUse extends Error {
  constructor(readonly owner: LockOwner, readonly lockFile: string) {
    super(`held by process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`} since ${owner.since}`)
    this.name = 'FolderInUse'
  }
}

/** The folder could not be locked for another reason (no permission, a read-only disk): `code` says which. */
export class FolderLockFailed extends Error {
  constructor(readonly code: string) {
    super(code)
    this.name = 'FolderLockFailed'
  }
}

export interface FolderLock {
  /** Deletes the lock file if it is still this process's; idempotent. */
  release(): void
}

export interface LockOptions {
  /** The lock file's name in the folder. */
  file: string
  /** Told once when the heartbeat cannot touch the lock file (it was deleted, the disk failed). */
  onHeartbeatFailure?(code: string): void
}

/**
 * Takes the folder (creating it if need be) for this process until release() or exit.
 * Throws FolderInUse while another live process holds it, FolderLockFailed when the
 * folder or the lock file cannot be written.
 */
export function lockFolder(dir: string, options: LockOptions): FolderLock {
  const path = join(dir, options.file)
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    throw new FolderLockFailed(codeOf(error))
  }
  const me = ownerNow()
  // Waits only on a lock being written or taken over by another process at this moment.
  for (const deadline = Date.now() + 3 * UNREADABLE_STALE_MS; Date.now() < deadline; ) {
    if (create(path, me)) return held(path, me, options)
    const owner = readOwner(path)
    if (owner === 'absent') continue
    if (owner === 'unreadable' ? ageMs(path) < UNREADABLE_STALE_MS : !isStale(owner, path)) {
      if (owner === 'unreadable') sleepMs(50)
      else throw new FolderInUse(owner, path)
    } else takeOver(path, owner)
  }
  throw new FolderLockFailed('EBUSY')
}

/**
 * Creates the lock file holding `me`; false if one exists. Written aside, then linked into
 * place: the lock never exists without its content, so nobody reads a half-written one.
 */
function create(path: string, me: LockOwner): boolean {
  const aside = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}`
  const text = JSON.stringify(me) + '\n'
  try {
    writeFileSync(aside, text, { flag: 'wx' })
    try {
      linkSync(aside, path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // A file system without hard links: created in place (a reader may then see it empty, briefly).
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error
      writeFileSync(path, text, { flag: 'wx' })
    }
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new FolderLockFailed(codeOf(error))
  } finally {
    rmSync(aside, { force: true })
  }
}

/** Removes a stale lock, under the takeover lock and only if it is still the one judged stale. */
function takeOver(path: string, stale: LockOwner | 'unreadable'): void {
  const takeover = `${path}.takeover`
  const me = ownerNow()
  if (!create(takeover, me)) {
    // Another process is taking over: wait for it, unless it died doing so.
    if (ageMs(takeover) > TAKEOVER_STALE_MS) rmSync(takeover, { force: true })
    else sleepMs(20)
    return
  }
  try {
    const now = readOwner(path)
    const same = now === 'unreadable' ? stale === 'unreadable' : now !== 'absent' && sameOwner(now, stale)
    if (same) rmSync(path, { force: true })
  } finally {
    rmSync(takeover, { force: true })
  }
}

function held(path: string, me: LockOwner, options: LockOptions): FolderLock {
  let released = false
  let told = false
  const heartbeat = setInterval(() => {
    try {
      const now = new Date()
      utimesSync(path, now, now)
      told = false
    } catch (error) {
      if (!told) options.onHeartbeatFailure?.(codeOf(error))
      told = true
    }
  }, HEARTBEAT_MS)
  heartbeat.unref()
  const release = (): void => {
    if (released) return
    released = true
    clearInterval(heartbeat)
    process.off('exit', release)
    const owner = readOwner(path)
    if (owner !== 'absent' && owner !== 'unreadable' && sameOwner(owner, me)) rmSync(path, { force: true })
  }
  // process.exit() (a second signal, a fatal error) still releases it; only kill -9 leaves it, to be taken over.
  process.once('exit', release)
  return { release }
}

function isStale(owner: LockOwner, path: string): boolean {
  if (owner.host !== hostname()) return ageMs(path) > STALE_AFTER_MS
  const me = ownerNow()
  // Rebooted since: every process of that boot is gone.
  if (owner.boot && me.boot && owner.boot !== me.boot) return true
  if (owner.pid === process.pid && owner.start === me.start) return false
  if (!isRunning(owner.pid)) return true
  // The pid runs, but is it the owner? Not if it started at another time (the pid was reused).
  const start = startOf(owner.pid)
  return owner.start > 0 && start > 0 && start !== owner.start
}

function sameOwner(a: LockOwner, b: LockOwner | 'unreadable'): boolean {
  return b !== 'unreadable' && a.pid === b.pid && a.host === b.host && a.start === b.start && a.since === b.since
}

function readOwner(path: string): LockOwner | 'absent' | 'unreadable' {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
    throw new FolderLockFailed(codeOf(error))
  }
  // A lock of an earlier version holds the process id alone.
  if (/^\d+\s*$/.test(text))
    return { pid: Number(text), host: hostname(), boot: '', start: 0, since: 'an earlier start' }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') {
      return {
        pid: owner.pid,
        host: owner.host,
        boot: typeof owner.boot === 'string' ? owner.boot : '',
        start: typeof owner.start === 'number' ? owner.start : 0,
        since: typeof owner.since === 'string' ? owner.since : ''
      }
    }
  } catch {
    // Torn by a crash while it was written.
  }
  return 'unreadable'
}

function ownerNow(): LockOwner {
  return {
    pid: process.pid,
    host: hostname(),
    boot: bootId(),
    start: startOf(process.pid),
    since: new Date().toISOString()
  }
}

let boot: string | undefined
function bootId(): string {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    } catch {
      boot = ''
    }
  }
  return boot
}

/** A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or 0 off Linux. */
function startOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[19]) || 0
  } catch {
    return 0
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs
  } catch {
    return 0
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function codeOf(error: unknown): string {
  if (error instanceof FolderLockFailed) return error.code
  return (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'unknown error'
}
