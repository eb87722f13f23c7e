// Outbound proxies (docs/operations.md "Network"): with HTTPS_PROXY or HTTP_PROXY set,
// every outbound call of the relay goes through the proxy (Segment's batch API, forwards
// to LaunchDarkly, the source function's REST lookups through the sandbox's fetch), a
// host in NO_PROXY is reached directly, and NODE_EXTRA_CA_CERTS makes a private CA
// trusted. The relay runs as a process of its own (the compiled one, as in production);
// the proxy and every "remote" service are local servers, the remote names (`*.test`)
// resolvable by no one but the proxy.

import { ChildProcess, spawn } from 'child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs'
import { createServer as createHttpServer, IncomingMessage, request, Server } from 'http'
import { createServer as createHttpsServer } from 'https'
import { AddressInfo, connect, Socket } from 'net'
import { tmpdir } from 'os'
import { join } from 'path'
import fixture from '../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_SETTINGS } from '../fixtures/node-server-sdk-bulk.expected'
import { waitFor } from './helpers'

jest.setTimeout(60_000)

const ROOT = join(__dirname, '..', '..')
const TLS = join(__dirname, '..', 'fixtures', 'tls')
const SDK_KEY = 'sdk-key-for-the-proxy-test'

interface Seen {
  method: string
  url: string
  host?: string
}

const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

const portOf = (server: Server): number => (server.address() as AddressInfo).port
async function listening<T extends Server>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => {
    server.closeAllConnections()
    server.close()
  })
  return server
}

/** A service answering every request (Segment, LaunchDarkly's events and REST API), recording it. */
function service(seen: Seen[]) {
  return (req: IncomingMessage, res: import('http').ServerResponse): void => {
    req.resume().on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host })
      const flag = /^\/api\/v2\/flags\/[^/]+\/([^/?]+)/.exec(req.url ?? '')
      res.writeHead(flag ? 200 : 202, { 'Content-Type': 'application/json' })
      res.end(flag ? JSON.stringify({ key: flag[1], variations: [{ _id: 'v0', value: true, name: 'On' }] }) : '{}')
    })
  }
}

/**
 * A forward proxy: CONNECT to port 443 tunnels to the TLS services, to port 80 to the plain
 * ones (undici tunnels http requests too), and absolute-form requests go to the plain ones.
 */
async function proxy(tlsPort: number, httpPort: number, seen: Seen[]): Promise<Server> {
  const server = createHttpServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '' })
    const target = new URL(req.url ?? '')
    const upstream = request(
      {
        host: '127.0.0.1',
        port: httpPort,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    req.pipe(upstream)
  })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push({ method: 'CONNECT', url: req.url ?? '' })
    const upstream = connect((req.url ?? '').endsWith(':443') ? tlsPort : httpPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  return listening(server)
}

function startRelay(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'ld-proxy-'))
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'runtime', 'server.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      LOG_FORMAT: 'text',
      LD_SEGMENT_DATA_DIR: dataDir,
      LD_PROJECT_ID: SDK_FIXTURE_SETTINGS.projectId,
      LD_ENVIRONMENT_ID: SDK_FIXTURE_SETTINGS.environmentId,
      LD_INGEST_TOKEN: SDK_KEY,
      SEGMENT_WRITE_KEY: 'write-key-for-the-proxy-test',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  closers.push(() => {
    child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })
  return { child, output: () => output }
}

async function deliver(relay: { output: () => string }): Promise<void> {
  const url = await waitFor(
    () => /relay on (http:\/\/127\.0\.0\.1:\d+)/.exec(relay.output())?.[1],
    'the banner',
    20_000
  )
  const res = await fetch(`${url}/bulk`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: SDK_KEY },
    body: JSON.stringify(fixture.body)
  })
  expect(res.status).toBe(202)
}

