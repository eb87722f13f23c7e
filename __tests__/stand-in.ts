// The tests' one local HTTP stand-in for outside services (Segment, LaunchDarkly, the Public
// API, a webhook), on 127.0.0.1: it records every request (gzip undone) and answers as the
// test's script says, or never ('hold') until it is closed. The stand-ins of particular
// services (LaunchDarkly's REST API, Segment's batch API, …) are scripts over this one.

import { createServer, IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export interface Received {
  readonly method: string
  /** The request target as sent: the path and the query. */
  readonly path: string
  readonly headers: IncomingHttpHeaders
  /** The body as text, inflated when it came gzipped. */
  readonly body: string
  /** Bytes on the wire. */
  readonly bytes: number
  /** When it arrived (ms since the epoch). */
  readonly at: number
  /** What the stand-in answered; undefined while held. */
  status?: number
}

/** A string body is sent as it is, anything else as JSON; `hold` never answers. */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hold'

export interface StandIn {
  readonly url: string
  readonly requests: Received[]
  close(): Promise<void>
}

export async function standIn(
  script: (request: Received, index: number) => Answer | Promise<Answer> = () => ({ status: 200, body: {} })
): Promise<StandIn> {
  const requests: Received[] = []
  const held = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')
      const request: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text,
        bytes: raw.length,
        at: Date.now()
      }
      requests.push(request)
      void Promise.resolve(script(request, requests.length - 1)).then((answer) => {
        if (answer === 'hold') return void held.add(res)
        request.status = answer.status
        const body =
          answer.body === undefined || typeof answer.body === 'string' ? answer.body ?? '' : JSON.stringify(answer.body)
        const headers = answer.headers ?? {}
        const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
        res.writeHead(answer.status, typed ? headers : { 'Content-Type': 'application/json', ...headers })
        res.end(body)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
