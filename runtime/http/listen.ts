// Listening as a promise: Node's server.listen reports a failure (a port in use, an
// address not on this host) as an 'error' event, not through its callback.

import type { Server } from 'node:net'

/** Resolves once `server` listens on `host:port`; rejects with the listen error. */
export function listenOn(server: Server, port: number | undefined, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
