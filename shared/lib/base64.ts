// Base64 → UTF-8 text without atob/Buffer, for Pub/Sub push bodies (design §3.1).

import { Bytes, floor, fromCharCode } from './builtins'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i
// Pub/Sub may use the URL-safe alphabet.
LOOKUP['-'.charCodeAt(0)] = 62
LOOKUP['_'.charCodeAt(0)] = 63

/** Decodes base64 (standard or URL-safe, padding optional); undefined when it is not base64. */
export function decodeBase64Utf8(input: string): string | undefined {
  const text = input.replace(/[\s=]+$/g, '').replace(/\s+/g, '')
  if (text.length % 4 === 1) return undefined
  const bytes = new Bytes(floor((text.length * 3) / 4))
  let buffer = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const v = code < 128 ? LOOKUP[code] : -1
    if (v < 0) return undefined
    buffer = (buffer << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes[o++] = (buffer >> bits) & 255
    }
  }
  return decodeUtf8(bytes.subarray(0, o))
}

/** The smallest code point a sequence of 1, 2, 3 or 4 bytes may encode (longer ones are invalid). */
const MIN_CODE_POINT = [0, 0x80, 0x800, 0x10000]

/**
 * Lenient UTF-8 decoding: a byte that starts no whole sequence becomes U+FFFD, and so does
 * a whole sequence that encodes a surrogate, too small a code point for its length or one
 * past U+10FFFF.
 */
function decodeUtf8(bytes: Uint8Array): string {
  let out = ''
  let chunk: number[] = []
  const flush = () => {
    out += fromCharCode(...chunk)
    chunk = []
  }
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]
    // Continuation bytes the lead byte announces; -1 for a byte no sequence starts with.
    const more = b < 0x80 ? 0 : b < 0xc2 ? -1 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : b < 0xf5 ? 3 : -1
    let cp = more === 0 ? b : 0xfffd
    let len = 1
    if (more > 0) {
      let value = b & (0x3f >> more)
      let k = 1
      while (k <= more && (bytes[i + k] & 0xc0) === 0x80) value = (value << 6) | (bytes[i + k++] & 63)
      // A whole sequence is consumed, and replaced when it encodes too little or a surrogate.
      if (k > more) {
        len = k
        if (value >= MIN_CODE_POINT[more] && value <= 0x10ffff && (value < 0xd800 || value >= 0xe000)) cp = value
      }
    }
    i += len
    if (cp > 0xffff) {
      cp -= 0x10000
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023))
    } else chunk.push(cp)
    if (chunk.length > 8192) flush()
  }
  flush()
  return out
}
