// The relay's HTTP server (design §6): every request answered through the router, its
// record published to the feed after the answer; connection limits against slow clients;
// in-flight requests tracked so that a stop lets them finish.

import { createServer, IncomingMessage, Server, ServerResponse } from 'http'
import { AddressInfo } from 'net'
import { performance } from 'perf_hooks'
import {
  DEFAULT_HEADERS_TIMEOUT_SECONDS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  RuntimeConfig
} from './config/variables'
import { delay } from './delay'
import { DeliveryFeed, DeliveryRecord } from './feed'
import { Answer, clientErrorAnswer, failure, Handler, send } from './http/responses'
import { targetOf } from './http/routes'
import type { Inspector } from './inspector'
import type { Log } from './log'
import { listenProblem, StartupError } from './startup'
import { listenOn } from './http/listen'

function newRecord(method: string, route: string): DeliveryRecord {
  const time = new Date().toISOString()
  return { time, method, route, status: 0, ms: 0, emitted: 0, skipped: {}, rejected: [], calls: [] }
}

type ConnectionLimits = Pick<
  RuntimeConfig,
  'headersTimeoutSeconds' | 'requestTimeoutSeconds' | 'keepAliveTimeoutSeconds' | 'maxConnections'
>

/** The HTTP server: every request answered through the router, its record published; in-flight requests tracked for close(). */
export class RelayServer {
  private readonly server: Server
  private readonly inflight = new Set<Promise<void>>()

  constructor(
    private readonly route: Handler,
    private readonly inspector: Inspector,
    private readonly feed: DeliveryFeed,
    private readonly log: Log,
    /** Draining or stopping: answers ask the client to close its connection, so it reconnects elsewhere. */
    private readonly state: { stopping(): boolean; draining(): boolean },
    limits: ConnectionLimits
  ) {
    const headersTimeout = (limits.headersTimeoutSeconds ?? DEFAULT_HEADERS_TIMEOUT_SECONDS) * 1000
    const options = {
      headersTimeout,
      requestTimeout: (limits.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
      keepAliveTimeout: (limits.keepAliveTimeoutSeconds ?? DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS) * 1000,
      // How often node looks for connections past those times (its default, 30 s, would let a slow one live 40 s).
      connectionsCheckingInterval: Math.min(1000, Math.max(100, headersTimeout / 4))
    }
    this.server = createServer(options, (req, res) => {
      const handled = this.onRequest(req, res)
      this.inflight.add(handled)
      void handled.finally(() => this.inflight.delete(handled))
    })
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
      const { answer, raw } = clientErrorAnswer(error.code)
      socket.end(raw)
      // A client still sending gets no more reads; the socket must not linger.
      setTimeout(() => socket.destroy(), 1000).unref()
      feed.publish({ ...newRecord('', ''), status: answer.status, error: answer.body as DeliveryRecord['error'] })
    })
    // Past it, node closes a new connection at once.
    this.server.maxConnections = limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  }

  /** Listens as configured; resolves with the relay's URL, or throws a StartupError naming HOST or PORT. */
  async listen(config: RuntimeConfig): Promise<string> {
    try {
      await listenOn(this.server, config.port, config.host)
    } catch (error) {
      throw new StartupError(listenProblem(error as NodeJS.ErrnoException, config))
    }
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    return `http://${host}:${(this.server.address() as AddressInfo).port}`
  }

  /** Stops accepting; in-flight requests finish (up to `inflightMs`), then every connection closes. */
  async close(inflightMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeIdleConnections()
    await Promise.race([Promise.allSettled([...this.inflight]), delay(inflightMs, undefined, { unref: true })])
    this.server.closeAllConnections()
    await closed
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const target = targetOf(req.url)
    if (!this.state.stopping() && this.inspector.serves(req, target, res)) return
    const record = newRecord(req.method ?? '', target.path)
    let answer: Answer
    try {
      answer = await this.route(req, target, record)
    } catch (error) {
      this.log.error(`${record.method} ${record.route}: unexpected ${(error as Error).stack ?? String(error)}`)
      answer = failure(503, 'RetryError', 'The relay failed unexpectedly; retry the request')
    }
    if (answer.body && typeof answer.body === 'object' && 'error' in answer.body)
      record.error = answer.body as DeliveryRecord['error']
    if (!res.headersSent) {
      const closing = this.state.stopping() || this.state.draining()
      send(res, closing ? { ...answer, headers: { ...answer.headers, Connection: 'close' } } : answer)
    }
    record.status = answer.status
    record.ms = performance.now() - started
    this.feed.publish(record)
  }
}
