// The globals Segment's Functions runtime provides (design §4.2), declared for the
// TypeScript compiler. The only module that names them, so the rest of both functions
// (the source function and the destination function share this folder) can be read, and
// tested, without the runtime in mind.
//
// The declarations are module-scoped on purpose: @types/node declares a global `crypto`
// (Web Crypto) and `fetch` (undici) with other shapes, and redeclaring them globally
// would clash. In the bundle these names stay free identifiers, so they resolve to the
// runtime's globals, or to parameters if Segment wraps the code in a function.

import type { FunctionCache, SegmentApi, SegmentErrorName } from '../shared'

/**
 * The parts of `crypto` used here. Segment documents Node's crypto module; plain Node 20
 * has Web Crypto as the global instead. Both are handled (crypto.ts), so a runtime that
 * offers the other one degrades to slower code rather than failing every signed delivery.
 */
export interface NodeHash {
  update(data: string): NodeHash
  digest(encoding: 'hex'): string
}
export interface Subtle {
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' },
    extractable: false,
    usages: ['sign']
  ): Promise<unknown>
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>
}
export interface SegmentCrypto {
  createHash?(algorithm: 'sha256'): NodeHash
  createHmac?(algorithm: 'sha256', key: string): NodeHash
  subtle?: Subtle
}

/** node-fetch 2 (Segment) also honours `timeout`; Node's fetch honours `signal`. */
export interface FetchInit {
  method?: string
  headers?: Record<string, string>
  body?: string
  signal?: unknown
  timeout?: number
}
export interface FetchResponse {
  readonly status: number
  json(): Promise<unknown>
  text(): Promise<string>
}
export type Fetch = (url: string, init?: FetchInit) => Promise<FetchResponse>

declare const Segment: SegmentApi
declare const cache: FunctionCache | undefined
declare const crypto: SegmentCrypto | undefined
declare const fetch: Fetch
declare class EventNotSupported extends Error {}
declare class InvalidEventPayload extends Error {}
declare class ValidationError extends Error {}
declare class RetryError extends Error {}

export const segment = (): SegmentApi => Segment
export const segmentFetch: Fetch = (url, init) => fetch(url, init)

// Each global is read into a local once: where a read of a global is costly (a
// contextified vm realm, shared/lib/builtins.ts), every read counts.

/** Segment's cache when the runtime has one; undefined otherwise (the caller keeps its own). */
export function segmentCache(): FunctionCache | undefined {
  const runtime = typeof cache === 'object' ? cache : undefined
  return typeof runtime?.load === 'function' ? runtime : undefined
}

export function segmentCrypto(): SegmentCrypto | undefined {
  const runtime = typeof crypto === 'object' ? crypto : undefined
  return runtime ?? undefined
}

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
 * really cancelled; design §4.2's list of globals does not promise it, hence optional.
 */
export function newAbortController(): { signal: unknown; abort(): void } | undefined {
  return typeof AbortController === 'function' ? new AbortController() : undefined
}
