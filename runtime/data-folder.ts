// The relay's data folder (LD_SEGMENT_DATA_DIR): created if need be and held by this
// process for its whole life (folder-lock.ts), before anything in it is read or written,
// so that a second relay on the same folder stops at once instead of deleting the
// segments the first is still appending to; then what lives in it opened: the sink (the
// NDJSON file or the Segment outbox) and, with LD_FORWARD_EVENTS_TO, the forward outbox.
// Messages name the folder by its variable.

import type { OpenAppendFile } from './append-log'
import type { RuntimeConfig } from './config/variables'
import { FolderInUse, FolderLock, lockFolder } from './folder-lock'
import type { OutboxOptions } from './outbox/outbox'
import { Forwarding } from './forward'
import { openSink, OutboxTiming, Sink } from './sinks'
import { StartupError } from './startup'

export interface DataFolder {
  sink: Sink
  forwards?: Forwarding
  /** Closes the outboxes (sending for up to `flushMs` while their receivers accept), then releases the folder. */
  close(flushMs?: number): Promise<void>
}

export interface DataFolderSeams {
  openFile?: OpenAppendFile
  outbox?: OutboxTiming
  /** Hear what each request to Segment, and to LaunchDarkly, settled (the metrics count them). */
  onBatch?: OutboxOptions['onBatch']
  onForward?: OutboxOptions['onBatch']
}

/** Holds the folder and opens what lives in it; a StartupError naming LD_SEGMENT_DATA_DIR if it cannot. */
export async function openDataFolder(
  config: RuntimeConfig,
  secrets: readonly string[],
  log: OutboxOptions['log'],
  seams: DataFolderSeams
): Promise<DataFolder> {
  const lock = holdDataFolder(config.dataDir, log)
  let sink: Sink | undefined
  try {
    sink = await openSink(config, log, { openFile: seams.openFile, outbox: seams.outbox, onBatch: seams.onBatch })
    const forwards = await openForwarding(config, secrets, log, seams)
    const opened = sink
    return {
      sink: opened,
      forwards,
      async close(flushMs) {
        await Promise.all([opened.close(flushMs), forwards?.close(flushMs)])
        lock.release()
      }
    }
  } catch (error) {
    await sink?.close(0)
    lock.release()
    throw error
  }
}

async function openForwarding(
  config: RuntimeConfig,
  secrets: readonly string[],
  log: OutboxOptions['log'],
  seams: DataFolderSeams
): Promise<Forwarding | undefined> {
  const { forwardEventsTo } = config
  if (!forwardEventsTo) return undefined
  try {
    return await Forwarding.open({ ...config, forwardEventsTo }, secrets, log, {
      openFile: seams.openFile,
      timing: seams.outbox,
      onBatch: seams.onForward
    })
  } catch (error) {
    throw new StartupError(
      `LD_SEGMENT_DATA_DIR: the forward outbox in the folder cannot be opened (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).name
      }); set LD_SEGMENT_DATA_DIR to a folder this process can write`
    )
  }
}

export const LOCK_FILE = 'relay.lock'

/** Holds `dataDir` until release(); a StartupError naming LD_SEGMENT_DATA_DIR if it cannot. */
function holdDataFolder(dataDir: string, log: OutboxOptions['log']): FolderLock {
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
