// LaunchDarkly's browser SDKs end to end (issue 20): launchdarkly-js-client-sdk 3 and
// @launchdarkly/js-client-sdk 4 in headless Chromium (Debian's chromium package, driven
// by playwright-core), on a page whose origin is not the relay's, with application tags
// set, against a local LaunchDarkly stand-in that serves a flag with trackEvents and two
// goals (a page view and a click). Their events go through the relay's CORS preflight to
// /events/bulk/{client-side ID}; the test reads the exact Segment calls from the sink.
// Nothing leaves 127.0.0.1: Chromium resolves no other host.

import { existsSync, readFileSync } from 'node:fs'
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { build } from 'esbuild'
import { Browser, chromium } from 'playwright-core'
import { runtimeWith, TestRuntime, waitFor } from './helpers'

jest.setTimeout(60_000)

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ROOT = path.resolve(__dirname, '..', '..')
/** LD_ENVIRONMENT_ID is another environment's: the client-side route's ID is the one that counts. */
const SETTINGS = { projectId: 'proj-1', environmentId: 'server-side-env' }
const USER = { kind: 'user', key: 'user-123', name: 'Ada', email: 'ada@example.com' }

interface Served {
  readonly url: string
  readonly requests: string[]
  close(): Promise<void>
}

/** A server on 127.0.0.1 answering `handle`; every request line recorded. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** LaunchDarkly's client-side endpoints as the SDKs read them: flags of a context, and goals. */
function launchDarklyStandIn(pageUrl: () => string) {
  return serve((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? ''),
      'Access-Control-Allow-Methods': 'GET, REPORT, POST, OPTIONS'
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end()
    const send = (body: unknown): void =>
      void res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify(body))
    const url = req.url ?? ''
    if (url.startsWith('/sdk/goals/')) {
      return send([
        { key: 'pricing-viewed', kind: 'pageview', urls: [{ kind: 'exact', url: pageUrl() }] },
        { key: 'buy-clicked', kind: 'click', selector: '#buy', urls: [{ kind: 'substring', substring: '/pricing' }] }
      ])
    }
    if (url.startsWith('/sdk/evalx/')) {
      return send({
        'checkout-flow': { value: 'treatment', variation: 1, version: 23, flagVersion: 11, trackEvents: true },
        'quiet-flag': { value: false, variation: 0, version: 24, flagVersion: 2 }
      })
    }
    res.writeHead(404, cors).end()
  })
}

/** The page: a buy button, and the SDK under test started by `start()` (see SESSION). */
function pageHtml(sdkScript: string): string {
  return `<!doctype html><html><head><title>Pricing</title></head><body>
<button id="buy">Buy</button>
<script src="${sdkScript}"></script>
</body></html>`
}

/** v4 for the page: its ES module bundled into one script that sets `window.LDv4`. */
async function bundleV4(): Promise<string> {
  const result = await build({
    stdin: { contents: "export { createClient } from '@launchdarkly/js-client-sdk'", resolveDir: ROOT },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'LDv4',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent'
  })
  return result.outputFiles[0].text
}

interface Sdk {
  readonly name: string
  readonly clientSideId: string
  readonly script: () => Promise<string>
  /** Runs in the page: starts the client against the stand-in and the relay; resolves when ready. */
  readonly start: string
}

const OPTIONS = (tags: string) => `
  const base = { flushInterval: 3600000, diagnosticOptOut: true, streaming: false, sendEvents: true, ${tags} }`

const SDKS: readonly Sdk[] = [
  {
    name: 'launchdarkly-js-client-sdk 3.9.5',
    clientSideId: 'client-side-v3',
    script: async () =>
      readFileSync(path.join(ROOT, 'node_modules', 'launchdarkly-js-client-sdk', 'dist', 'ldclient.min.js'), 'utf8'),
    start: `async (ld, relay, user) => {
      ${OPTIONS("application: { id: 'pricing-web', version: '1.2.3' }")}
      const client = LDClient.initialize('client-side-v3', user, { ...base, baseUrl: ld, eventsUrl: relay })
      await client.waitForInitialization(5)
      window.client = client
    }`
  },
  {
    name: '@launchdarkly/js-client-sdk 4.10.3',
    clientSideId: 'client-side-v4',
    script: bundleV4,
    start: `async (ld, relay, user) => {
      ${OPTIONS("applicationInfo: { id: 'pricing-web', version: '1.2.3' }")}
      const client = LDv4.createClient('client-side-v4', user, { ...base, baseUri: ld, eventsUri: relay, streamUri: ld })
      await client.start()
      window.client = client
    }`
  }
]

