// The deliveries handler on its own, without a listening server: a request is a readable
// stream with a method and headers; the function pool and the sink are stand-ins.

import { Readable } from 'stream'
import type { IncomingMessage } from 'http'
import { DeliveryRecord } from '../../../runtime/feed'
import { deliveriesHandler, DeliveriesOptions } from '../../../runtime/handlers/deliveries'
import { Authenticator } from '../../../runtime/http/auth'
import { targetOf } from '../../../runtime/http/routes'
import { SegmentCall } from '../../../runtime/sandbox/calls'
import type { InvocationResult } from '../../../runtime/sandbox/instance'
import { Sink, SinkError } from '../../../runtime/sinks'

/** An HTTP request as the handler reads it: a stream of its body, with a method, a target and headers. */
function request(method: string, url: string, body: string, headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(body)]), { method, url, headers }) as unknown as IncomingMessage
}

const record = (): DeliveryRecord => ({
  time: '',
  method: 'POST',
  route: '',
  status: 0,
  ms: 0,
  emitted: 0,
  skipped: {},
  rejected: [],
  calls: []
})

const call = new SegmentCall('track', '{"event":"custom","userId":"u"}', 'custom')

function handler(overrides: Partial<DeliveriesOptions> = {}) {
  const delivered: unknown[][] = []
  const invoked: Array<{ url?: string; settings: unknown }> = []
  const sink: Sink = {
    description: 'test sink',
    deliver: async (calls) => void delivered.push([...calls]),
    problem: () => undefined,
    close: async () => undefined
  }
  const result: InvocationResult = {
    ok: true,
    returned: { skipped: { index: 1 } },
    calls: [call],
    logs: [],
    durationMs: 1
  }
  const options: DeliveriesOptions = {
    settings: { projectId: 'p' },
    auth: new Authenticator(['tok-123456789'], []),
    pool: { invoke: async (delivery, settings) => (invoked.push({ url: delivery.url, settings }), result) },
    sink,
    clean: (text) => text,
    ...overrides
  }
  return { handle: deliveriesHandler(options), delivered, invoked }
}

test('an accepted delivery: the function runs with the path ID as environment, its calls reach the sink, 202', async () => {
  const { handle, delivered, invoked } = handler()
  const req = request('POST', '/events/bulk/client-1?token=tok-123456789&x=1', '[]', {})
  const rec = record()
  const answer = await handle(req, targetOf(req.url), rec)
  expect(answer).toEqual({ status: 202, body: { emitted: 1, skipped: { index: 1 }, rejected: [] } })
  expect(invoked).toEqual([
    { url: '/events/bulk/client-1?x=1', settings: { projectId: 'p', environmentId: 'client-1' } }
  ])
  expect(delivered).toEqual([[call]])
  expect(rec).toMatchObject({ input: '[]', emitted: 1, skipped: { index: 1 }, calls: [call] })
})

test('no token: 401 before the body is read', async () => {
  const { handle, invoked } = handler()
  const req = request('POST', '/bulk', '[]')
  const answer = await handle(req, targetOf(req.url), record())
  expect(answer.status).toBe(401)
  expect((answer.body as { error: string }).error).toBe('ValidationError')
  expect(invoked).toEqual([])
  expect(req.readableEnded).toBe(false)
})

test('a sink that refuses: 503 OutboxFull with Retry-After before the function runs', async () => {
  const refusing: Sink = {
    description: '',
    deliver: async () => undefined,
    problem: () => 'full',
    refusal: () => 'The outbox is full',
    close: async () => undefined
  }
  const { handle, invoked } = handler({ sink: refusing })
  const req = request('POST', '/bulk', '[]', { authorization: 'tok-123456789' })
  expect(await handle(req, targetOf(req.url), record())).toEqual({
    status: 503,
    body: { error: 'OutboxFull', message: 'The outbox is full' },
    headers: { 'Retry-After': '30' }
  })
  expect(invoked).toEqual([])
})

test('a sink that cannot write: the typed 503, and the record holds no calls', async () => {
  const failing: Sink = {
    description: '',
    deliver: async () => {
      throw new SinkError('SinkWriteFailed', 'The outbox could not be written (ENOSPC: no space left on the device)')
    },
    problem: () => undefined,
    close: async () => undefined
  }
  const { handle } = handler({ sink: failing })
  const req = request('POST', '/bulk', '[]', { authorization: 'Bearer tok-123456789' })
  const rec = record()
  const answer = await handle(req, targetOf(req.url), rec)
  expect(answer).toEqual({
    status: 503,
    body: {
      error: 'SinkWriteFailed',
      message: 'The outbox could not be written (ENOSPC: no space left on the device)'
    },
    headers: { 'Retry-After': '30' }
  })
  expect(rec.calls).toEqual([])
})

test("the function's failure: its class and message, the rejections on the record", async () => {
  const summary = { skipped: {}, rejected: [{ index: 0, reason: 'no environmentId setting' }] }
  const failed: InvocationResult = {
    ok: false,
    error: { name: 'InvalidEventPayload', message: 'Nothing exported', summary },
    calls: [],
    logs: [],
    durationMs: 1
  }
  const { handle } = handler({ pool: { invoke: async () => failed } })
  const req = request('POST', '/bulk', '[{}]', { authorization: 'tok-123456789' })
  const rec = record()
  expect(await handle(req, targetOf(req.url), rec)).toEqual({
    status: 400,
    body: { error: 'InvalidEventPayload', message: 'Nothing exported' },
    headers: undefined
  })
  expect(rec.rejected).toEqual(summary.rejected)
})

test('a GET on a source route: 405 with Allow; an unknown path: 404', async () => {
  const { handle } = handler()
  const get = request('GET', '/bulk', '')
  expect(await handle(get, targetOf(get.url), record())).toMatchObject({ status: 405, headers: { Allow: 'POST' } })
  const other = request('POST', '/nowhere', '')
  expect((await handle(other, targetOf(other.url), record())).status).toBe(404)
})
