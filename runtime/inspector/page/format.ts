// The texts the page makes of numbers, times and JSON, and the colour of a status.

/** `1 request`, `2 requests`. */
export function plural(n: number, one: string, many: string): string {
  return n + ' ' + (n === 1 ? one : many)
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

/** The local time of day, to the millisecond: `14:03:07.123`; a text that is no time, as it is. */
export function clock(iso: string): string {
  const d = new Date(iso)
  if (isNaN(d.getTime())) return String(iso)
  return (
    pad(d.getHours(), 2) +
    ':' +
    pad(d.getMinutes(), 2) +
    ':' +
    pad(d.getSeconds(), 2) +
    '.' +
    pad(d.getMilliseconds(), 3)
  )
}

/** JSON text indented; a text that is not JSON (one cut with `…`), as it is. */
export function pretty(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

/** A card's colour: ok (2xx, 3xx), warn (4xx), bad (5xx, and 0: no answer). */
export function statusClass(status: number): 'ok' | 'warn' | 'bad' {
  return status >= 200 && status < 400 ? 'ok' : status >= 400 && status < 500 ? 'warn' : 'bad'
}
