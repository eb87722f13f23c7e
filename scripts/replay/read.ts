// One input read into deliveries, streamed: bytes (inflated if gzip) → records → deliveries,
// one chunk at a time, so memory holds a chunk and the deliveries being packed, never the
// input. The consumer awaits each delivery before the next is read.

import { Delivery, Grouper, Rejected } from './deliveries'
import { Input, openInput } from './inputs'
import type { InputProgress } from './progress'
import { detectForm, Form, Piece, Position, Splitter, splitter } from './records'

export type Read =
  | { readonly form: Form; readonly delivery: Delivery }
  /** The input is read to its end (or to where it could not be read further). */
  | { readonly form: Form; readonly end: true }

export interface ReadListener {
  /** A record (line or array element) was read, whatever becomes of it. */
  record(): void
  rejected(rejected: Rejected): void
}

/** `start`: where an earlier run stopped, with the form it found; undefined to read from the start. */
export async function* deliveriesOf(
  input: Input,
  start: { readonly form: Form; readonly position: Position } | undefined,
  progress: InputProgress,
  listener: ReadListener
): AsyncGenerator<Read> {
  const from = start?.position ?? { offset: 0, line: 0 }
  let form = start?.form
  let split: Splitter | undefined = form && splitter(form, from)
  let head: Buffer[] = []
  const pieces: Piece[] = []
  const ready: Delivery[] = []
  let lastLine = from.line
  const grouper = new Grouper(from, (delivery) => ready.push(delivery), listener.rejected)
  const group = (): void => {
    for (const piece of pieces) {
      if (piece.type !== 'array-end') {
        listener.record()
        lastLine = piece.line
      }
      grouper.push(piece)
    }
    pieces.length = 0
  }

  progress.inflated = progress.acked = from.offset
  let readable = true
  try {
    for await (const chunk of openInput(input, from.offset, (bytes) => (progress.raw += bytes))) {
      progress.inflated += chunk.length
      if (split === undefined) {
        // The form shows at the first byte that is not blank.
        head.push(chunk)
        const joined = Buffer.concat(head)
        form = detectForm(joined)
        if (form === undefined) continue
        split = splitter(form, from)
        head = []
        split.push(joined, pieces)
      } else split.push(chunk, pieces)
      group()
      for (const delivery of ready.splice(0)) yield { form: form as Form, delivery }
    }
  } catch (error) {
    readable = false
    listener.rejected({ line: lastLine + 1, reason: `${readFailure(error)}; the rest of the input is skipped` })
  }
  // What could not be read to its end is not handed on: a cut-off last line is no record.
  if (readable) split?.finish(pieces)
  group()
  grouper.flush()
  form ??= 'ndjson'
  for (const delivery of ready.splice(0)) yield { form, delivery }
  yield { form, end: true }
}

function readFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code.startsWith('Z_')) return 'the gzip data is corrupt or cut off'
  return `the input cannot be read (${(error as Error).message ?? String(error)})`
}
