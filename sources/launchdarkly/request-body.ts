// The body of a delivery as the runtime gives it (design §4). Segment documents
// `request.json()` only; its reference runtime also has `request.text()`, the raw body,
// which NDJSON replays and X-LD-Signature checks need. With text() the function reads the
// raw body; without it, json()'s value, written back as JSON text for readDelivery.

import { EXPECTED_FORMS } from '../../shared'
import type { FunctionRequest } from '../../shared'
import { SourceError, UNREADABLE_BODY } from './errors'

export interface RequestBody {
  readonly text: string
  /** False when the runtime gave only the parsed body: its raw bytes (and their signature) are unknown. */
  readonly raw: boolean
}

export const NOT_JSON_WITHOUT_TEXT = `Expected ${EXPECTED_FORMS}; found a body that is not JSON, and this runtime gives the function no raw body (request.text()) to read NDJSON from`

export const NO_RAW_BODY_FOR_SIGNATURE =
  'Cannot check X-LD-Signature: it signs the raw body, and this runtime gives the function only the parsed body (no request.text()). Use the ingestToken setting to protect this source instead of webhookSecret'

export async function readBody(request: FunctionRequest): Promise<RequestBody> {
  const readText = request.text
  let text: unknown
  try {
    text = typeof readText === 'function' ? await readText.call(request) : JSON.stringify(await request.json())
  } catch {
    // Unreadable: said below, as when the body is no text.
  }
  const raw = typeof readText === 'function'
  if (typeof text !== 'string')
    throw new SourceError('InvalidEventPayload', raw ? UNREADABLE_BODY : NOT_JSON_WITHOUT_TEXT)
  return { text, raw }
}