let browser: Browser
let runtime: TestRuntime | undefined

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium, as .ci/run does), or set CHROMIUM_PATH`
    )
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Every host but 127.0.0.1 is unknown: an SDK pointed anywhere else fails here.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'
    ]
  })
})

afterAll(async () => {
  await browser?.close()
})

afterEach(async () => {
  await runtime?.close()
  runtime = undefined
})

const ts = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
const id = expect.stringMatching(/^ld-[0-9a-f]{32}$/)

/** The calls every browser SDK's session must produce, in the order the SDK queued them. */
function expected(clientSideId: string, pageUrl: string): Array<Record<string, unknown>> {
  const origin = { environment: clientSideId, project: 'proj-1' }
  const contextKeys = { user: 'user-123' }
  const call = (type: string, event: string | undefined, properties: Record<string, unknown>) => ({
    type,
    ...(event ? { event } : {}),
    userId: 'user-123',
    properties: { ...origin, ...properties },
    timestamp: ts,
    messageId: id
  })
  return [
    call('page', undefined, { key: 'pricing-viewed', contextKeys, version: 1, url: pageUrl }),
    call('track', 'feature', {
      key: 'checkout-flow',
      contextKeys,
      version: 1,
      value: 'treatment',
      flagVersion: 11,
      variation: 1,
      inExperiment: false,
      default: false
    }),
    call('track', 'click', { key: 'buy-clicked', contextKeys, version: 1, url: pageUrl, selector: '#buy' }),
    call('track', 'custom', { key: 'purchase', contextKeys, version: 1, metricValue: 42.5 }),
    call('track', 'custom', { key: 'free-trial', contextKeys, version: 1, metricValue: 0 })
  ]
}

const order = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  JSON.stringify([a.type, a.event, (a.properties as { key: string }).key]).localeCompare(
    JSON.stringify([b.type, b.event, (b.properties as { key: string }).key])
  )

describe.each(SDKS.map((sdk) => [sdk.name, sdk] as const))('%s', (_name, sdk) => {
  test('on another origin, with application tags: flag, goals and custom events arrive as exact Segment calls', async () => {
    runtime = await runtimeWith(SETTINGS)
    const relayUrl = runtime.url
    const script = await sdk.script()
    let pageUrl = ''
    const launchDarkly = await launchDarklyStandIn(() => pageUrl)
    const page = await serve((req, res) => {
      if (req.url?.startsWith('/sdk.js'))
        return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script)
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(pageHtml('/sdk.js'))
    })
    pageUrl = `${page.url}/pricing`
    const tab = await browser.newPage()
    const consoleLines: string[] = []
    tab.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`))
    try {
      await tab.goto(pageUrl)
      await tab.evaluate(
        `(${sdk.start})(${JSON.stringify(launchDarkly.url)}, ${JSON.stringify(relayUrl)}, ${JSON.stringify(USER)})`
      )
      await tab.evaluate("window.client.variation('checkout-flow', 'control')")
      // Not tracked: only counted in the summary event, which is not exported.
      await tab.evaluate("window.client.variation('quiet-flag', true)")
      // The goals are fetched at start; the click listener is in place once they are.
      await waitFor(() => launchDarkly.requests.some((r) => r.includes('/sdk/goals/')), 'the goals')
      await tab.waitForTimeout(200)
      await tab.click('#buy')
      await tab.evaluate(
        "window.client.track('purchase', { sku: 'A-1' }, 42.5); window.client.track('free-trial', undefined, 0); window.client.flush()"
      )
      const want = expected(sdk.clientSideId, pageUrl)
      const lines = await waitFor(
        () => runtime!.lines().length >= want.length && runtime!.lines(),
        `the sink lines (${consoleLines.join(' | ')})`,
        20_000
      )
      expect([...lines].sort(order)).toEqual([...want].sort(order))
      expect(new Set(lines.map((line) => line.messageId)).size).toBe(want.length)
      // Context attributes other than keys never leave.
      expect(JSON.stringify(lines)).not.toMatch(/Ada|ada@example.com/)
      // No CORS failure, no refused header: the browser sent every post.
      expect(consoleLines.filter((line) => /CORS|Refused|unsafe header/i.test(line))).toEqual([])
    } finally {
      await tab.close()
      await page.close()
      await launchDarkly.close()
    }
  })
})
