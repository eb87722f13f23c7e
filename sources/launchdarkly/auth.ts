// Who may deliver to the function (design §3.7, 4.1). Both checks compare in constant time
// and fail with Segment's ValidationError; no message ever holds the token, the secret, or
// what the caller sent in their place (an SDK's Authorization header is its SDK key).

import { SourceError } from './errors'
import type { FunctionRequest } from '../../shared'
import { constantTimeEqual, hmacSha256Hex } from '../../segment-functions/crypto'

export const SIGNATURE_HEADER = 'X-LD-Signature'

export const MISSING_TOKEN =
  'Missing ingest token: this source requires ?token=<ingest token> in the webhook URL or the header Authorization: Bearer <ingest token>'
export const WRONG_TOKEN = 'Wrong ingest token: the token sent does not match the ingestToken setting'
export const WRONG_SCHEME =
  'Wrong Authorization scheme: send the ingest token as Authorization: Bearer <ingest token>, or as ?token=<ingest token> in the webhook URL'
export const MISSING_SIGNATURE = `Missing ${SIGNATURE_HEADER} header: audit-log entries must be signed when the webhookSecret setting is set`
export const WRONG_SIGNATURE = `Wrong ${SIGNATURE_HEADER}: it is not the HMAC-SHA256 of the body keyed with the webhookSecret setting`

function queryToken(url: URL | string): string | undefined {
  let parsed: URL
  try {
    parsed = typeof url === 'string' ? new URL(url, 'http://localhost/') : url
  } catch {
    return undefined
  }
  const token = parsed.searchParams.get('token')
  return token === null || token.trim() === '' ? undefined : token.trim()
}

/**
 * When `ingestToken` is set, the delivery must carry it as query `token` or as
 * `Authorization: Bearer <token>`. Either one matching is enough: LaunchDarkly SDKs send
 * their SDK key in Authorization, so their deliveries carry the token in the URL.
 */
export function checkIngestToken(request: FunctionRequest, ingestToken: string | undefined): void {
  if (ingestToken === undefined) return
  const fromQuery = queryToken(request.url)
  const authorization = request.headers.get('authorization')?.trim() || undefined
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S.*)$/i.exec(authorization)?.[1].trim()

  // Both are compared whatever the first gives, so timing does not tell which one matched.
  const queryOk = fromQuery !== undefined && constantTimeEqual(fromQuery, ingestToken)
  const bearerOk = bearer !== undefined && constantTimeEqual(bearer, ingestToken)
  if (queryOk || bearerOk) return
  const sent = fromQuery !== undefined || bearer !== undefined
  throw new SourceError(
    'ValidationError',
    sent ? WRONG_TOKEN : authorization !== undefined ? WRONG_SCHEME : MISSING_TOKEN
  )
}

/** The header's value, when the delivery carries one. */
export function signatureOf(request: FunctionRequest): string | undefined {
  const value = request.headers.get(SIGNATURE_HEADER)?.trim()
  return value ? value : undefined
}

/** `X-LD-Signature` must be the lowercase hex HMAC-SHA256 of the raw body, keyed with the secret. */
export async function checkSignature(body: string, signature: string | undefined, secret: string): Promise<void> {
  if (signature === undefined || !constantTimeEqual(signature.toLowerCase(), await hmacSha256Hex(secret, body)))
    throw new SourceError('ValidationError', signature === undefined ? MISSING_SIGNATURE : WRONG_SIGNATURE)
}
