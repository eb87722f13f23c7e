// The inspector over HTTP (docs/inspector.md): `GET /` serves the page to a browser and
// the banner to curl; the page and its stream answer only whom they should (a loopback
// Host, the ingest token, the page's own origin), never with CORS headers; the stream
// carries the warnings and each delivery.

import { createHash } from 'crypto'
import { readFileSync } from 'fs'
import { connect, Socket } from 'net'
import { join } from 'path'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_SETTINGS } from '../../fixtures/node-server-sdk-bulk.expected'
import { OFF_WITHOUT_TOKEN, TOKEN_NEEDED, wantsHtml } from '../../../runtime/inspector'
import { PAGE_FILES } from '../../../runtime/inspector/page'
import { PROJECT_ROOT } from '../../../runtime/startup'
import { rawRequest, runtimeWith, TestRuntime, waitFor } from '../helpers'

jest.setTimeout(30_000)

const BODY = JSON.stringify(fixture.body)
const TOKEN = 'tok-s3cret-ingest-value'
const NO_ORIGIN =
  'no environment or project: the payload has neither, and the environmentId setting (LD_ENVIRONMENT_ID) and the projectId setting (LD_PROJECT_ID) are empty'
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'
// The page and its policy as `npm run build` wrote them (npm test builds first).
const built = (file: string) => readFileSync(join(PROJECT_ROOT, 'dist', file), 'utf8')
const PAGE_HTML = built(PAGE_FILES.html)
const PAGE_CSP = (JSON.parse(built(PAGE_FILES.policy)) as { csp: string }).csp

let runtime: TestRuntime
const sockets: Socket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await runtime?.close()
})

const get = (target: string, headers: Record<string, string> = {}) => rawRequest(runtime.url, 'GET', target, headers)
const page = (target = '/', headers: Record<string, string> = {}) => get(target, { Accept: BROWSER, ...headers })
const postBulk = (body = BODY, headers: Record<string, string> = {}) =>
  rawRequest(runtime.url, 'POST', '/bulk', { 'Content-Type': 'application/json', ...headers }, body)

/** A stream held open on a plain socket: its status and what it has sent so far. */
function stream(target: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(runtime.url)
  const socket = connect(Number(port), hostname)
  sockets.push(socket)
  let text = ''
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  socket.on('error', () => undefined)
  const head = [`GET ${target} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Accept: text/event-stream']
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`)
  socket.write(head.join('\r\n') + '\r\n\r\n')
  return {
    socket,
    text: () => text,
    status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
    /** The `data` of each event of that name. */
    events: (name: string) =>
      // Each frame is written whole, so a chunk-size line never cuts one.
      [...text.matchAll(new RegExp(`event: ${name}\\ndata: (.*)`, 'g'))].map(
        (m) => JSON.parse(m[1]) as Record<string, any>
      )
  }
}

