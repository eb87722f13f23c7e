// Whether a text is JSON, without parsing it: JSON.parse throws a SyntaxError for text that
// is not, and building that error costs several microseconds, so a body of many short
// broken NDJSON lines cost seconds. This answers false exactly when JSON.parse would
// throw a SyntaxError (ECMAScript's JSON grammar), and allocates nothing but a small
// stack of open containers.

const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const QUOTE = 0x22
const PLUS = 0x2b
const COMMA = 0x2c
const MINUS = 0x2d
const DOT = 0x2e
const SLASH = 0x2f
const ZERO = 0x30
const NINE = 0x39
const COLON = 0x3a
const OPEN_BRACKET = 0x5b
const BACKSLASH = 0x5c
const CLOSE_BRACKET = 0x5d
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d

export function isJsonText(text: string): boolean {
  // One entry per open container: true for an object, false for an array.
  const open: boolean[] = []
  let i = skipSpace(text, 0)
  for (;;) {
    // A value starts at i.
    const c = text.charCodeAt(i)
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const object = c === OPEN_BRACE
      i = skipSpace(text, i + 1)
      if (text.charCodeAt(i) === (object ? CLOSE_BRACE : CLOSE_BRACKET)) i++
      else {
        open.push(object)
        if (object) i = member(text, i)
        if (i < 0) return false
        continue
      }
    } else {
      i = scalarEnd(text, i)
      if (i < 0) return false
    }
    // A value ends at i: close containers until the next value starts, or the text ends.
    for (;;) {
      i = skipSpace(text, i)
      if (open.length === 0) return i === text.length
      const object = open[open.length - 1]
      const d = text.charCodeAt(i)
      if (d === COMMA) {
        i = skipSpace(text, i + 1)
        if (object) i = member(text, i)
        if (i < 0) return false
        break
      }
      if (d !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) return false
      open.pop()
      i++
    }
  }
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i)
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return i
    i++
  }
}

/** `"key" :` at i: where the member's value starts, or -1. */
function member(text: string, i: number): number {
  i = stringEnd(text, i)
  if (i < 0) return -1
  i = skipSpace(text, i)
  return text.charCodeAt(i) === COLON ? skipSpace(text, i + 1) : -1
}

/** Where the string, number or literal at i ends, or -1. */
function scalarEnd(text: string, i: number): number {
  switch (text.charCodeAt(i)) {
    case QUOTE:
      return stringEnd(text, i)
    case 0x74:
      return text.startsWith('true', i) ? i + 4 : -1
    case 0x66:
      return text.startsWith('false', i) ? i + 5 : -1
    case 0x6e:
      return text.startsWith('null', i) ? i + 4 : -1
    default:
      return numberEnd(text, i)
  }
}

function stringEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) return -1
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) return i + 1
    if (c < SPACE) return -1
    if (c !== BACKSLASH) continue
    const escaped = text.charCodeAt(++i)
    if (escaped === 0x75) {
      // \uXXXX
      for (let k = 1; k <= 4; k++) if (!isHexDigit(text.charCodeAt(i + k))) return -1
      i += 4
    } else if (!isEscapeLetter(escaped)) return -1
  }
  return -1
}

/** \" \\ \/ \b \f \n \r \t */
function isEscapeLetter(c: number): boolean {
  return (
    c === QUOTE || c === BACKSLASH || c === SLASH || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74
  )
}

function isHexDigit(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

function digitsEnd(text: string, i: number): number {
  while (text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= NINE) i++
  return i
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i++
  const first = text.charCodeAt(i)
  if (first === ZERO) i++
  else if (first > ZERO && first <= NINE) i = digitsEnd(text, i)
  else return -1
  if (text.charCodeAt(i) === DOT) {
    const end = digitsEnd(text, i + 1)
    if (end === i + 1) return -1
    i = end
  }
  const e = text.charCodeAt(i)
  if (e === 0x65 || e === 0x45) {
    i++
    const sign = text.charCodeAt(i)
    if (sign === PLUS || sign === MINUS) i++
    const end = digitsEnd(text, i)
    if (end === i) return -1
    i = end
  }
  return i
}
