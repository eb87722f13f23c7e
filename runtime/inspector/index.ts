// The live inspector (docs/inspector.md): `GET /` from a browser (Accept: text/html)
// serves the page, `GET /inspector/stream` its server-sent events; curl and
// `Accept: text/plain` keep the text banner. Who may watch is decided here, before
// anything is sent: with the relay on a loopback address, only requests addressed to a
// loopback host name (DNS rebinding); with LD_INGEST_TOKEN set, only with a token
// (`?token=`, or Bearer); on another address without a token, nobody (event data would be
// open to the network). The stream answers its own page only, and nothing sends CORS headers.
// The page is the build's (./page.ts); without it, the page alone answers 503 NotBuilt.

import type { IncomingMessage, ServerResponse } from 'http'
import { Answer, failure, send } from '../http/responses'
import type { Authenticator } from '../http/auth'
import { isLoopback, isLoopbackHost } from '../config/report'
import type { DeliveryListener } from '../feed'
import type { RequestTarget } from '../http/routes'
import { HubLimits, InspectorHub } from './hub'
import { BuiltPage, loadPage } from './page'

const STREAM_PATH = '/inspector/stream'

export const TOKEN_NEEDED =
  'The inspector needs one of the tokens of LD_INGEST_TOKEN: open it as /?token=<token> (a token sent is not one of them, or none was sent)'
export const OFF_WITHOUT_TOKEN =
  'The inspector is off: HOST is not a loopback address and LD_INGEST_TOKEN is not set, so event data would be open to the network; set LD_INGEST_TOKEN and open /?token=<token>'

interface InspectorOptions {
  secrets: readonly string[]
  warnings: readonly string[]
  /** The address the relay listens on. */
  host: string
  auth: Authenticator
  log: (line: string) => void
  limits?: Partial<HubLimits>
  /** The folder holding dist/ (PROJECT_ROOT): the built page is read from there, once. */
  projectRoot: string
}

export class Inspector {
  readonly hub: InspectorHub
  /** The feed listener. */
  readonly record: DeliveryListener
  private readonly page: BuiltPage | { notBuilt: string }

  constructor(private readonly options: InspectorOptions) {
    this.hub = new InspectorHub(options)
    this.record = this.hub.record
    this.page = loadPage(options.projectRoot)
    if ('notBuilt' in this.page) options.log(`inspector: ${this.page.notBuilt} (the page answers 503 NotBuilt)`)
  }

  /** Answers the request and returns true when it is the inspector's; otherwise leaves it alone. */
  serves(req: IncomingMessage, target: RequestTarget, res: ServerResponse): boolean {
    const page = target.path === '/' && req.method === 'GET' && wantsHtml(req.headers.accept)
    if (!page && target.path !== STREAM_PATH) return false
    const refusal = this.refusal(req, target, page)
    if (refusal) {
      const { error, message } = refusal.body as { error: string; message: string }
      this.options.log(`inspector: ${req.method ?? ''} ${target.path} ${refusal.status} ${error}: ${message}`)
      send(res, { ...refusal, headers: { ...refusal.headers, ...NO_STORE } })
    } else if (page && 'html' in this.page)
      send(res, {
        status: 200,
        body: this.page.html,
        contentType: 'text/html; charset=utf-8',
        headers: this.page.headers
      })
    else this.stream(req, res)
    return true
  }

  /** Why the page or the stream is not served: who may watch first, then what is missing or full. */
  private refusal(req: IncomingMessage, target: RequestTarget, page: boolean): Answer | undefined {
    if (!page && req.method !== 'GET')
      return failure(405, 'MethodNotAllowed', 'The inspector stream is read with GET', { Allow: 'GET' })
    const { host, auth } = this.options
    if (isLoopback(host) && !isLoopbackHost(req.headers.host))
      return failure(400, 'InvalidHost', 'The inspector answers only requests addressed to a loopback host')
    if (!isLoopback(host) && !auth.required) return failure(401, 'ValidationError', OFF_WITHOUT_TOKEN)
    if (!auth.check(undefined, target.query, req.headers.authorization).ok)
      return failure(401, 'ValidationError', TOKEN_NEEDED)
    if (!page && crossSite(req))
      return failure(400, 'InvalidOrigin', 'The inspector stream answers its own page only (same origin)')
    if (page && 'notBuilt' in this.page) return failure(503, 'NotBuilt', this.page.notBuilt)
    if (!page && this.hub.full)
      return failure(503, 'TooManyWatchers', `${this.hub.limits.watchers} pages are watching already; close one`, {
        'Retry-After': '30'
      })
    return undefined
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      ...NO_STORE
    })
    // The browser's EventSource opens now, not when the first frame comes.
    res.flushHeaders()
    const lastEventId = req.headers['last-event-id']
    this.hub.watch(res, typeof lastEventId === 'string' ? lastEventId : undefined)
  }
}

const NO_STORE = { 'Cache-Control': 'no-store' }

/** A browser navigating asks for text/html by name; curl's and fetch's `*\/*` do not. */
export function wantsHtml(accept: string | undefined): boolean {
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    if (type !== 'text/html') continue
    const q = params.find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  }
  return false
}

/** Sent by another site (a page the user has open elsewhere), as the browser tells. */
function crossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true
  const origin = req.headers.origin
  if (origin === undefined) return false
  try {
    return new URL(origin).host !== (req.headers.host ?? '').toLowerCase()
  } catch {
    return true
  }
}
