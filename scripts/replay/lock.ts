// One replay at a time per outbox folder: two senders of the same segment files would post
// them twice and race on their `.sent` offsets. The lock is a file holding its owner's
// process id, created only if absent; one whose process is gone (a kill -9) is taken over.

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { TargetError } from './targets/target'

export const LOCK_FILE = 'replay.lock'

export interface FolderLock {
  release(): void
}

/** Creates the folder if need be. Throws TargetError when another live process holds it. */
export function lockFolder(dir: string): FolderLock {
  const path = join(dir, LOCK_FILE)
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    throw new TargetError(`${dir} cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number
    try {
      fd = openSync(path, 'wx')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'EEXIST') throw new TargetError(`${dir} cannot be locked (${code ?? String(error)})`)
      const owner = ownerOf(path)
      if (owner !== undefined && isRunning(owner)) {
        throw new TargetError(
          `${dir} is in use by another replay (process ${owner}): wait for it to end, or delete ${path} if no replay is running`
        )
      }
      rmSync(path, { force: true })
      continue
    }
    try {
      writeSync(fd, `${process.pid}\n`)
    } finally {
      closeSync(fd)
    }
    return { release: () => rmSync(path, { force: true }) }
  }
  throw new TargetError(`${dir} cannot be locked: another replay took it at the same moment`)
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