test('HTTPS_PROXY: Segment, the LaunchDarkly forward and the REST lookups all go through CONNECT; the private CA is trusted', async () => {
  const remote: Seen[] = []
  const tls = await listening(
    createHttpsServer(
      { key: readFileSync(join(TLS, 'key.pem')), cert: readFileSync(join(TLS, 'cert.pem')) },
      service(remote)
    )
  )
  const tunnels: Seen[] = []
  const through = await proxy(portOf(tls), 1, tunnels)
  const relay = startRelay({
    HTTPS_PROXY: `http://127.0.0.1:${portOf(through)}`,
    NODE_EXTRA_CA_CERTS: join(TLS, 'cert.pem'),
    SEGMENT_HOST: 'https://segment.test',
    LD_FORWARD_EVENTS_TO: 'https://events.launchdarkly.test',
    LD_API_BASE_URL: 'https://app.launchdarkly.test',
    LD_PROJECT_KEY: 'default',
    LD_ACCESS_TOKEN: 'api-token-for-the-proxy-test'
  })
  await deliver(relay)
  const hosts = () => new Set(remote.map((r) => r.host))
  await waitFor(() => hosts().size === 3, `the three services (seen: ${JSON.stringify(remote)})`)
  expect([...new Set(tunnels.map((t) => `${t.method} ${t.url}`))].sort()).toEqual([
    'CONNECT app.launchdarkly.test:443',
    'CONNECT events.launchdarkly.test:443',
    'CONNECT segment.test:443'
  ])
  expect(remote).toEqual(
    expect.arrayContaining([
      { method: 'POST', url: '/v1/batch', host: 'segment.test' },
      { method: 'POST', url: '/bulk', host: 'events.launchdarkly.test' },
      { method: 'GET', url: expect.stringMatching(/^\/api\/v2\/flags\/default\//), host: 'app.launchdarkly.test' }
    ])
  )
  expect(relay.output()).toContain('outbound requests: https through HTTPS_PROXY')
})

test('HTTP_PROXY for http, and NO_PROXY hosts reached directly', async () => {
  const viaProxy: Seen[] = []
  const plain = await listening(createHttpServer(service(viaProxy)))
  const direct: Seen[] = []
  const local = await listening(createHttpServer(service(direct)))
  const requests: Seen[] = []
  const through = await proxy(1, portOf(plain), requests)
  const relay = startRelay({
    HTTP_PROXY: `http://127.0.0.1:${portOf(through)}`,
    NO_PROXY: '127.0.0.1',
    SEGMENT_HOST: 'http://segment.test',
    LD_FORWARD_EVENTS_TO: `http://127.0.0.1:${portOf(local)}`
  })
  await deliver(relay)
  await waitFor(() => viaProxy.length > 0 && direct.length > 0, 'Segment through the proxy, the forward directly')
  // Tunnelled, as undici sends through a proxy (a proxy must allow CONNECT to port 80 for http).
  expect(requests).toEqual([{ method: 'CONNECT', url: 'segment.test:80' }])
  expect(viaProxy).toEqual([{ method: 'POST', url: '/v1/batch', host: 'segment.test' }])
  expect(direct).toEqual([{ method: 'POST', url: '/bulk', host: `127.0.0.1:${portOf(local)}` }])
})

test('the replay (in the image, the compiled one) sends through the proxy too', async () => {
  const viaProxy: Seen[] = []
  const plain = await listening(createHttpServer(service(viaProxy)))
  const requests: Seen[] = []
  const through = await proxy(1, portOf(plain), requests)
  const dir = mkdtempSync(join(tmpdir(), 'ld-proxy-replay-'))
  closers.push(() => rmSync(dir, { recursive: true, force: true }))
  const input = join(dir, 'bulk.json')
  writeFileSync(input, JSON.stringify(fixture.body))
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist', 'scripts', 'replay', 'index.js'), input, '--to', 'segment'],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HTTP_PROXY: `http://127.0.0.1:${portOf(through)}`,
        SEGMENT_HOST: 'http://segment.test',
        SEGMENT_WRITE_KEY: 'write-key-for-the-proxy-test',
        LD_SEGMENT_DATA_DIR: dir,
        LD_PROJECT_ID: SDK_FIXTURE_SETTINGS.projectId,
        LD_ENVIRONMENT_ID: SDK_FIXTURE_SETTINGS.environmentId
      },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  expect([code, output]).toEqual([0, expect.stringContaining('emitted 15; sent 15')])
  expect(requests).toEqual([{ method: 'CONNECT', url: 'segment.test:80' }])
  expect(viaProxy).toEqual([{ method: 'POST', url: '/v1/batch', host: 'segment.test' }])
})
