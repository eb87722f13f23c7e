// The inspector in a real browser (docs/inspector.md): headless Chromium (Debian's
// `chromium` package, driven by playwright-core) opens the page of a relay started as
// users start it (`node dist/runtime/server.js`, with an ingest token), batches are posted,
// and the page shows what a user relies on; event data carrying markup stays text.

import { ChildProcess, spawn } from 'child_process'
import { existsSync, mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { Browser, chromium, Page } from 'playwright-core'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_CALLS, SDK_FIXTURE_SETTINGS } from '../../fixtures/node-server-sdk-bulk.expected'
import { rawRequest, standIn, waitFor } from '../helpers'

jest.setTimeout(60_000)

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SERVER = join(__dirname, '..', '..', '..', 'dist', 'runtime', 'server.js')
const TOKEN = 'tok-browser-test-token'
const NO_CONTEXT = 'event has no context (expected context, contextKeys, user or userKey)'

let relay: ChildProcess
let output = ''
let url = ''
let dataDir = ''
let browser: Browser
let launchDarkly: Awaited<ReturnType<typeof standIn>>

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium, as .ci/run does), or set CHROMIUM_PATH`
    )
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` (npm test does)`)
  launchDarkly = await standIn(() => ({ status: 202 }))
  dataDir = mkdtempSync(join(tmpdir(), 'ld-inspector-'))
  relay = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      LOG_FORMAT: 'text',
      LD_SEGMENT_DATA_DIR: dataDir,
      LD_PROJECT_ID: SDK_FIXTURE_SETTINGS.projectId,
      LD_ENVIRONMENT_ID: SDK_FIXTURE_SETTINGS.environmentId,
      LD_INGEST_TOKEN: TOKEN,
      LD_CLIENT_SIDE_ID: 'cs-1',
      LD_EVENTS_BASE_URL: launchDarkly.url
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  relay.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  relay.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  url = await waitFor(() => /relay on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 'the relay', 20_000)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // A fresh profile each launch (playwright makes one in a temporary folder).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
})

afterAll(async () => {
  await browser?.close()
  if (relay?.exitCode === null) {
    const exited = new Promise((resolve) => relay.on('exit', resolve))
    relay.kill('SIGTERM')
    await exited
  }
  await launchDarkly?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

const post = (path: string, body: unknown) =>
  rawRequest(
    url,
    'POST',
    path,
    { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    JSON.stringify(body)
  )

/** The page, opened with the token; every script error and dialog it meets is collected. */
async function open(): Promise<{ page: Page; problems: string[]; dialogs: string[] }> {
  const page = await browser.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  const dialogs: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())))
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await page.goto(`${url}/?token=${TOKEN}`)
  await page.locator('#status', { hasText: 'live' }).waitFor()
  return { page, problems, dialogs }
}

test('an SDK batch: the flag keys, each event beside the Segment call it became, the rejection reason; warnings on top', async () => {
  const { page, problems } = await open()
  expect(await page.locator('#warnings').innerText()).toContain('LD_CLIENT_SIDE_IDS is not set')
  const bad = { kind: 'feature', key: 'no-context-flag', creationDate: 1795654789999, value: 1 }
  expect((await post('/bulk', [...fixture.body, bad])).status).toBe(202)

  const card = page.locator('article').first()
  await card.locator('.head', { hasText: '/bulk' }).waitFor()
  const head = await card.locator('.head').innerText()
  expect(head).toMatch(/POST\s+\/bulk\s+SDK events\s+202\s+[\d.]+ ms\s+15 Segment calls\s+9 skipped\s+1 rejected/)
  const text = await card.innerText()
  expect(text).toContain('bool-tracked')
  expect(text).toContain('track “feature” user-123')
  expect(text).toContain(`no-context-flag user rejected: ${NO_CONTEXT}`.replace(' user ', '\t'))
  expect(text).toContain('skipped: summary events are not exported')

  // Unfolded, a row shows the LaunchDarkly input beside the Segment call.
  await card.locator('tr.row', { hasText: 'bool-tracked' }).first().click()
  const boxes = card.locator('tr.detail .box')
  expect(await boxes.nth(0).innerText()).toBe(`LaunchDarkly event (input)\n${JSON.stringify(fixture.body[1], null, 2)}`)
  expect(await boxes.nth(1).innerText()).toBe(
    `Segment call (what it became)\n${JSON.stringify({ type: 'track', ...SDK_FIXTURE_CALLS[0].message }, null, 2)}`
  )
  expect(await page.locator('#totals').innerText()).toMatch(
    /1 request · 15 Segment calls · 1 rejected event · 0 failed/
  )
  expect(problems).toEqual([])
  await page.close()
})

test('event data carrying markup is shown as text and never runs', async () => {
  const { page, problems, dialogs } = await open()
  const key = '<img src=x onerror="window.__inspectorPwned=1;alert(1)">'
  const value = '<script>window.__inspectorPwned=2;alert(2)</script>'
  const context = { kind: 'user', key: '<b onmouseover="alert(3)">u</b>' }
  const event = {
    kind: 'feature',
    key,
    value,
    default: false,
    variation: 0,
    version: 1,
    creationDate: 1795654789877,
    context
  }
  expect((await post('/bulk', [event])).status).toBe(202)

  const card = page.locator('article').first()
  await card.locator('tr.row', { hasText: key }).waitFor()
  await card.locator('tr.row', { hasText: key }).click()
  await card.locator('tr.row', { hasText: key }).hover()
  const text = await card.innerText()
  expect(text).toContain(key)
  expect(text).toContain(`user:${context.key}`)
  expect(text).toContain(`"value": ${JSON.stringify(value)}`)
  expect(await page.evaluate('window.__inspectorPwned')).toBeUndefined()
  expect(await page.locator('#list img, #list script, #list b:not(.count b)').count()).toBe(0)
  expect(dialogs).toEqual([])
  expect(problems).toEqual([])
  await page.close()
})

test('a destination function call and the LaunchDarkly request it made', async () => {
  const { page } = await open()
  const message = {
    type: 'track',
    event: 'Signed Up',
    userId: 'u1',
    messageId: 'm1',
    timestamp: '2026-01-01T00:00:00.000Z'
  }
  expect((await post('/destination-functions/launchdarkly-events', message)).status).toBe(200)
  const card = page.locator('article').first()
  await card.locator('.head', { hasText: 'destination function' }).waitFor()
  expect(await card.locator('.head').innerText()).toMatch(/200\s+[\d.]+ ms\s+1 LaunchDarkly request/)
  expect(await card.locator('ul.requests').innerText()).toBe(
    `LaunchDarkly: POST ${launchDarkly.url}/events/bulk/cs-1 → 202`
  )
  await card.locator('details.input summary').click()
  expect(await card.locator('details.input pre').innerText()).toBe(JSON.stringify(message, null, 2))
  await page.close()
})

test('pause holds new requests until resumed; clear empties the list', async () => {
  const { page } = await open()
  const cards = page.locator('article')
  await cards.first().waitFor()
  const before = await cards.count()
  await page.click('#pause')
  expect((await post('/bulk', [fixture.body[17]])).status).toBe(202)
  await page.locator('#pause', { hasText: 'Resume (1 new)' }).waitFor()
  expect(await cards.count()).toBe(before)
  await page.click('#pause')
  await page.locator('#pause', { hasText: /^Pause$/ }).waitFor()
  expect(await cards.count()).toBe(before + 1)
  expect(await cards.first().locator('.head').innerText()).toMatch(/1 Segment call\b/)
  await page.click('#clear')
  expect(await cards.count()).toBe(0)
  expect(await page.locator('#empty').isVisible()).toBe(true)
  await page.close()
})

test('the relay never printed the token', () => {
  expect(output).toContain('Inspector (every delivery, live): open')
  expect(output).not.toContain(TOKEN)
})
