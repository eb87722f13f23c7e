// LD_METRICS_PORT: GET /metrics on a port of its own, so scrapes stay off the port SDKs
// and load balancers reach (and a NetworkPolicy can open one without the other). It
// answers that path only; the main port then answers /metrics with 404.

import { createServer, Server } from 'http'
import { AddressInfo } from 'net'
import type { RuntimeConfig } from './config/variables'
import { failure, send } from './http/responses'
import { STATUS_PATHS, targetOf } from './http/routes'
import type { RelayMetrics } from './metrics'
import { StartupError } from './startup'
import { listenOn } from './http/listen'

export class MetricsServer {
  private readonly server: Server

  constructor(metrics: RelayMetrics) {
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || targetOf(req.url).path !== STATUS_PATHS.metrics)
        return send(res, failure(404, 'NotFound', `This port serves GET ${STATUS_PATHS.metrics} only`))
      metrics.text().then(
        (body) => send(res, { status: 200, body, contentType: metrics.contentType }),
        (error: Error) => send(res, failure(503, 'Unavailable', `The metrics could not be collected (${error.name})`))
      )
    })
  }

  /** Resolves with its URL, or throws a StartupError naming LD_METRICS_PORT. */
  async listen(config: RuntimeConfig): Promise<string> {
    try {
      await listenOn(this.server, config.metricsPort, config.host)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      throw new StartupError(
        `LD_METRICS_PORT ${config.metricsPort} cannot be listened on at ${config.host} (${code}): set it to a free port, or unset it to serve /metrics on PORT`
      )
    }
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    return `http://${host}:${(this.server.address() as AddressInfo).port}`
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections()
      this.server.close(() => resolve())
      // Not listening (startup failed): close() calls back at once with an error, ignored.
    })
  }
}
