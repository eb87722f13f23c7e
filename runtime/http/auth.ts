// Who may use the relay (docs/relay.md "Authentication"). The relay checks, before a
// body is read or anything forwarded: with LD_INGEST_TOKEN set, a request carries one of
// its tokens as `?token=` or `Authorization: Bearer`, and on SDK routes also the way
// SDKs send their key (`Authorization: <key>`, `Authorization: api_key <key>`), so the
// SDK keys of the relayed environments can be listed. The client-side route is keyless
// (client-side IDs are public) unless LD_CLIENT_SIDE_IDS lists the accepted IDs.
// The source function is then invoked without its ingestToken setting: it would refuse
// SDK keys, and the relay has already decided.

import { createHash, timingSafeEqual } from 'crypto'
import type { SourceKind } from './routes'

type AuthResult = { ok: true } | { ok: false; message: string }

export const MISSING_TOKEN =
  'Missing ingest token: send one of the tokens of LD_INGEST_TOKEN as ?token=<token> or Authorization: Bearer <token> (SDKs: list the SDK key in LD_INGEST_TOKEN)'
export const WRONG_TOKEN = 'Wrong ingest token: the token sent is not one of the tokens of LD_INGEST_TOKEN'
export const UNKNOWN_CLIENT_SIDE_ID =
  'Unknown client-side ID: this relay accepts only the IDs listed in LD_CLIENT_SIDE_IDS'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

export class Authenticator {
  private readonly tokens: readonly Buffer[]
  private readonly clientSideIds: readonly Buffer[]

  constructor(tokens: readonly string[], clientSideIds: readonly string[]) {
    // Digests have one length, so every comparison takes the same time.
    this.tokens = tokens.map(digest)
    this.clientSideIds = clientSideIds.map(digest)
  }

  get required(): boolean {
    return this.tokens.length > 0
  }

  /** `kind` undefined: a destination route (token forms `?token=` and Bearer only). */
  check(
    kind: SourceKind | undefined,
    query: URLSearchParams,
    authorization: string | undefined,
    clientSideId?: string
  ): AuthResult {
    if (kind === 'client-side') {
      if (this.clientSideIds.length === 0 || matches(this.clientSideIds, [clientSideId ?? ''])) return { ok: true }
      return { ok: false, message: UNKNOWN_CLIENT_SIDE_ID }
    }
    if (this.tokens.length === 0) return { ok: true }
    const candidates = candidatesOf(query, authorization, kind === 'sdk')
    if (candidates.length === 0) return { ok: false, message: MISSING_TOKEN }
    return matches(this.tokens, candidates) ? { ok: true } : { ok: false, message: WRONG_TOKEN }
  }
}

function candidatesOf(query: URLSearchParams, authorization: string | undefined, sdk: boolean): string[] {
  const candidates = query.getAll('token').map((t) => t.trim())
  const header = authorization?.trim()
  if (header) {
    const scheme = /^(Bearer|api_key)\s+(\S+)$/i.exec(header)
    if (scheme && (scheme[1].toLowerCase() === 'bearer' || sdk)) candidates.push(scheme[2])
    else if (sdk && !/\s/.test(header)) candidates.push(header)
  }
  return candidates.filter(Boolean)
}

/** Compares every candidate with every accepted value, whatever matched first. */
function matches(accepted: readonly Buffer[], candidates: readonly string[]): boolean {
  let found = false
  for (const candidate of candidates) {
    const d = digest(candidate)
    for (const value of accepted) found = timingSafeEqual(d, value) || found
  }
  return found
}

/** Whether an Authorization header carries the relay's own token (Bearer), not an SDK key. */
export function isBearer(authorization: string | undefined): boolean {
  return /^\s*Bearer\s/i.test(authorization ?? '')
}
