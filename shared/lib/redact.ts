// Keeping secrets out of text that leaves the process: log lines, error messages, answers.

import { Bytes, min } from './builtins'

const REDACTED = '[redacted]'

/** Shorter shared runs are too common in ordinary text to mean anything. */
const MIN_LEAK = 8

/**
 * Replaces every run of 8 or more characters that also occurs in a secret: messages may
 * quote a truncated piece of untrusted input (a body's first characters, a key cut
 * short), and a piece of a secret is a leak too (a secret shorter than that is replaced
 * where it occurs whole). A mangled message beats a leaked secret.
 */
export function redact(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0) return text
  // Marked on the original text first, so that replacements cannot interact.
  const hidden = new Bytes(text.length)
  for (const secret of secrets) {
    const run = min(secret.length, MIN_LEAK)
    if (run === 0) continue
    for (let start = 0; start + run <= secret.length; start++) {
      const seed = secret.slice(start, start + run)
      for (let at = text.indexOf(seed); at >= 0; at = text.indexOf(seed, at + 1)) {
        // Widen the match as far as text and secret keep agreeing.
        let end = at + run
        while (end < text.length && start + (end - at) < secret.length && text[end] === secret[start + (end - at)])
          end++
        hidden.fill(1, at, end)
      }
    }
  }
  let out = ''
  for (let i = 0; i < text.length; ) {
    if (!hidden[i]) out += text[i++]
    else {
      out += REDACTED
      while (hidden[i]) i++
    }
  }
  return out
}
