// What Segment's Functions runtime provides as globals (SPEC 4.2), declared for the
// TypeScript compiler. The only module that names them, so the rest of the function
// can be read (and tested) without the runtime in mind.
//
// The declarations are module-scoped on purpose: @types/node declares a global `crypto`
// (Web Crypto) and `fetch` (undici) with other shapes, and redeclaring them globally
// would clash. In the bundle these names stay free identifiers, so they resolve to the
// runtime's globals, or to parameters if Segment wraps the code in a function.

import { sha256Hex } from '../../shared/sha256'

/**
 * The parts of `crypto` used here. Segment documents Node's crypto module; plain Node 20
 * has Web Crypto as the global instead. Both are handled, so a runtime that offers the
 * other one degrades to slower code rather than failing every signed delivery.
 */
interface NodeHash {
  update(data: string): NodeHash
  digest(encoding: 'hex'): string
}
interface Subtle {
  importKey(format: 'raw', key: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: false, usages: ['sign']): Promise<unknown>
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>
}
interface RuntimeCrypto {
  createHash?(algorithm: 'sha256'): NodeHash
  createHmac?(algorithm: 'sha256', key: string): NodeHash
  subtle?: Subtle
}

/** What `onRequest` receives: the HTTP request of one delivery. */
export interface FunctionRequest {
  text(): Promise<string>
  readonly headers: { get(name: string): string | null }
  /** A URL in Segment; tolerated as a string. */
  readonly url: URL | string
}

export interface SegmentApi {
  track(message: object): void
  page(message: object): void
  alias(message: object): void
}

export interface RuntimeCache {
  /** Returns the cached value for `key`, or runs `load` and keeps its result for `ttlMs`. */
  load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>
  /** Segment documents it; optional here, as not every stand-in has it. */
  delete?(key: string): void
}

/** node-fetch 2 (Segment) also honours `timeout`; Node's fetch honours `signal`. */
export interface FetchInit {
  method?: string
  headers?: Record<string, string>
  signal?: unknown
  timeout?: number
}
export interface FetchResponse {
  readonly status: number
  json(): Promise<unknown>
}
export type Fetch = (url: string, init?: FetchInit) => Promise<FetchResponse>

declare const Segment: SegmentApi
declare const cache: RuntimeCache | undefined
declare const crypto: RuntimeCrypto | undefined
declare const fetch: Fetch
declare class EventNotSupported extends Error {}
declare class InvalidEventPayload extends Error {}
declare class ValidationError extends Error {}
declare class RetryError extends Error {}

export const segment = (): SegmentApi => Segment
export const runtimeFetch: Fetch = (url, init) => fetch(url, init)

/** Segment's cache when the runtime has one; undefined otherwise (the caller keeps its own). */
export function runtimeCache(): RuntimeCache | undefined {
  return typeof cache === 'object' && cache !== null && typeof cache.load === 'function' ? cache : undefined
}

function runtimeCrypto(): RuntimeCrypto | undefined {
  return typeof crypto === 'object' && crypto !== null ? crypto : undefined
}

/**
 * Lowercase hex SHA-256 with Node's crypto: much faster than the portable one in shared/,
 * same output. Undefined if the runtime lacks it; shared/ then uses its own.
 */
export function nodeSha256(): ((text: string) => string) | undefined {
  const node = runtimeCrypto()
  const createHash = node?.createHash
  if (typeof createHash !== 'function') return undefined
  return (text) => createHash.call(node, 'sha256').update(text).digest('hex')
}

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16))

/** Lowercase hex HMAC-SHA256 of `text`'s UTF-8, keyed with `key`'s UTF-8. */
export async function hmacSha256Hex(key: string, text: string): Promise<string> {
  const runtime = runtimeCrypto()
  if (typeof runtime?.createHmac === 'function') return runtime.createHmac('sha256', key).update(text).digest('hex')
  if (runtime?.subtle === undefined) throw new Error('the runtime offers neither crypto.createHmac nor crypto.subtle')
  const encoder = new TextEncoder()
  const cryptoKey = await runtime.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = new Uint8Array(await runtime.subtle.sign('HMAC', cryptoKey, encoder.encode(text)))
  let hex = ''
  for (const byte of signature) hex += HEX[byte]
  return hex
}

/**
 * Compares two strings in time that depends on neither: both are hashed first, and the
 * two equal-length digests are compared without an early exit.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const hash = nodeSha256() ?? sha256Hex
  const x = hash(a)
  const y = hash(b)
  let difference = 0
  for (let i = 0; i < x.length; i++) difference |= x.charCodeAt(i) ^ y.charCodeAt(i)
  return difference === 0
}

export type SegmentErrorName = 'EventNotSupported' | 'InvalidEventPayload' | 'ValidationError' | 'RetryError'

/** Segment's error classes: the delivery fails for good, except RetryError (retried). */
export function segmentError(name: SegmentErrorName, message: string): Error {
  switch (name) {
    case 'EventNotSupported':
      return new EventNotSupported(message)
    case 'InvalidEventPayload':
      return new InvalidEventPayload(message)
    case 'ValidationError':
      return new ValidationError(message)
    case 'RetryError':
      return new RetryError(message)
  }
}

/**
 * AbortController when the runtime has it (Node 20 does), so a timed-out request is
 * really cancelled; SPEC 4.2's list of globals does not promise it, hence optional.
 */
export function newAbortController(): { signal: unknown; abort(): void } | undefined {
  return typeof AbortController === 'function' ? new AbortController() : undefined
}
