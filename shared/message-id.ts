// Deterministic ids (design §3.9): a retried or replayed delivery produces the same
// messageIds, so Segment drops the duplicates; distinct events never share one.

import { NativeMap } from './lib/builtins'
import { EventRejection } from './errors'
import { canonicalJsonBytes, TooDeep } from './lib/canonical-json'
import { JsonObject, MAX_DEPTH } from './lib/json'
import { Sha256, sha256Hex } from './lib/sha256'

/** SHA-256 as lowercase hex, of bytes or of a text's UTF-8 (lib/sha256.ts, or the runtime's). */
export type Hash = Sha256

function idFrom(data: string | Uint8Array, hash: Hash): string {
  return 'ld-' + hash(data).slice(0, 32)
}

const UNSAFE = /[%|]/

/**
 * A part of the hashed text with `%` written `%25` and `|` written `%7C`, so that it holds
 * no `|` and the joined text splits back into its parts one way only: environment `x`
 * with id `y|z` and environment `x|y` with id `z` no longer share an id. A part with
 * neither character is written as it is, so its ids are those of before.
 */
function escaped(part: string): string {
  return UNSAFE.test(part) ? part.replace(/%/g, '%25').replace(/\|/g, '%7C') : part
}

/**
 * The UTF-8 of `prefix` + canonical JSON of an event + `suffix`, until the next call;
 * untrusted input may nest deeper than the walk allows.
 */
function canonicalEvent(prefix: string, event: JsonObject, suffix: string): Uint8Array {
  try {
    return canonicalJsonBytes(event, prefix, suffix)
  } catch (error) {
    if (error instanceof TooDeep) throw new EventRejection(`event is nested more than ${MAX_DEPTH} levels deep`)
    throw error
  }
}

/** Ids for the events of one delivery; counts repeats of identical events. */
export class MessageIds {
  /**
   * Identical events seen so far, keyed by the first one's id rather than by its canonical
   * text: a short key (shorter than the whole digest, and made anyway), and the text is
   * garbage at once instead of living as long as the delivery. Two texts whose digests
   * began alike for 128 bits would share an id anyway.
   */
  readonly #repeats = new NativeMap<string, number>()
  readonly #hash: Hash
  #environment = ''
  #prefix = '|'
  constructor(hash: Hash = sha256Hex) {
    this.#hash = hash
  }

  /** The event's own id wins; otherwise its canonical JSON plus how many identical events came before. */
  forEvent(environment: string, event: JsonObject, id: string | undefined): string {
    if (id !== undefined) return idFrom(escaped(environment) + '|' + escaped(id), this.#hash)
    // Events of a delivery mostly share their environment: its prefix is kept. The count
    // after the last `|` and an environment without one bound the canonical JSON between.
    if (environment !== this.#environment) {
      this.#environment = environment
      this.#prefix = escaped(environment) + '|'
    }
    // Written with the first count, the usual case; a repeat is written again with its own.
    const first = idFrom(canonicalEvent(this.#prefix, event, '|0'), this.#hash)
    const n = this.#repeats.get(first)
    this.#repeats.set(first, n === undefined ? 1 : n + 1)
    return n === undefined ? first : idFrom(canonicalEvent(this.#prefix, event, '|' + n), this.#hash)
  }
}

/**
 * Audit-log entries have a unique `_id` of their own. Escaped like an event's parts: a
 * text without `|` is never an event's, which always holds one.
 */
export function auditMessageId(entryId: string, hash: Hash = sha256Hex): string {
  return idFrom(escaped(entryId), hash)
}

/**
 * A name-based UUID (version 5 layout, SHA-256 digest) for a batch sent to LaunchDarkly,
 * derived from the Segment messageIds it carries: a retried batch gets the same
 * X-LaunchDarkly-Payload-ID and LaunchDarkly discards the repeat.
 */
export function payloadIdFor(messageIds: readonly string[], hash: Hash = sha256Hex): string {
  const hex = hash(messageIds.join('\n'))
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(
    20,
    32
  )}`
}
