// SHA-256 in plain TypeScript. shared/ must run unchanged inside a Segment Function,
// an Actions destination and Node, so it cannot lean on any one runtime's crypto.

import { encodeUtf8Into } from './utf8'

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16))

const W = new Int32Array(64)

// One reused buffer for encoding and padding (a module-level memo: see shared/index.ts).
// Texts over SCRATCH_MAX get a buffer of their own, so a warm runtime keeps at most that.
const SCRATCH_MAX = 64 * 1024
let scratch = new Uint8Array(4096)

/** Lowercase hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  // Room for the worst-case encoding, the 0x80 marker, the length and a full padding block.
  const room = ((text.length * 3 + 72 + 63) >> 6) << 6
  let data = scratch
  if (room > data.length) {
    data = new Uint8Array(room)
    if (room <= SCRATCH_MAX) scratch = data
  }
  const length = encodeUtf8Into(text, data)
  const blocks = ((length + 9 + 63) >> 6) << 6
  data.fill(0, length, blocks)
  data[length] = 0x80
  // Length in bits, big-endian, in the last 8 bytes (bodies stay far below 2^53 bits).
  const bitLength = length * 8
  const high = Math.floor(bitLength / 0x100000000)
  const low = bitLength >>> 0
  data[blocks - 8] = high >>> 24
  data[blocks - 7] = (high >>> 16) & 255
  data[blocks - 6] = (high >>> 8) & 255
  data[blocks - 5] = high & 255
  data[blocks - 4] = low >>> 24
  data[blocks - 3] = (low >>> 16) & 255
  data[blocks - 2] = (low >>> 8) & 255
  data[blocks - 1] = low & 255

  let h0 = 0x6a09e667,
    h1 = 0xbb67ae85 | 0,
    h2 = 0x3c6ef372,
    h3 = 0xa54ff53a | 0
  let h4 = 0x510e527f,
    h5 = 0x9b05688c | 0,
    h6 = 0x1f83d9ab,
    h7 = 0x5be0cd19
  for (let off = 0; off < blocks; off += 64) {
    for (let t = 0, i = off; t < 16; t++, i += 4)
      W[t] = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]
    for (let t = 16; t < 64; t++) {
      const a = W[t - 15],
        b = W[t - 2]
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3)
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10)
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0
    }
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4,
      f = h5,
      g = h6,
      h = h7
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + K[t] + W[t]) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
    h5 = (h5 + f) | 0
    h6 = (h6 + g) | 0
    h7 = (h7 + h) | 0
  }
  let hex = ''
  for (const word of [h0, h1, h2, h3, h4, h5, h6, h7]) {
    hex += HEX[(word >>> 24) & 255] + HEX[(word >>> 16) & 255] + HEX[(word >>> 8) & 255] + HEX[word & 255]
  }
  return hex
}

/** The parts of a runtime's `crypto` (Node's module) that a SHA-256 can come from. */
export interface HashingCrypto {
  /** One-shot (Node ≥ 20.12): no Hash object per call. */
  hash?(algorithm: 'sha256', data: string, encoding: 'hex'): string
  createHash?(algorithm: 'sha256'): { update(data: string): { digest(encoding: 'hex'): string } }
}

/**
 * Lowercase hex SHA-256 of a string's UTF-8 from the runtime's crypto: the same output as
 * sha256Hex, several times faster. Undefined when the runtime has neither API (shared/
 * then uses sha256Hex).
 */
export function sha256From(crypto: HashingCrypto | undefined): ((text: string) => string) | undefined {
  const hash = crypto?.hash
  if (typeof hash === 'function') return (text) => hash.call(crypto, 'sha256', text, 'hex')
  const createHash = crypto?.createHash
  if (typeof createHash === 'function') return (text) => createHash.call(crypto, 'sha256').update(text).digest('hex')
  return undefined
}
