// The contract of Segment Functions (design §4.2), declared once: what a function
// receives, the errors it may fail with, the limits it runs under and the cache and
// settings shapes. The source function, the Functions sandbox in runtime/ and the
// deploy script all read it from here.

/** Largest body Segment hands a function invocation. */
export const MAX_BODY_BYTES = 512 * 1024
/** Largest Segment message a function may emit: the JSON text's bytes. */
export const MAX_MESSAGE_BYTES = 32768
/** How long one invocation may run. */
export const FUNCTION_TIMEOUT_MS = 5000
/**
 * The oldest Node.js major a function may run on: functions deployed before 2026-01-31 and
 * not redeployed since stay on Node.js 18; new and redeployed ones run on 22.
 */
export const OLDEST_FUNCTIONS_NODE = 18

/** Segment's error classes: each fails the delivery for good, except RetryError (retried). */
export const SEGMENT_ERROR_NAMES = [
  'EventNotSupported',
  'InvalidEventPayload',
  'ValidationError',
  'RetryError'
] as const
export type SegmentErrorName = (typeof SEGMENT_ERROR_NAMES)[number]

/** The calls the `Segment` global offers a source function. */
export const SEGMENT_CALL_TYPES = ['track', 'page', 'identify', 'group', 'alias', 'screen'] as const
export type SegmentCallType = (typeof SEGMENT_CALL_TYPES)[number]
export type SegmentApi = { readonly [type in SegmentCallType]: (message: object) => void }

/** What `onRequest(request, settings)` receives: the HTTP request of one delivery. */
export interface FunctionRequest {
  /** The raw body. Segment's reference runtime has it, its documentation does not: may be absent. */
  text?(): Promise<string>
  /** The parsed body, documented (and shown called without `await`): a value or a promise of one. */
  json(): unknown
  readonly headers: { get(name: string): string | null }
  /** A URL in Segment; tolerated as a string. */
  readonly url: URL | string
}

/** The `cache` global: a value per key for as long as the warm instance lives. */
export interface FunctionCache {
  /** Returns the cached value for `key`, or runs `load` and keeps its result for `ttlMs`. */
  load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>
  /** Segment documents it; optional here, as not every stand-in has it. */
  delete?(key: string): void
}

/** One setting as the Segment UI declares it (`{name, label, description, type, required, sensitive}`). */
export interface SettingDeclaration {
  readonly name: string
  readonly label: string
  /** Shown under the field in the Segment UI: written for the person filling it in. */
  readonly description: string
  readonly type: 'STRING' | 'BOOLEAN'
  readonly required: boolean
  /** Sensitive values are masked in the Segment UI once saved. */
  readonly sensitive: boolean
}
