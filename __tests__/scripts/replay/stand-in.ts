// Local stand-ins on 127.0.0.1: a deployed source function's webhook (the BUILT function,
// dist/sources/launchdarkly.js, in the Segment Functions sandbox, answering as the local
// runtime does: 202, 400, 401, 503), and Segment's batch API; a script may answer a
// request itself.

import { existsSync } from 'node:fs'
import { createServer, IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { httpStatusFor } from '../../../runtime/http/responses'
import { loadFunctionFile } from '../../../runtime/sandbox/instance'
import { RecordedCall } from '../../../runtime/sandbox/calls'
import { buildSource } from '../../../scripts/build'

export const BUILT_FUNCTION = join(__dirname, '..', '..', '..', 'dist', 'sources', 'launchdarkly.js')

export interface Received {
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly at: number
}

/** A scripted answer; 'function' runs the built function; 'hold' never answers. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'function' | 'hold'

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
  const received: Received[] = []
  const calls: Array<Record<string, unknown>> = []
  const held: ServerResponse[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request: Received = {
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now()
      }
      received.push(request)
      const reply = script(received.length, request)
      if (reply === 'hold') {
        held.push(res)
        return
      }
      if (reply !== 'function') {
        res.writeHead(reply.status, reply.headers ?? {})
        res.end(reply.body ?? '')
        return
      }
      void fn.invoke({ body: request.body, headers: req.headers, url: req.url }, settings).then((result) => {
        if (result.ok) calls.push(...result.calls.map(asLine))
        const status = httpStatusFor(result)
        res.writeHead(status, { 'Content-Type': 'application/json' })
        res.end(
          JSON.stringify(result.ok ? result.returned : { error: result.error.name, message: result.error.message })
        )
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export interface SegmentRequest extends Received {
  /** The calls of the batch, as posted. */
  readonly batch: Array<Record<string, unknown>>
  /** What the stand-in answered; undefined while held. */
  status?: number
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
  script: (n: number, request: SegmentRequest) => Exclude<Reply, 'function'> | undefined = () => undefined
): Promise<SegmentStandIn> {
  const requests: SegmentRequest[] = []
  const held: ServerResponse[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const batch = req.url === '/v1/batch' ? (JSON.parse(body) as { batch: SegmentRequest['batch'] }).batch : []
      const request: SegmentRequest = { url: req.url ?? '', headers: req.headers, body, at: Date.now(), batch }
      requests.push(request)
      const reply = script(requests.length, request) ?? { status: 200, body: '{"success":true}' }
      if (reply === 'hold') {
        held.push(res)
        return
      }
      request.status = reply.status
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers })
      res.end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    delivered: () => requests.filter((r) => r.status !== undefined && r.status < 300).flatMap((r) => r.batch),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
