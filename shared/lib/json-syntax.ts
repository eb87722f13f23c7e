// Whether a text is JSON, without parsing it: JSON.parse throws a SyntaxError for text that
// is not, and building that error costs microseconds, so a body of many short broken NDJSON
// lines cost seconds. This answers false exactly when JSON.parse would throw a SyntaxError
// (ECMAScript's JSON grammar), token by token, keeping only a stack of open containers.

// One token after JSON whitespace: an opening, a closing, a separator, or a scalar. Control
// characters in strings are refused after the match (see isJsonText).
const TOKEN =
  /[ \t\n\r]*(?:([[{])|([\]}])|([,:])|("(?:[^"\\]|\\(?:["\\/bfnrt]|u[\dA-Fa-f]{4}))*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[Ee][+-]?\d+)?|true|false|null))/y
const SPACE = /[ \t\n\r]*/y

const VALUE = 0 // a value is due
const FIRST = 1 // after an opening: a value or key, or the closing
const KEY = 2 // a key is due
const COLON = 3
const NEXT = 4 // after a value: a separator or a closing

export function isJsonText(text: string): boolean {
  // One entry per open container: '}' for an object, ']' for an array.
  const open: string[] = []
  let due = VALUE
  TOKEN.lastIndex = 0
  for (;;) {
    const at = TOKEN.lastIndex
    const token = TOKEN.exec(text)
    if (token === null) {
      SPACE.lastIndex = at
      SPACE.exec(text)
      return due === NEXT && open.length === 0 && SPACE.lastIndex === text.length
    }
    const [, opening, closing, separator, scalar] = token
    const inObject = open[open.length - 1] === '}'
    if (closing !== undefined) {
      if ((due !== NEXT && due !== FIRST) || open.pop() !== closing) return false
      due = NEXT
    } else if (separator !== undefined) {
      if (separator === ':' ? due !== COLON : due !== NEXT || open.length === 0) return false
      due = separator === ':' || !inObject ? VALUE : KEY
    } else if (due === NEXT || due === COLON || (due !== VALUE && inObject && opening !== undefined)) {
      return false
    } else if (opening !== undefined) {
      open.push(opening === '{' ? '}' : ']')
      due = FIRST
    } else {
      for (let i = 0; i < scalar.length; i++) if (scalar.charCodeAt(i) < 0x20) return false
      // A key is a string; in an object, a first token that is not a closing is its key.
      const isKey = due === KEY || (due === FIRST && inObject)
      if (isKey && scalar[0] !== '"') return false
      due = isKey ? COLON : NEXT
    }
  }
}
