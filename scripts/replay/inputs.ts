// The inputs of a replay: files, folders (every file below, in name order) and `-` for
// standard input, each read as a stream of bytes, inflated when it is gzip (told by its
// first bytes, whatever its name).

import { closeSync, createReadStream, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

export interface Input {
  /** As shown in reports: the path as given, or below a given folder; `-` for standard input. */
  readonly name: string
  /** Absolute real path; undefined for standard input. */
  readonly path?: string
  /** Bytes on disk (compressed ones for gzip); undefined for standard input. */
  readonly size?: number
  readonly mtimeMs?: number
}

export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}

const GZIP_MAGIC = [0x1f, 0x8b]
const CHUNK_BYTES = 64 * 1024

/**
 * The files to read, in order: arguments as given, folders expanded depth-first in name
 * order (names starting with "." are left out). `exclude` holds real paths never read,
 * files or folders (the replay's own output, checkpoint and outbox). Throws InputError for a
 * missing or unreadable one.
 */
export function listInputs(args: readonly string[], exclude: readonly string[] = []): Input[] {
  const inputs: Input[] = []
  const excluded = exclude.map(realOrAsGiven)
  // A link back up the tree is followed once.
  const folders = new Set<string>()
  const visit = (path: string, name: string): void => {
    const stat = statSync(path)
    if (stat.isDirectory()) {
      const real = realpathSync(path)
      if (folders.has(real)) return
      folders.add(real)
      const names = readdirSync(path)
        .filter((entry) => !entry.startsWith('.'))
        .sort()
      for (const entry of names) visit(join(path, entry), join(name, entry))
      return
    }
    if (!stat.isFile()) throw new InputError(`${name} is neither a file nor a folder`)
    const real = realpathSync(path)
    if (excluded.some((path) => real === path || real.startsWith(path + sep))) return
    inputs.push({ name, path: real, size: stat.size, mtimeMs: stat.mtimeMs })
  }
  for (const arg of args) {
    if (arg === '-') {
      inputs.push({ name: '-' })
      continue
    }
    try {
      visit(resolve(arg), arg)
    } catch (error) {
      if (error instanceof InputError) throw error
      const code = (error as { code?: string }).code
      throw new InputError(
        code === 'ENOENT' ? `${arg}: no such file or folder` : `${arg}: cannot be read (${code ?? String(error)})`
      )
    }
  }
  return inputs
}

/** The real path of what exists; what does not yet is compared as given. */
function realOrAsGiven(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/**
 * The input's bytes from `offset` on (an offset into the inflated data for gzip, which is
 * inflated from its start and skipped up to there). `onRaw` hears of every byte read from
 * disk or standard input, for progress.
 */
export async function* openInput(input: Input, offset: number, onRaw: (bytes: number) => void): AsyncGenerator<Buffer> {
  let raw: AsyncIterable<Buffer>
  let gzip: boolean
  if (input.path === undefined) {
    const head = await peek(process.stdin)
    gzip = isGzip(head.first)
    raw = head.stream
  } else {
    gzip = isGzip(readHead(input.path))
    raw = createReadStream(input.path, { start: gzip ? 0 : offset, highWaterMark: CHUNK_BYTES })
    if (!gzip) {
      // Read before, in an earlier run.
      onRaw(offset)
      offset = 0
    }
  }
  const counted = counting(raw, onRaw)
  const bytes = gzip ? inflate(counted) : counted
  let skip = offset
  for await (const chunk of bytes) {
    if (skip >= chunk.length) {
      skip -= chunk.length
      continue
    }
    yield skip > 0 ? chunk.subarray(skip) : chunk
    skip = 0
  }
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(2)
    return head.subarray(0, readSync(fd, head, 0, 2, 0))
  } finally {
    closeSync(fd)
  }
}

/** The first bytes of a stream (at least two, unless it ends first) and the whole stream again. */
async function peek(stream: AsyncIterable<Buffer>): Promise<{ first: Buffer; stream: AsyncIterable<Buffer> }> {
  const iterator = stream[Symbol.asyncIterator]()
  const seen: Buffer[] = []
  let length = 0
  while (length < 2) {
    const next = await iterator.next()
    if (next.done) break
    seen.push(next.value)
    length += next.value.length
  }
  async function* again(): AsyncGenerator<Buffer> {
    yield* seen
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value
  }
  return { first: Buffer.concat(seen), stream: again() }
}

async function* counting(stream: AsyncIterable<Buffer>, onRaw: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of stream) {
    onRaw(chunk.length)
    yield chunk
  }
}

/** Gzip members one after another (as `cat a.gz b.gz` makes) inflate as one stream. */
function inflate(stream: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES })
  const source = Readable.from(stream)
  source.on('error', (error) => gunzip.destroy(error))
  return source.pipe(gunzip)
}
