// An input's bytes split into records without holding more than one record at a time:
// NDJSON lines, or the elements of JSON arrays (captured /bulk bodies; several arrays may
// follow one another). Each record carries its line number and the position just after
// it, which is what a checkpoint stores to pick up from.

/** A longer record is rejected alone, unread: it bounds memory, and no Segment message may exceed 32 KB anyway. */
export const MAX_RECORD_BYTES = 32 * 1024

export type Form = 'ndjson' | 'array'

/** Where reading stands in an input: a byte offset into the (inflated) data and the lines before it. */
export interface Position {
  readonly offset: number
  /** Line breaks before `offset`. */
  readonly line: number
  /** Array form only: the position is inside an array, just after an element. */
  readonly inArray?: boolean
}

export type Piece =
  /** `line` is 1-based; `element` tells an array element from an NDJSON line. */
  | {
      readonly type: 'record'
      readonly text: string
      readonly line: number
      readonly element: boolean
      readonly end: Position
    }
  | { readonly type: 'bad'; readonly line: number; readonly reason: string; readonly end: Position }
  /** The end of a JSON array: a captured body ends there, so its delivery does too. */
  | { readonly type: 'array-end'; readonly end: Position }

export interface Splitter {
  /** Appends the pieces completed by `chunk` to `out`. */
  push(chunk: Buffer, out: Piece[]): void
  /** At the end of the input: the last line, or a complaint about an array left open. */
  finish(out: Piece[]): void
}

const NEWLINE = 0x0a

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/** The UTF-8 byte order mark some Windows tools write at the start of a file. */
function isBom(byte: number): boolean {
  return byte === 0xef || byte === 0xbb || byte === 0xbf
}

/** The form of an input from its first bytes: '[' starts JSON arrays, anything else is NDJSON. Undefined while only blanks were seen. */
export function detectForm(head: Buffer): Form | undefined {
  for (const byte of head) {
    if (isSpace(byte) || isBom(byte)) continue
    return byte === 0x5b ? 'array' : 'ndjson'
  }
  return undefined
}

export function splitter(form: Form, from: Position): Splitter {
  return form === 'array' ? new ArraySplitter(from) : new LineSplitter(from)
}

/** Bytes of one record gathered across chunks, dropped as soon as they exceed the limit. */
class Gathered {
  private parts: Buffer[] = []
  private bytes = 0
  private oversized = false

  add(chunk: Buffer, start: number, end: number): void {
    if (this.oversized || end <= start) return
    this.bytes += end - start
    if (this.bytes > MAX_RECORD_BYTES) {
      this.oversized = true
      this.parts = []
    } else this.parts.push(chunk.subarray(start, end))
  }

  get empty(): boolean {
    return this.bytes === 0 && !this.oversized
  }

  /** The gathered text plus `chunk[start, end)`, or undefined when that is over the limit; then starts over. */
  take(chunk: Buffer, start: number, end: number): string | undefined {
    const over = this.oversized || this.bytes + end - start > MAX_RECORD_BYTES
    const text = over
      ? undefined
      : this.parts.length === 0
      ? chunk.toString('utf8', start, end)
      : Buffer.concat([...this.parts, chunk.subarray(start, end)]).toString('utf8')
    this.reset()
    return text
  }

  reset(): void {
    this.parts = []
    this.bytes = 0
    this.oversized = false
  }
}

class LineSplitter implements Splitter {
  private offset: number
  private line: number
  private readonly pending = new Gathered()

  constructor(from: Position) {
    this.offset = from.offset
    this.line = from.line
  }

  push(chunk: Buffer, out: Piece[]): void {
    let start = 0
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start)
      if (newline < 0) {
        this.pending.add(chunk, start, chunk.length)
        this.offset += chunk.length - start
        return
      }
      this.offset += newline + 1 - start
      this.line++
      this.emit(chunk, start, newline, out)
      start = newline + 1
    }
  }

  finish(out: Piece[]): void {
    if (!this.pending.empty) this.emit(Buffer.alloc(0), 0, 0, out, this.line + 1)
  }

  private emit(chunk: Buffer, start: number, end: number, out: Piece[], line = this.line): void {
    const position: Position = { offset: this.offset, line: this.line }
    let text = this.pending.take(chunk, start, end)
    if (text === undefined) {
      out.push({ type: 'bad', line, reason: `line is longer than ${MAX_RECORD_BYTES} bytes`, end: position })
      return
    }
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    text = text.trim()
    if (text !== '') out.push({ type: 'record', text, line, element: false, end: position })
  }
}

