// SHA-256 in plain TypeScript. shared/ must run unchanged inside a Segment Function,
// an Actions destination and Node, so it cannot lean on any one runtime's crypto.

import { encodeUtf8Into } from './utf8'

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

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

// Int32Arrays: a store wraps to 32 bits, as SHA-256's additions do.
const W = new Int32Array(64)
const state = new Int32Array(8)

// One reused buffer for encoding and padding, with its view (a module-level memo: see
// shared/index.ts). Texts over SCRATCH_MAX get a buffer of their own, so a warm runtime
// keeps at most that.
const SCRATCH_MAX = 64 * 1024
let scratch = new Uint8Array(4096)
let scratchView = new DataView(scratch.buffer)

/** Lowercase hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  // Room for the worst-case encoding, the 0x80 marker, the length and a full padding block.
  const room = ((text.length * 3 + 72 + 63) >> 6) << 6
  let data = scratch
  let view = scratchView
  if (room > data.length) {
    data = new Uint8Array(room)
    view = new DataView(data.buffer)
    if (room <= SCRATCH_MAX) [scratch, scratchView] = [data, view]
  }
  const length = encodeUtf8Into(text, data)
  const blocks = ((length + 9 + 63) >> 6) << 6
  data.fill(0, length, blocks)
  data[length] = 0x80
  // The length in bits, big-endian, in the last 8 bytes (setUint32 keeps the low 32 bits).
  view.setUint32(blocks - 8, length / 0x20000000)
  view.setUint32(blocks - 4, length * 8)

  state.set(H)
  for (let off = 0; off < blocks; off += 64) {
    for (let t = 0; t < 16; t++) W[t] = view.getInt32(off + t * 4)
    for (let t = 16; t < 64; t++) {
      const x = W[t - 15]
      const y = W[t - 2]
      W[t] = W[t - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + W[t - 7] + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10))
    }
    let a = state[0],
      b = state[1],
      c = state[2],
      d = state[3],
      e = state[4],
      f = state[5],
      g = state[6],
      h = state[7]
    for (let t = 0; t < 64; t++) {
      const t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t]
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    state[0] += a
    state[1] += b
    state[2] += c
    state[3] += d
    state[4] += e
    state[5] += f
    state[6] += g
    state[7] += h
  }
  // The digest's bytes, big-endian, where the text was.
  for (let i = 0; i < 8; i++) view.setInt32(i * 4, state[i])
  return hexOf(data.subarray(0, 32))
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
