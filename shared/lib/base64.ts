// Base64 → UTF-8 text without atob/Buffer, for Pub/Sub push bodies (design §3.1).

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
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4))
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

/** Lenient UTF-8 decoding (invalid sequences become U+FFFD), as TextDecoder does by default. */
function decodeUtf8(bytes: Uint8Array): string {
  let out = ''
  let chunk: number[] = []
  const flush = () => {
    out += String.fromCharCode.apply(null, chunk)
    chunk = []
  }
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]
    let cp = 0xfffd
    let len = 1
    if (b < 0x80) cp = b
    else if (b >= 0xc2 && b < 0xe0 && cont(bytes, i + 1)) {
      cp = ((b & 31) << 6) | (bytes[i + 1] & 63)
      len = 2
    } else if (b >= 0xe0 && b < 0xf0 && cont(bytes, i + 1) && cont(bytes, i + 2)) {
      cp = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63)
      len = 3
      if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) cp = 0xfffd
    } else if (b >= 0xf0 && b < 0xf5 && cont(bytes, i + 1) && cont(bytes, i + 2) && cont(bytes, i + 3)) {
      cp = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63)
      len = 4
      if (cp < 0x10000 || cp > 0x10ffff) cp = 0xfffd
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

function cont(bytes: Uint8Array, i: number): boolean {
  return i < bytes.length && (bytes[i] & 0xc0) === 0x80
}
