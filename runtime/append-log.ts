// A file that grows by whole appends or not at all: what the NDJSON sink and the outboxes
// write (and the outboxes read) through. Appends are serialised and grouped (one write and one fsync for all the
// appends that arrived meanwhile); a failed write (a full disk, a read-only folder) is
// cut back off, so the file holds exactly what it held before, and every append of the
// group fails. An append resolves only once its bytes are on disk.

import { open } from 'fs/promises'

/** The part of `fs/promises`' FileHandle an append log uses: injectable to simulate a full disk. */
export interface AppendFile {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
  sync(): Promise<void>
  truncate(length: number): Promise<void>
  stat(): Promise<{ size: number }>
  close(): Promise<void>
}

/** Opens `path` for reading and appending, creating it with `mode` (before the umask) if absent. */
export type OpenAppendFile = (path: string, mode?: number) => Promise<AppendFile>

/** Opens for reading and writing, creating the file; writes go at explicit positions. */
export const openAppendFile: OpenAppendFile = async (path, mode = 0o666) => {
  const handle = await open(path, 'a+', mode)
  // 'a+' appends whatever position is given, which is what the log's positions say too.
  return handle as unknown as AppendFile
}

/** Why a write failed, naming the problem by its code and never by the file's path. */
export class WriteFailed extends Error {
  /** `operation`: what failed, when it was not a write (a read of the outbox, opening a file). */
  constructor(
    readonly code: string | undefined,
    cause: unknown,
    readonly operation: 'write' | 'read' | 'open' = 'write'
  ) {
    super(describeWriteError(code, cause))
    this.name = 'WriteFailed'
  }
}

/** A file-system error as a WriteFailed (its code only, never the path), or the WriteFailed itself. */
export function asWriteFailed(error: unknown, operation: WriteFailed['operation'] = 'write'): WriteFailed {
  if (error instanceof WriteFailed) return error
  return new WriteFailed((error as { code?: string } | undefined)?.code, error, operation)
}

const CODES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'an input/output error',
  EFBIG: 'the file is too large',
  EBADF: 'the file is closed',
  ENOENT: 'the file or folder is gone',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system'
}

function describeWriteError(code: string | undefined, cause: unknown): string {
  if (code && CODES[code]) return `${code}: ${CODES[code]}`
  // Node's messages name the path: only the code is kept.
  return code ?? (cause instanceof Error ? cause.name : 'unknown error')
}

interface Pending {
  data: Buffer
  resolve(offset: number): void
  reject(error: Error): void
}

export class AppendLog {
  /** Bytes known to be on disk, whole appends only. */
  size: number
  private pending: Pending[] = []
  private writing = false
  /** A failed write could not be cut back: the next write tries again first. */
  private dirty = false

  private constructor(private readonly file: AppendFile, size: number, private readonly flush: boolean) {
    this.size = size
  }

  /**
   * Opens `path`, keeping only whole lines of what it holds (a process killed in the
   * middle of a write leaves a torn last line, which was never acknowledged).
   */
  /**
   * `flush: false` skips the fsync: for what may be lost to a power cut (an outbox's
   * acknowledgements: the records are then sent again), never for what a 202 promises.
   */
  static async open(
    path: string,
    openFile: OpenAppendFile = openAppendFile,
    mode?: number,
    flush = true
  ): Promise<AppendLog> {
    const file = await openFile(path, mode)
    try {
      const { size } = await file.stat()
      const log = new AppendLog(file, size, flush)
      if (size > 0) log.size = await wholeLinesSize(file, size)
      if (log.size !== size) await file.truncate(log.size)
      return log
    } catch (error) {
      await file.close().catch(() => undefined)
      throw error
    }
  }

  /** Reads up to `length` bytes at `position` (within what is on disk); resolves with the bytes read. */
  async read(buffer: Buffer, length: number, position: number): Promise<Buffer> {
    try {
      const { bytesRead } = await this.file.read(buffer, 0, Math.min(length, buffer.length), position)
      return buffer.subarray(0, bytesRead)
    } catch (error) {
      throw new WriteFailed((error as { code?: string }).code, error, 'read')
    }
  }

  /** Resolves with the offset `data` starts at, once it is on disk. */
  append(data: Buffer): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ data, resolve, reject })
      if (!this.writing) void this.writeGroups()
    })
  }

  async close(): Promise<void> {
    while (this.writing) await new Promise((resolve) => setImmediate(resolve))
    await this.file.close()
  }

  private async writeGroups(): Promise<void> {
    this.writing = true
    while (this.pending.length) {
      const group = this.pending
      this.pending = []
      const data = group.length === 1 ? group[0].data : Buffer.concat(group.map((p) => p.data))
      const start = this.size
      try {
        await this.write(data)
        let offset = start
        for (const p of group) {
          p.resolve(offset)
          offset += p.data.length
        }
      } catch (error) {
        for (const p of group) p.reject(error as Error)
      }
    }
    this.writing = false
  }

  private async write(data: Buffer): Promise<void> {
    try {
      if (this.dirty) {
        await this.file.truncate(this.size)
        this.dirty = false
      }
      for (let done = 0; done < data.length; ) {
        const { bytesWritten } = await this.file.write(data, done, data.length - done, this.size + done)
        done += bytesWritten
      }
      if (this.flush) await this.file.sync()
      this.size += data.length
    } catch (error) {
      const code = (error as { code?: string }).code
      this.dirty = true
      try {
        await this.file.truncate(this.size)
        this.dirty = false
      } catch {
        // Tried again before the next write.
      }
      throw new WriteFailed(code, error)
    }
  }
}

/** The length of the file's prefix that ends with a newline. */
async function wholeLinesSize(file: AppendFile, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024)
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length)
    const { bytesRead } = await file.read(chunk, 0, end - start, start)
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a)
    if (at >= 0) return start + at + 1
    end = start
  }
  return 0
}
