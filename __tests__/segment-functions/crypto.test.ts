// Hashes, HMACs and comparisons on whichever crypto the runtime offers: Node's crypto
// module (what Segment's runtime provides as `crypto`), Web Crypto (plain Node 20's global
// `crypto`), or none.

import * as nodeCrypto from 'node:crypto'
import signed from '../fixtures/audit-webhook-signature.json'
import { constantTimeEqual, hmacSha256Hex, nodeSha256 } from '../../segment-functions/crypto'

const globals = globalThis as Record<string, unknown>
const webCrypto = globals.crypto

/** Runs `check` with `value` as the global `crypto`, then puts Web Crypto back. */
async function withCrypto(value: unknown, check: () => Promise<void> | void): Promise<void> {
  Object.defineProperty(globalThis, 'crypto', { value, configurable: true, writable: true })
  try {
    await check()
  } finally {
    Object.defineProperty(globalThis, 'crypto', { value: webCrypto, configurable: true, writable: true })
  }
}

const SHA256_OF_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'

test("with Node's crypto module (Segment's `crypto`): SHA-256 and the HMAC by createHash/createHmac", async () => {
  await withCrypto(nodeCrypto, async () => {
    expect(nodeSha256()?.('abc')).toBe(SHA256_OF_ABC)
    expect(await hmacSha256Hex(signed.secret, signed.rawBody)).toBe(signed.headers['x-ld-signature'])
    expect(constantTimeEqual('tok', 'tok')).toBe(true)
    expect(constantTimeEqual('tok', 'tok ')).toBe(false)
  })
})

test('with Web Crypto: no fast SHA-256 (shared/ uses its own), the HMAC by crypto.subtle', async () => {
  expect(typeof (webCrypto as { createHmac?: unknown }).createHmac).toBe('undefined')
  expect(nodeSha256()).toBeUndefined()
  expect(await hmacSha256Hex(signed.secret, signed.rawBody)).toBe(signed.headers['x-ld-signature'])
  expect(constantTimeEqual('tok', 'tok')).toBe(true)
  expect(constantTimeEqual('', 'x')).toBe(false)
})

test('with no crypto at all: comparisons still work, an HMAC says what is missing', async () => {
  await withCrypto(undefined, async () => {
    expect(nodeSha256()).toBeUndefined()
    expect(constantTimeEqual('same', 'same')).toBe(true)
    await expect(hmacSha256Hex('k', 'text')).rejects.toThrow(
      'the runtime offers neither crypto.createHmac nor crypto.subtle'
    )
  })
})
