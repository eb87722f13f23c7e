// Small rules for the texts we show: lists that stop after a few items, and the one-line
// explanation a receiver gave for an answer.

import { isObject } from './json'

/** The parsed JSON text, or undefined when it is not JSON. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The first `shown` items joined with `; `, then `; and N more` for the other `total - shown`. */
export function firstAndMore(items: readonly string[], shown: number, total = items.length): string {
  const listed = items.slice(0, shown)
  const more = total - listed.length
  return listed.join('; ') + (more > 0 ? `; and ${more} more` : '')
}

/** A receiver's own explanation: the `message` of a JSON error body, else its text; one line, at most 300 characters. */
export function explanationOf(body: string | Record<string, unknown>): string {
  const parsed = typeof body === 'string' ? parseJsonOrUndefined(body) : body
  const message = isObject(parsed) && typeof parsed.message === 'string' ? parsed.message : undefined
  const text = message ?? (typeof body === 'string' ? body : JSON.stringify(body))
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > 300 ? `${line.slice(0, 297)}...` : line
}
