// Where a replay stands, so `--resume` continues after a crash, kill or Ctrl+C: the inputs
// read to the end and acknowledged (a count and a chained digest of their paths, sizes
// and modification times), the byte offset just after the last acknowledged delivery of
// the current input, and the output file's length at that moment. Rewritten atomically
// (temporary file, fsync, rename) after every acknowledged delivery.

import { createHash } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Input } from './inputs'
import type { Form, Position } from './records'
import type { TargetMark } from './targets/target'

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CheckpointError'
  }
}

interface FileIdentity {
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
}

interface CheckpointData {
  readonly version: 1
  /** Which target the acknowledgements are from; never holds a secret. */
  readonly target: string
  readonly done: { readonly count: number; readonly digest: string }
  readonly current?: FileIdentity & { readonly form: Form; readonly position: Position }
  readonly mark?: TargetMark
}

/** Where to start an input: from its start, from a position, or not at all. */
export type Start =
  | { readonly from: 'start' }
  | { readonly from: 'done' }
  | { readonly form: Form; readonly position: Position }

const EMPTY_DIGEST = ''

function chain(digest: string, input: FileIdentity): string {
  return createHash('sha256').update(`${digest}\n${input.path}\n${input.size}\n${input.mtimeMs}`).digest('hex')
}

function identity(input: Input): FileIdentity {
  if (input.path === undefined || input.size === undefined || input.mtimeMs === undefined)
    throw new CheckpointError('standard input cannot be checkpointed')
  return { path: input.path, size: input.size, mtimeMs: input.mtimeMs }
}

export class Checkpoint {
  private data: CheckpointData

  private constructor(readonly path: string, data: CheckpointData) {
    this.data = data
  }

  /** A fresh run: any earlier checkpoint at `path` is replaced at once. */
  static fresh(path: string, target: string, mark: TargetMark | undefined): Checkpoint {
    const checkpoint = new Checkpoint(path, { version: 1, target, done: { count: 0, digest: EMPTY_DIGEST }, mark })
    checkpoint.write()
    return checkpoint
  }

  /** The checkpoint at `path`, if there is one. Throws CheckpointError when it is of another target or unreadable. */
  static load(path: string, target: string): Checkpoint | undefined {
    if (!existsSync(path)) return undefined
    let data: CheckpointData
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointData
    } catch (error) {
      throw new CheckpointError(
        `${path} is not a replay checkpoint (${(error as Error).message}): rerun without --resume`
      )
    }
    if (data?.version !== 1 || typeof data.done?.count !== 'number')
      throw new CheckpointError(`${path} is not a replay checkpoint: rerun without --resume`)
    if (data.target !== target)
      throw new CheckpointError(
        `${path} was made for another target (${data.target}): rerun without --resume, or give that target`
      )
    return new Checkpoint(path, data)
  }

  /** The output length a resumed target restores. */
  get mark(): TargetMark | undefined {
    return this.data.mark
  }

  /** Where to start each input, in order. Throws CheckpointError when the inputs are not those of the checkpoint. */
  plan(inputs: readonly Input[]): Start[] {
    const { done, current } = this.data
    if (done.count > inputs.length) throw changed(`${done.count} inputs were done, now there are ${inputs.length}`)
    let digest = EMPTY_DIGEST
    for (let i = 0; i < done.count; i++) digest = chain(digest, identity(inputs[i]))
    if (digest !== done.digest) throw changed('inputs read before were changed, removed or added before them')
    return inputs.map((input, i): Start => {
      if (i < done.count) return { from: 'done' }
      if (i > done.count || current === undefined) return { from: 'start' }
      const file = identity(input)
      if (file.path !== current.path) return { from: 'start' }
      if (file.size !== current.size || file.mtimeMs !== current.mtimeMs)
        throw changed(`${input.name} changed since the checkpoint`)
      return { form: current.form, position: current.position }
    })
  }

  /** Everything of `input` up to `position` is acknowledged. */
  advance(input: Input, form: Form, position: Position, mark: TargetMark | undefined): void {
    this.data = { ...this.data, current: { ...identity(input), form, position }, mark }
    this.write()
  }

  /** All of `input` is acknowledged. */
  finish(input: Input, mark: TargetMark | undefined): void {
    const { count, digest } = this.data.done
    this.data = {
      version: 1,
      target: this.data.target,
      done: { count: count + 1, digest: chain(digest, identity(input)) },
      mark
    }
    this.write()
  }

  private write(): void {
    mkdirSync(dirname(this.path), { recursive: true })
    const temporary = `${this.path}.tmp`
    const fd = openSync(temporary, 'w')
    try {
      writeSync(fd, JSON.stringify(this.data) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, this.path)
  }
}

function changed(why: string): CheckpointError {
  return new CheckpointError(`the inputs are not those of the checkpoint (${why}): rerun without --resume`)
}
