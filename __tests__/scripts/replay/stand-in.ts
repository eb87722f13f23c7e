// Local stand-ins on 127.0.0.1, scripted over the tests' stand-in (__tests__/stand-in.ts):
// a deployed source function's webhook (the BUILT function, dist/sources/launchdarkly.js,
// in the Segment Functions sandbox, answering as the local runtime does: 202, 400, 401,
// 503), and Segment's batch API; a script may answer a request itself.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { httpStatusFor } from '../../../runtime/http/responses'
import { RecordedCall } from '../../../runtime/sandbox/calls'
import { loadFunctionFile } from '../../../runtime/sandbox/instance'
import { buildSource } from '../../../scripts/build'
import { Answer, Received, standIn } from '../../stand-in'

export const BUILT_FUNCTION = join(__dirname, '..', '..', '..', 'dist', 'sources', 'launchdarkly.js')

export type { Received }

/** A scripted answer; 'function' runs the built function; 'hold' never answers. */
export type Reply = Answer | 'function'

export interface StandIn {
  readonly url: string
  readonly received: Received[]
  /** Calls the function emitted for the deliveries it accepted, as `{type, ...message}`. */
  readonly calls: Array<Record<string, unknown>>
  close(): Promise<void>
}

export async function ensureBuilt(): Promise<void> {
  if (!existsSync(BUILT_FUNCTION)) await buildSource()
}

export function asLine(call: RecordedCall): Record<string, unknown> {
  return { type: call.type, ...call.message }
}

export async function webhookStandIn(
  settings: Record<string, unknown>,
  script: (n: number, received: Received) => Reply = () => 'function'
): Promise<StandIn> {
  await ensureBuilt()
  const fn = loadFunctionFile(BUILT_FUNCTION)
  const calls: Array<Record<string, unknown>> = []
  const stand = await standIn(async (request, index) => {
    const reply = script(index + 1, request)
    if (reply !== 'function') return reply
    const result = await fn.invoke({ body: request.body, headers: request.headers, url: request.path }, settings)
    if (result.ok) calls.push(...result.calls.map(asLine))
    return {
      status: httpStatusFor(result),
      body: result.ok ? result.returned : { error: result.error.name, message: result.error.message }
    }
  })
  return { url: stand.url, received: stand.requests, calls, close: stand.close }
}

export interface SegmentRequest extends Received {
  /** The calls of the batch, as posted. */
  readonly batch: Array<Record<string, unknown>>
}

export interface SegmentStandIn {
  /** Segment's origin, for SEGMENT_HOST. */
  readonly url: string
  readonly requests: SegmentRequest[]
  /** The calls of every batch answered 2xx, in the order posted. */
  delivered(): Array<Record<string, unknown>>
  close(): Promise<void>
}

/** Segment's batch API: `POST /v1/batch`, 200 `{"success": true}` unless the script answers (or holds) a request. */
export async function segmentStandIn(
  script: (n: number, request: SegmentRequest) => Answer | undefined = () => undefined
): Promise<SegmentStandIn> {
  const stand = await standIn((received, index) => {
    const batch =
      received.path === '/v1/batch' ? (JSON.parse(received.body) as { batch: SegmentRequest['batch'] }).batch : []
    const request = Object.assign(received, { batch })
    return script(index + 1, request) ?? { status: 200, body: '{"success":true}' }
  })
  const requests = stand.requests as SegmentRequest[]
  return {
    url: stand.url,
    requests,
    delivered: () => requests.filter((r) => r.status !== undefined && r.status < 300).flatMap((r) => r.batch),
    close: stand.close
  }
}
