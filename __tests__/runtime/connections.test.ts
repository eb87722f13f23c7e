// Connection limits (docs/relay.md "Connections"): a client that is slow to send its
// headers or its body is closed with 408 (LD_HEADERS_TIMEOUT_SECONDS, LD_REQUEST_TIMEOUT_SECONDS), an
// idle keep-alive connection stays open longer than a load balancer keeps one
// (LD_KEEP_ALIVE_TIMEOUT_SECONDS, 65 s by default), and past LD_MAX_CONNECTIONS a new
// connection is closed at once.

import { connect, Socket } from 'net'
import fixture from '../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_SETTINGS } from '../fixtures/node-server-sdk-bulk.expected'
import { runtimeWith, TestRuntime, waitFor } from './helpers'

jest.setTimeout(30_000)

const BODY = JSON.stringify(fixture.body)
let runtime: TestRuntime
const sockets: Socket[] = []
afterEach(async () => {
  sockets.splice(0).forEach((socket) => socket.destroy())
  await runtime?.close()
})

interface Client {
  socket: Socket
  received: () => string
  closedAt?: number
}

function open(): Promise<Client> {
  const { hostname, port } = new URL(runtime.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    sockets.push(socket)
    let received = ''
    const client: Client = { socket, received: () => received }
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
    socket.on('error', () => undefined)
    socket.on('close', () => (client.closedAt = Date.now()))
    socket.once('connect', () => resolve(client))
    socket.once('error', reject)
  })
}

/** Sends `text` a byte every `everyMs`, as a slowloris client does. */
function trickle(client: Client, text: string, everyMs: number): void {
  let at = 0
  const timer = setInterval(() => {
    if (client.closedAt || at >= text.length) return clearInterval(timer)
    client.socket.write(text[at++])
  }, everyMs)
}

const head = (length: number) =>
  `POST /bulk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

test('connections slow to send their headers, or nothing at all, are closed with 408 after LD_HEADERS_TIMEOUT_SECONDS', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 })
  const started = Date.now()
  const slow = await Promise.all(Array.from({ length: 40 }, open))
  slow.forEach((client) => trickle(client, head(BODY.length), 200))
  const silent = await Promise.all(Array.from({ length: 10 }, open))
  await waitFor(() => [...slow, ...silent].every((c) => c.closedAt), 'every slow connection closed', 8000)
  const latest = Math.max(...[...slow, ...silent].map((c) => c.closedAt as number)) - started
  expect(latest).toBeLessThan(3500)
  expect(slow[0].received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
  expect(slow[0].received()).toContain('{"error":"RequestTimeout","message":')
  // An ordinary client is unaffected.
  const ok = await fetch(`${runtime.url}/bulk`, { method: 'POST', body: BODY })
  expect(ok.status).toBe(202)
})

test('a body that trickles in is closed after LD_REQUEST_TIMEOUT_SECONDS', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 })
  const client = await open()
  client.socket.write(head(BODY.length))
  const started = Date.now()
  trickle(client, BODY, 100)
  await waitFor(() => client.closedAt, 'the connection closed', 8000)
  expect((client.closedAt as number) - started).toBeLessThan(5000)
  expect(client.received()).toMatch(/^HTTP\/1\.1 (408|400) /)
})

test('by default an idle keep-alive connection outlives 5 s (node’s default) and is used again', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
  const client = await open()
  const request = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`
  client.socket.write(request)
  await waitFor(() => client.received().includes('"status":"ok"'), 'the first answer')
  expect(client.received()).toMatch(/Keep-Alive: timeout=65\r\n/)
  await new Promise((resolve) => setTimeout(resolve, 6000))
  expect(client.closedAt).toBeUndefined()
  client.socket.write(request)
  await waitFor(() => client.received().split('"status":"ok"').length === 3, 'the second answer')
})

test('past LD_MAX_CONNECTIONS a new connection is closed at once; one closing makes room', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { maxConnections: 5 })
  const held = await Promise.all(Array.from({ length: 5 }, open))
  await new Promise((resolve) => setTimeout(resolve, 100))
  const extra = await open()
  await waitFor(() => extra.closedAt, 'the extra connection closed', 2000)
  held[0].socket.destroy()
  await waitFor(() => held[0].closedAt, 'one closed')
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect((await fetch(`${runtime.url}/healthz`)).status).toBe(200)
})