describe('GET /', () => {
  test('curl and Accept: text/plain get the text banner, as before; a browser gets the page', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const banner = runtime.banner()
    const asked: Array<Record<string, string>> = [
      {},
      { Accept: '*/*' },
      { Accept: 'text/plain' },
      { Accept: 'text/html;q=0, */*' }
    ]
    for (const headers of asked) {
      const res = await get('/', headers)
      expect([res.status, res.headers['content-type'], res.body]).toEqual([200, 'text/plain; charset=utf-8', banner])
    }
    expect(banner).toContain(`Inspector (every delivery, live): open ${runtime.url}/ in a browser`)

    const res = await page()
    expect(res.status).toBe(200)
    expect(res.body).toBe(PAGE_HTML)
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_CSP,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      vary: 'Accept'
    })
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  test('the page allows its own inline style and script by hash, connections to the relay, and nothing else', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(PAGE_HTML)?.[1] ?? ''
    const style = /<style>([\s\S]*?)<\/style>/.exec(PAGE_HTML)?.[1] ?? ''
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
    expect(PAGE_CSP).toBe(
      `default-src 'none'; script-src ${hash(script)}; style-src ${hash(
        style
      )}; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
    )
    // Offline: nothing is loaded from elsewhere, and the script never writes markup.
    expect(PAGE_HTML).not.toMatch(/https?:\/\//)
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/)
    expect(Buffer.byteLength(PAGE_HTML)).toBeLessThan(32 * 1024)
  })

  test('what a browser asks for by name', () => {
    expect(wantsHtml(BROWSER)).toBe(true)
    expect(wantsHtml('TEXT/HTML')).toBe(true)
    expect(wantsHtml('text/html;q=0.5')).toBe(true)
    for (const accept of [undefined, '', '*/*', 'text/*', 'text/plain', 'text/html;q=0', 'application/json'])
      expect(wantsHtml(accept)).toBe(false)
  })
})

describe('who may watch', () => {
  test('with LD_INGEST_TOKEN set, the page and its stream need a token; the banner does not; no log holds it', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN] })
    for (const target of ['/', '/?token=wrong-token-value', '/inspector/stream']) {
      const res = await page(target)
      expect([res.status, JSON.parse(res.body)]).toEqual([401, { error: 'ValidationError', message: TOKEN_NEEDED }])
    }
    expect((await page(`/?token=${TOKEN}`)).status).toBe(200)
    expect((await page('/', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200)
    expect((await get('/')).body).toBe(runtime.banner())
    expect(runtime.banner()).toContain(`open ${runtime.url}/?token=<token> in a browser`)
    const watching = stream(`/inspector/stream?token=${TOKEN}`)
    await waitFor(() => watching.events('hello').length === 1, 'the hello event')
    expect(watching.status()).toBe(200)
    expect(runtime.logs).toContain(`inspector: GET / 401 ValidationError: ${TOKEN_NEEDED}`)
    expect(runtime.logs.join('\n')).not.toContain('s3cret')
  })

  test('on a loopback address, only requests addressed to a loopback host name (DNS rebinding)', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const port = new URL(runtime.url).port
    for (const target of ['/', '/inspector/stream']) {
      const res = await page(target, { Host: `rebound.example:${port}` })
      expect([res.status, JSON.parse(res.body)]).toEqual([
        400,
        { error: 'InvalidHost', message: 'The inspector answers only requests addressed to a loopback host' }
      ])
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
      expect((await page('/', { Host: host })).status).toBe(200)
  })

  test('on another address without LD_INGEST_TOKEN the inspector is off; with it, the token decides', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { host: '0.0.0.0', clientSideIds: ['cs-1'], sink: 'ndjson' })
    const res = await rawRequest(runtime.url.replace('0.0.0.0', '127.0.0.1'), 'GET', '/', { Accept: BROWSER })
    expect([res.status, JSON.parse(res.body)]).toEqual([401, { error: 'ValidationError', message: OFF_WITHOUT_TOKEN }])
    await runtime.close()

    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, {
      host: '0.0.0.0',
      ingestTokens: [TOKEN],
      clientSideIds: ['cs-1'],
      sink: 'ndjson'
    })
    const base = runtime.url.replace('0.0.0.0', '127.0.0.1')
    const headers = { Accept: BROWSER, Host: 'relay.internal:8787' }
    expect((await rawRequest(base, 'GET', '/', headers)).status).toBe(401)
    expect((await rawRequest(base, 'GET', `/?token=${TOKEN}`, headers)).status).toBe(200)
  })

  test('the stream answers its own page only: another origin is refused, with no CORS headers', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const host = new URL(runtime.url).host
    const foreign: Array<Record<string, string>> = [
      { Origin: 'http://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'null' }
    ]
    for (const headers of foreign) {
      const res = await get('/inspector/stream', headers)
      expect([res.status, JSON.parse(res.body).error]).toEqual([400, 'InvalidOrigin'])
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
    }
    const own = stream('/inspector/stream', { Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' })
    await waitFor(() => own.status() === 200, 'the stream')
    expect(own.text()).not.toMatch(/access-control-/i)
    expect((await rawRequest(runtime.url, 'POST', '/inspector/stream', {}, '')).status).toBe(405)
  })

  test('at most 8 pages watch at once', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const pages = Array.from({ length: 8 }, () => stream('/inspector/stream'))
    await waitFor(() => pages.every((p) => p.events('hello').length === 1), 'eight streams')
    const ninth = await get('/inspector/stream')
    expect([ninth.status, ninth.headers['retry-after'], JSON.parse(ninth.body).error]).toEqual([
      503,
      '30',
      'TooManyWatchers'
    ])
    // A page that leaves frees its slot (once the relay has seen its socket close).
    pages[0].socket.destroy()
    for (let attempt = 0; ; attempt++) {
      const another = stream('/inspector/stream')
      const status = await waitFor(() => another.status(), 'an answer')
      if (status === 200) break
      expect([status, attempt < 50]).toEqual([503, true])
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })
})

describe('the stream', () => {
  test('the warnings first, then each delivery with its events; the relay’s own pages and the stream are not deliveries', async () => {
    runtime = await runtimeWith({})
    const watching = stream('/inspector/stream')
    await waitFor(() => watching.events('hello').length === 1, 'the hello event')
    expect(watching.events('hello')[0].warnings).toEqual(runtime.warnings)
    expect(runtime.warnings.length).toBeGreaterThan(0)
    expect((await get('/healthz')).status).toBe(200)
    const bad = JSON.stringify([{ kind: 'custom', key: 'k', creationDate: 1 }])
    expect((await postBulk(bad)).status).toBe(400)
    await waitFor(() => watching.events('record').length === 1, 'the record')
    const [record] = watching.events('record')
    expect(record).toMatchObject({
      id: 1,
      method: 'POST',
      route: '/bulk',
      kind: 'sdk',
      status: 400,
      error: { error: 'InvalidEventPayload' },
      // A delivery that exported nothing still tells what became of each event.
      rejected: [{ index: 0, reason: NO_ORIGIN }],
      events: [{ index: 0, outcome: 'rejected', kind: 'custom', key: 'k', reason: NO_ORIGIN }]
    })
    // The inspector's own requests are answered outside the delivery feed: no log line for them.
    expect(runtime.logs.filter((line) => line.includes('/inspector'))).toEqual([])
  })

  test('a page that reads nothing holds up no delivery, and closing the relay ends its stream', async () => {
    runtime = await runtimeWith(SDK_FIXTURE_SETTINGS)
    const stalled = stream('/inspector/stream')
    await waitFor(() => stalled.status() === 200, 'the stream')
    stalled.socket.pause()
    const answers = await Promise.all(Array.from({ length: 40 }, () => postBulk()))
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202))
    await runtime.close()
    // Read what was sent, to see the end of it.
    stalled.socket.resume()
    await new Promise((resolve) => stalled.socket.on('close', resolve))
  })
})

test('every delivery the page is sent is redacted of the relay’s secrets', async () => {
  runtime = await runtimeWith(SDK_FIXTURE_SETTINGS, { ingestTokens: [TOKEN] })
  const watching = stream(`/inspector/stream?token=${TOKEN}`)
  await waitFor(() => watching.events('hello').length === 1, 'the hello event')
  const event = { ...fixture.body[17], key: `leak-${TOKEN}` }
  expect((await postBulk(JSON.stringify([event]), { Authorization: `Bearer ${TOKEN}` })).status).toBe(202)
  await waitFor(() => watching.events('record').length === 1, 'the record')
  expect(watching.text()).not.toContain('s3cret')
  expect(watching.events('record')[0].events[0].key).toBe('leak-[redacted]')
})
