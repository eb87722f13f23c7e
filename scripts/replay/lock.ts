// One replay at a time per outbox folder: two senders of the same segment files would post
// them twice and race on their `.sent` offsets. The relay's folder lock (runtime/folder-lock.ts),
// on the replay's own folder: a lock whose process is gone (a kill -9) is taken over.

import { join } from 'node:path'
import { FolderInUse, lockFolder as lockWith } from '../../runtime'
import type { FolderLock } from '../../runtime'
import { TargetError } from './targets/target'

export const LOCK_FILE = 'replay.lock'

/** Creates the folder if need be. Throws TargetError when another live process holds it. */
export function lockFolder(dir: string): FolderLock {
  const path = join(dir, LOCK_FILE)
  try {
    return lockWith(dir, { file: LOCK_FILE })
  } catch (error) {
    if (error instanceof FolderInUse)
      throw new TargetError(
        `${dir} is in use by another replay (process ${error.owner.pid}): wait for it to end, or delete ${path} if no replay is running`
      )
    throw new TargetError(`${dir} cannot be locked (${(error as Error).message})`)
  }
}