const enum State {
  /** Between arrays: only '[' or blanks may come. */
  Top,
  /** After '[' or ',': an element, or ']' for an empty array. */
  BeforeElement,
  InElement,
  /** After an element: ',' or ']'. */
  AfterElement,
  /** Something that is not a JSON array: the rest of the input is ignored. */
  Broken
}

/**
 * JSON arrays, element by element, found by a byte scan that tracks strings and nesting;
 * each element is then parsed on its own, so a bad one costs only itself.
 */
class ArraySplitter implements Splitter {
  private offset: number
  private line: number
  private state: State
  private depth = 0
  private inString = false
  private escaped = false
  private elementLine = 0
  private readonly element = new Gathered()

  constructor(from: Position) {
    this.offset = from.offset
    this.line = from.line
    this.state = from.inArray ? State.AfterElement : State.Top
  }

  push(chunk: Buffer, out: Piece[]): void {
    let elementStart = this.state === State.InElement ? 0 : -1
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]
      if (byte === NEWLINE) this.line++
      switch (this.state) {
        case State.Top:
          if (isSpace(byte) || (this.offset + i < 3 && isBom(byte))) break
          if (byte === 0x5b) this.state = State.BeforeElement
          else this.broken(`expected a JSON array, found ${JSON.stringify(String.fromCharCode(byte))}`, i, out)
          break
        case State.AfterElement:
          if (isSpace(byte)) break
          if (byte === 0x2c) this.state = State.BeforeElement
          else if (byte === 0x5d) this.arrayEnd(i, out)
          else this.broken(`expected "," or "]" after an array element`, i, out)
          break
        case State.BeforeElement:
          if (isSpace(byte)) break
          if (byte === 0x5d) {
            this.arrayEnd(i, out)
            break
          }
          this.state = State.InElement
          this.depth = 0
          this.inString = false
          this.escaped = false
          this.elementLine = this.line + 1
          elementStart = i
          if (this.ends(byte)) elementStart = this.closeElement(chunk, elementStart, i, byte, out)
          break
        case State.InElement:
          if (this.ends(byte)) elementStart = this.closeElement(chunk, elementStart, i, byte, out)
          break
        case State.Broken:
          break
      }
    }
    if (this.state === State.InElement && elementStart >= 0) this.element.add(chunk, elementStart, chunk.length)
    this.offset += chunk.length
  }

  finish(out: Piece[]): void {
    if (this.state === State.Top || this.state === State.Broken) return
    this.element.reset()
    const end = { offset: this.offset, line: this.line }
    out.push({ type: 'bad', line: this.line + 1, reason: 'the input ends inside a JSON array (no closing "]")', end })
    this.state = State.Broken
  }

  /** Follows strings and nesting; true at the ',' or ']' that ends the element. */
  private ends(byte: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false
      else if (byte === 0x5c) this.escaped = true
      else if (byte === 0x22) this.inString = false
    } else if (byte === 0x22) this.inString = true
    else if (byte === 0x7b || byte === 0x5b) this.depth++
    else if ((byte === 0x7d || byte === 0x5d) && this.depth > 0) this.depth--
    else if ((byte === 0x2c || byte === 0x5d) && this.depth === 0) return true
    return false
  }

  /** Emits the element ending at `at`, then takes its ',' or ']'; returns the new element start (none). */
  private closeElement(chunk: Buffer, start: number, at: number, byte: number, out: Piece[]): number {
    this.endElement(chunk, start, at, out)
    if (byte === 0x2c) this.state = State.BeforeElement
    else this.arrayEnd(at, out)
    return -1
  }

  private endElement(chunk: Buffer, start: number, at: number, out: Piece[]): void {
    // The element ends before its ',' or ']': a resumed read starts on that byte.
    const end: Position = { offset: this.offset + at, line: this.line, inArray: true }
    const text = this.element.take(chunk, start, at)
    if (text === undefined) {
      out.push({ type: 'bad', line: this.elementLine, reason: `element is longer than ${MAX_RECORD_BYTES} bytes`, end })
      return
    }
    out.push({ type: 'record', text: text.trim(), line: this.elementLine, element: true, end })
  }

  private arrayEnd(at: number, out: Piece[]): void {
    this.state = State.Top
    out.push({ type: 'array-end', end: { offset: this.offset + at + 1, line: this.line } })
  }

  private broken(reason: string, at: number, out: Piece[]): void {
    this.state = State.Broken
    const end = { offset: this.offset + at, line: this.line }
    out.push({ type: 'bad', line: this.line + 1, reason: `${reason}; the rest of the input is skipped`, end })
  }
}
