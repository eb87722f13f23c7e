// The Segment calls a source function makes, as the sandbox records them, and the checks
// Segment's runtime makes before it accepts one (design §4.2): an object, a user, an
// event name for a track call, JSON within 32 KB.

import { MAX_MESSAGE_BYTES } from '../../shared'
import type { SegmentCallType } from '../../shared'

export interface RecordedCall {
  type: SegmentCallType
  /**
   * A deep (JSON) copy of what the function passed, so later mutation cannot change it:
   * parsed from `json` when first read (the sinks write the text; most calls are never read).
   */
  readonly message: Record<string, unknown>
  /** The message's JSON text, as checked (not an own property): writing it out needs no second stringify. */
  readonly json?: string
  /** A track call's `event`, as checked (not an own property): counting calls by event needs no parse. */
  readonly event?: string
  /** Whether the message had a `type` of its own, as checked: if not, its line is `json` with the type in front. */
  readonly ownType?: boolean
}

/** A call as recorded: its message is parsed from the checked text only when read. */
export class SegmentCall implements RecordedCall {
  readonly type: SegmentCallType
  declare readonly message: Record<string, unknown>
  readonly #json: string
  readonly #event: string | undefined
  readonly #ownType: boolean
  #message: Record<string, unknown> | undefined

  /** One getter for every call (a getter per call, or defineProperties, costs as much as the parse). */
  static readonly #MESSAGE: PropertyDescriptor = {
    get(this: SegmentCall): Record<string, unknown> {
      return (this.#message ??= JSON.parse(this.#json) as Record<string, unknown>)
    },
    enumerable: true,
    configurable: true
  }

  constructor(type: SegmentCallType, json: string, event: string | undefined, ownType = false) {
    this.type = type
    this.#json = json
    this.#event = event
    this.#ownType = ownType
    // Own and enumerable, as on a plain object: a call compares and serialises as {type, message}.
    Object.defineProperty(this, 'message', SegmentCall.#MESSAGE)
  }

  get json(): string {
    return this.#json
  }

  get event(): string | undefined {
    return this.#event
  }

  get ownType(): boolean {
    return this.#ownType
  }
}

/** The `message` of a thrown value, or the value as text. */
export function messageOf(err: unknown): string {
  const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined
  return typeof message === 'string' ? message : String(err)
}

/** Why Segment would reject this message, or its JSON when it accepts it. */
export function checkMessage(type: SegmentCallType, message: unknown): { problem: string } | { json: string } {
  const problem = problemOf(type, message)
  if (problem !== undefined) return { problem }
  let json: string
  try {
    json = JSON.stringify(message)
  } catch (err) {
    return { problem: `the message is not serializable as JSON (${messageOf(err)})` }
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only a long text is counted byte by byte.
  const bytes = json.length * 3 <= MAX_MESSAGE_BYTES ? json.length : Buffer.byteLength(json, 'utf8')
  if (bytes > MAX_MESSAGE_BYTES)
    return {
      problem: `the message is ${bytes} bytes of JSON, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes (32 KB)`
    }
  return { json }
}

function problemOf(type: SegmentCallType, message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'the message must be an object'
  const m = message as Record<string, unknown>
  const has = (key: string): boolean => m[key] !== undefined && m[key] !== null && m[key] !== ''
  if (type === 'alias') {
    if (!has('userId') || !has('previousId')) return 'userId and previousId are required'
  } else if (!has('userId') && !has('anonymousId')) {
    return 'userId or anonymousId is required'
  }
  if (type === 'track' && (typeof m.event !== 'string' || m.event === '')) return 'event must be a non-empty string'
  return undefined
}
