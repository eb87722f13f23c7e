// The relay's data folder (LD_SEGMENT_DATA_DIR): created if need be and held by this
// process for its whole life (folder-lock.ts), before anything in it is read or written,
// so that a second relay on the same folder stops at once instead of deleting the
// segments the first is still appending to. Messages name the folder by its variable.

import { FolderInUse, FolderLock, lockFolder } from './folder-lock'
import { StartupError } from './startup'

export const LOCK_FILE = 'relay.lock'

/** Holds `dataDir` until release(); a StartupError naming LD_SEGMENT_DATA_DIR if it cannot. */
export function holdDataFolder(dataDir: string, log: (line: string) => void): FolderLock {
  try {
    return lockFolder(dataDir, {
      file: LOCK_FILE,
      onHeartbeatFailure: (code) =>
        log(`data folder: the lock file ${LOCK_FILE} in LD_SEGMENT_DATA_DIR cannot be touched (${code})`)
    })
  } catch (error) {
    if (error instanceof FolderInUse)
      throw new StartupError(
        `LD_SEGMENT_DATA_DIR is in use by another relay (${error.message}): one relay per data folder; stop that one, or set LD_SEGMENT_DATA_DIR to a folder of this relay's own`
      )
    throw new StartupError(
      `LD_SEGMENT_DATA_DIR: the folder cannot be created or locked (${
        (error as Error).message
      }); set LD_SEGMENT_DATA_DIR to a folder this process can write`
    )
  }
}
