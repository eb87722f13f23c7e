// UTF-8 without TextEncoder, which not every host realm shares (a vm context, Segment's
// runtime): encoding for hashing, and byte counts for Segment's size limits. Lone
// surrogates count and encode as U+FFFD, as TextEncoder does.

/**
 * Writes the UTF-8 encoding of `text` into `out` from `start` (there must be room for
 * text.length * 3 bytes) and returns where it ends.
 */
export function encodeUtf8Into(text: string, out: Uint8Array, start = 0): number {
  let o = start
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c < 0x80) {
      out[o++] = c
      continue
    }
    if (c >= 0xd800 && c < 0xe000) {
      // A surrogate pair's code point; a lone surrogate is U+FFFD.
      const d = text.charCodeAt(i + 1)
      if (c < 0xdc00 && (d & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      } else c = 0xfffd
    }
    if (c < 0x800) out[o++] = 0xc0 | (c >> 6)
    else {
      if (c < 0x10000) out[o++] = 0xe0 | (c >> 12)
      else {
        out[o++] = 0xf0 | (c >> 18)
        out[o++] = 0x80 | ((c >> 12) & 63)
      }
      out[o++] = 0x80 | ((c >> 6) & 63)
    }
    out[o++] = 0x80 | (c & 63)
  }
  return o
}

const NON_ASCII = /[\u0080-\uffff]/

/** Number of bytes `text` takes in UTF-8 (Segment's limits count bytes). */
export function utf8Length(text: string): number {
  // The regular expression scans natively, several times faster than the loop below.
  if (!NON_ASCII.test(text)) return text.length
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3
    // A surrogate pair is one 4-byte character; a lone surrogate, U+FFFD's 3 bytes.
    if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n++
      i++
    }
  }
  return n
}
