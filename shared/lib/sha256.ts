// SHA-256 in plain TypeScript. shared/ must run unchanged inside a Segment Function,
// an Actions destination and Node, so it cannot lean on any one runtime's crypto.

import { Bytes } from './builtins'
import { encodeUtf8Into } from './utf8'

/** Lowercase hex SHA-256 of bytes, or of the UTF-8 encoding of a text. */
export type Sha256 = (data: string | Uint8Array) => string

// The constants of FIPS 180-4 §4.2.2 and §5.3.3, computed rather than written out (which
// would take 700 bytes of the deployed function): the first 32 bits of the fractional parts
// of the cube roots of the first 64 primes (K) and of the square roots of the first 8 (H).
// Math.sqrt is exact, Math.cbrt within an ulp; a wrong constant would change every digest,
// and the tests compare digests with Node's crypto.
const K = new Int32Array(64)
const H = new Int32Array(8)
const fraction = (root: number): number => ((root - Math.floor(root)) * 0x100000000) | 0
for (let n = 2, found = 0; found < 64; n++) {
  let prime = true
  for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false
  if (!prime) continue
  if (found < 8) H[found] = fraction(Math.sqrt(n))
  K[found++] = fraction(Math.cbrt(n))
}

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16))

/** Lowercase hex of bytes (a digest from another API, such as Web Crypto's). */
export function hexOf(bytes: Uint8Array): string {
  let hex = ''
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]]
  return hex
}

// An Int32Array: a store wraps to 32 bits, as SHA-256's additions do.
const W = new Int32Array(64)

// One reused buffer for encoding and padding, with its view (a module-level memo: see
// shared/index.ts). Texts over SCRATCH_MAX get a buffer of their own, so a warm runtime
// keeps at most that.
const SCRATCH_MAX = 64 * 1024
let scratch = new Uint8Array(4096)
let scratchView = new DataView(scratch.buffer)

/** Lowercase hex SHA-256 of bytes, or of the UTF-8 encoding of a text. */
export function sha256Hex(data: string | Uint8Array): string {
  const text = typeof data === 'string'
  // Room for the worst-case encoding, the 0x80 marker, the length and a full padding block.
  const room = (((text ? data.length * 3 : data.length) + 72 + 63) >> 6) << 6
  let bytes = scratch
  let view = scratchView
  if (room > bytes.length) {
    bytes = new Bytes(room)
    view = new DataView(bytes.buffer)
    if (room <= SCRATCH_MAX) [scratch, scratchView] = [bytes, view]
  }
  const length = text ? encodeUtf8Into(data, bytes) : (bytes.set(data), data.length)
  const blocks = ((length + 9 + 63) >> 6) << 6
  bytes.fill(0, length, blocks)
  bytes[length] = 0x80
  // The length in bits, big-endian, in the last 8 bytes (setUint32 keeps the low 32 bits).
  view.setUint32(blocks - 8, length / 0x20000000)
  view.setUint32(blocks - 4, length * 8)

  // Rotations are written out rather than called: this is the loop all the time goes to.
  let h0 = H[0],
    h1 = H[1],
    h2 = H[2],
    h3 = H[3],
    h4 = H[4],
    h5 = H[5],
    h6 = H[6],
    h7 = H[7]
  for (let off = 0; off < blocks; off += 64) {
    for (let t = 0; t < 16; t++) W[t] = view.getInt32(off + t * 4)
    for (let t = 16; t < 64; t++) {
      const x = W[t - 15]
      const y = W[t - 2]
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
      W[t] = W[t - 16] + s0 + W[t - 7] + s1
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
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
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
  for (const word of [h0, h1, h2, h3, h4, h5, h6, h7])
    hex += HEX[word >>> 24] + HEX[(word >>> 16) & 255] + HEX[(word >>> 8) & 255] + HEX[word & 255]
  return hex
}

/** The parts of a runtime's `crypto` (Node's module) that a SHA-256 can come from. */
export interface HashingCrypto {
  /** One-shot (Node ≥ 20.12): no Hash object per call. */
  hash?(algorithm: 'sha256', data: string | Uint8Array, encoding: 'hex'): string
  createHash?(algorithm: 'sha256'): { update(data: string | Uint8Array): { digest(encoding: 'hex'): string } }
}

/**
 * Lowercase hex SHA-256 of a string's UTF-8 from the runtime's crypto: the same output as
 * sha256Hex, several times faster. Undefined when the runtime has neither API (shared/
 * then uses sha256Hex).
 */
export function sha256From(crypto: HashingCrypto | undefined): Sha256 | undefined {
  const hash = crypto?.hash
  if (typeof hash === 'function') return (data) => hash.call(crypto, 'sha256', data, 'hex')
  const createHash = crypto?.createHash
  if (typeof createHash === 'function') return (data) => createHash.call(crypto, 'sha256').update(data).digest('hex')
  return undefined
}
