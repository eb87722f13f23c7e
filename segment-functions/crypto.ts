// Hashes, HMACs and comparisons on whichever crypto the runtime offers (globals.ts).

import { hexOf, sha256From, sha256Hex } from '../shared'
import type { Sha256 } from '../shared'
import { segmentCrypto } from './globals'

/**
 * Lowercase hex SHA-256 with Node's crypto: much faster than the portable one in shared/,
 * same output. Undefined if the runtime lacks it; shared/ then uses its own.
 */
export function nodeSha256(): Sha256 | undefined {
  return sha256From(segmentCrypto())
}

/** Lowercase hex HMAC-SHA256 of `text`'s UTF-8, keyed with `key`'s UTF-8. */
export async function hmacSha256Hex(key: string, text: string): Promise<string> {
  const runtime = segmentCrypto()
  if (typeof runtime?.createHmac === 'function') return runtime.createHmac('sha256', key).update(text).digest('hex')
  if (runtime?.subtle === undefined) throw new Error('the runtime offers neither crypto.createHmac nor crypto.subtle')
  const encoder = new TextEncoder()
  const cryptoKey = await runtime.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  )
  return hexOf(new Uint8Array(await runtime.subtle.sign('HMAC', cryptoKey, encoder.encode(text))))
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
