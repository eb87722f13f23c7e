// What a record is in an outbox's segment (segments.ts): one whole line of JSON text, an
// object, not longer than the outbox keeps. Anything else (NUL bytes a crash leaves in
// blocks never written, garbage, a line longer than any record) is damage, cut off and
// dead-lettered; and how far `.sent` says a segment is settled.

import { isUtf8 } from 'buffer'
import { readFile } from 'fs/promises'
import type { AppendLog } from '../append-log'

/** Whether a line (its text and bytes, without the newline) is a record. */
export function isRecord(line: string, bytes: Buffer, maxRecordBytes: number): boolean {
  if (bytes.length > maxRecordBytes || line.length < 2) return false
  if (line.charCodeAt(0) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d) return false
  // JSON text holds no raw control characters; decoding replaced bytes that are not UTF-8.
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) < 0x20) return false
  return !line.includes('\ufffd') || isUtf8(bytes)
}

/**
 * Where the damage in `line` (bytes that are not a record, up to and including the next
 * newline) ends, and what it is. A record after NUL bytes in the same line (a torn block
 * followed by later appends) is kept: the damage ends at its last control character.
 */
export function damaged(line: Buffer, maxRecordBytes: number): { end: number; reason: string } {
  const body = line[line.length - 1] === 0x0a ? line.subarray(0, line.length - 1) : line
  let end = line.length
  let last = body.length - 1
  while (last >= 0 && body[last] >= 0x20) last--
  const rest = body.subarray(last + 1)
  if (last >= 0 && rest.length > 0 && isRecord(rest.toString('utf8'), rest, maxRecordBytes)) end = last + 1
  const cut = line.subarray(0, end)
  const bytes = cut[cut.length - 1] === 0x0a ? cut.subarray(0, cut.length - 1) : cut
  const reason = bytes.every((byte) => byte === 0)
    ? `${bytes.length} NUL bytes (what a crash can leave in blocks never written)`
    : `${bytes.length} bytes that are not a whole record`
  return { end, reason }
}

/**
 * What `.sent` says: its last whole line (an earlier version wrote one number without a
 * newline, atomically), if that is where a line of the segment ends; else 0.
 */
export async function readSent(path: string, segment: AppendLog): Promise<number> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return 0
  }
  const lines = text.includes('\n') ? text.split('\n').slice(0, -1) : [text]
  for (let i = lines.length - 1; i >= 0; i--) {
    const value = Number(lines[i].trim())
    if (!Number.isSafeInteger(value) || value <= 0 || value > segment.size) continue
    const before = await segment.read(Buffer.alloc(1), 1, value - 1)
    if (before[0] === 0x0a) return value
  }
  return 0
}

/** Newlines from `from` to the end of the segment: its records not yet settled. */
export async function countLines(log: AppendLog, from: number): Promise<number> {
  const chunk = Buffer.allocUnsafe(1024 * 1024)
  let count = 0
  for (let at = from; at < log.size; ) {
    const read = await log.read(chunk, log.size - at, at)
    if (read.length === 0) break
    for (let i = read.indexOf(0x0a); i >= 0; i = read.indexOf(0x0a, i + 1)) count++
    at += read.length
  }
  return count
}
