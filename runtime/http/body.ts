// Reading an HTTP request body the way Segment's function endpoint would see it:
// gzip undone (SDKs may compress), bounded so that no body can exhaust memory.

import type { IncomingMessage } from 'http'
import { gunzip } from 'zlib'
import { promisify } from 'util'
import { MAX_BODY_BYTES } from '../../shared'

/** Far above Segment's limit: the function reports the exact size; this only bounds memory. */
const MAX_READ_BYTES = 8 * 1024 * 1024
/**
 * Gzip is inflated only as far as the function takes a body: a few KiB of gzip can
 * inflate to megabytes, and concurrent requests must not multiply that.
 */
const MAX_INFLATED_BYTES = MAX_BODY_BYTES + 1

const gunzipAsync = promisify(gunzip)

export class BodyError extends Error {
  /** `tooLarge`: over MAX_READ_BYTES (413); otherwise unreadable (400). */
  constructor(message: string, readonly tooLarge = false) {
    super(message)
    this.name = 'BodyError'
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_READ_BYTES)
        throw new BodyError(
          `Expected a body of at most ${MAX_BODY_BYTES} bytes; found more than ${MAX_READ_BYTES} bytes`,
          true
        )
      chunks.push(chunk as Buffer)
    }
  } catch (error) {
    if (error instanceof BodyError) throw error
    // The client went away, or the connection's time ran out (LD_REQUEST_TIMEOUT_SECONDS).
    throw new BodyError('The request body was cut off before its end')
  }
  const raw = Buffer.concat(chunks)
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase()
  // Also sniff the gzip magic bytes: some relays compress without saying so.
  if (encoding === 'gzip' || (raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b)) {
    try {
      return (await gunzipAsync(raw, { maxOutputLength: MAX_INFLATED_BYTES })).toString('utf8')
    } catch (error) {
      const tooBig = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      throw new BodyError(
        tooBig
          ? `Expected a body of at most ${MAX_BODY_BYTES} bytes; found gzip data inflating past ${MAX_BODY_BYTES} bytes`
          : 'Expected a gzip body (Content-Encoding: gzip); found data that does not inflate',
        tooBig
      )
    }
  }
  return raw.toString('utf8')
}
