// Which handler answers, on its own: the router with stand-in handlers, no server.

import type { IncomingMessage } from 'http'
import type { DeliveryRecord } from '../../runtime/feed'
import type { Answer, Handler } from '../../runtime/http/responses'
import { targetOf } from '../../runtime/http/routes'
import { router } from '../../runtime/router'

const record = (): DeliveryRecord => ({
  time: '',
  method: '',
  route: '',
  status: 0,
  ms: 0,
  emitted: 0,
  skipped: {},
  rejected: [],
  calls: []
})
const req = (method: string, url: string, headers: Record<string, string> = {}) =>
  ({ method, url, headers } as unknown as IncomingMessage)

function routed(stopping = false, ownMetricsPort = false) {
  const seen: string[] = []
  const named =
    (name: string): Handler =>
    async () => (seen.push(name), { status: 202, body: { handler: name } })
  const route = router(
    {
      deliveries: named('deliveries'),
      destination: named('destination'),
      destinationFunction: named('destinationFunction'),
      banner: () => 'banner',
      health: (): Answer => ({ status: 200, body: { status: 'ok' } }),
      live: (): Answer => ({ status: 200, body: { status: 'live' } }),
      ready: async (): Promise<Answer> => ({ status: 503, body: { error: 'NotReady', message: 'draining' } }),
      metrics: ownMetricsPort
        ? undefined
        : async (): Promise<Answer> => ({ status: 200, body: 'metrics', contentType: 'text/plain' })
    },
    () => stopping
  )
  const answer = (method: string, url: string, headers?: Record<string, string>, rec = record()) =>
    route(req(method, url, headers), targetOf(url), rec)
  return { answer, seen }
}

test('each path goes to its handler; the client-side route also gets CORS headers', async () => {
  const { answer, seen } = routed()
  await answer('POST', '/bulk')
  await answer('POST', '/destinations/launchdarkly-events/sendCustomEvent')
  await answer('POST', '/destination-functions/launchdarkly-events')
  expect(seen).toEqual(['deliveries', 'destination', 'destinationFunction'])
  expect((await answer('GET', '/')).body).toBe('banner')
  expect((await answer('GET', '/healthz')).body).toEqual({ status: 'ok' })
  expect((await answer('GET', '/metrics')).body).toBe('metrics')
  expect((await answer('GET', '/livez')).body).toEqual({ status: 'live' })
  expect((await answer('GET', '/readyz')).status).toBe(503)
  expect((await answer('POST', '/bulk')).headers).toBeUndefined()
  expect((await answer('POST', '/events/bulk/client-1')).headers).toEqual({
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Date'
  })
})

test('a preflight: 204 on the client-side route, with a warning on the record for a header it will not allow; 405 elsewhere', async () => {
  const { answer, seen } = routed()
  const rec = record()
  const ok = await answer(
    'OPTIONS',
    '/events/bulk/client-1',
    { 'access-control-request-headers': 'x-launchdarkly-tags, x-custom' },
    rec
  )
  expect(ok.status).toBe(204)
  expect(ok.headers?.['Access-Control-Allow-Headers']).toBe('content-type, content-encoding, x-launchdarkly-tags')
  expect(rec.warning).toContain('x-custom')
  expect((await answer('OPTIONS', '/bulk')).status).toBe(405)
  expect(seen).toEqual([])
})

test('while stopping, every request gets 503 ShuttingDown and no handler runs', async () => {
  const { answer, seen } = routed(true)
  expect(await answer('POST', '/bulk')).toEqual({
    status: 503,
    body: { error: 'ShuttingDown', message: 'The relay is stopping' },
    headers: { Connection: 'close' }
  })
  expect(seen).toEqual([])
  // The probes still answer: alive, and not ready.
  expect((await answer('GET', '/livez')).status).toBe(200)
  expect((await answer('GET', '/readyz')).status).toBe(503)
})

test('with LD_METRICS_PORT, /metrics is not served on the main port: it goes to the deliveries handler (404)', async () => {
  const { answer, seen } = routed(false, true)
  await answer('GET', '/metrics')
  expect(seen).toEqual(['deliveries'])
})
