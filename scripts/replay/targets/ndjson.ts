// `--to ndjson <file>`: each call appended as one JSON line, `{"type", ...message}` (the
// local runtime's sink and the relay's files use the same form), flushed to disk before
// it counts as sent. A resumed run first cuts the file back to the length the checkpoint
// recorded, so lines written after the last checkpoint are not written twice.

import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { ReplayCall } from '../deliveries'
import { Batch, every, Outcome, Target, TargetError, TargetMark } from './target'

/** `{"type": …, …message}` without copying the message into a new object. */
export function callLine(call: ReplayCall): string {
  const message = JSON.stringify(call.message)
  const type = `{"type":${JSON.stringify(call.type)}`
  return message === '{}' ? type + '}' : type + ',' + message.slice(1)
}

/** `resumeBytes`: the file's length at the checkpoint; undefined for a fresh run, which appends. */
export function ndjsonTarget(path: string, resumeBytes?: number): Target {
  mkdirSync(dirname(path), { recursive: true })
  const fd = openSync(path, 'a')
  let bytes = statSync(path).size
  if (resumeBytes !== undefined) {
    if (bytes < resumeBytes) {
      closeSync(fd)
      throw new TargetError(
        `${path} is shorter (${bytes} bytes) than the checkpoint recorded (${resumeBytes} bytes): rerun without --resume`
      )
    }
    ftruncateSync(fd, resumeBytes)
    bytes = resumeBytes
  }
  return {
    description: `ndjson ${path}`,
    concurrency: 1,
    async send(batch: Batch): Promise<Outcome[]> {
      if (batch.calls.length === 0) return []
      const text = Buffer.from(batch.calls.map(callLine).join('\n') + '\n')
      try {
        for (let written = 0; written < text.length; ) written += writeSync(fd, text, written, text.length - written)
        fdatasyncSync(fd)
        bytes += text.length
        return every(batch, { settlement: 'delivered' })
      } catch (error) {
        // Keep the file whole: no half-written line stays behind.
        try {
          ftruncateSync(fd, bytes)
        } catch {
          // The write's own error is the one to report.
        }
        return every(batch, { settlement: 'retryable', reason: `cannot write ${path}: ${(error as Error).message}` })
      }
    },
    mark(): TargetMark {
      return { outputBytes: bytes }
    },
    async close(): Promise<void> {
      closeSync(fd)
    }
  }
}
